//! [`WordIndex`]: a model's map from row index to word, and the three files it is read from.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::whole_text;

/// The largest index accepted: `u32::MAX - 1`, so that the number of rows fits in 32 bits. No
/// tokenizer has four billion words; an index this large is a mistake in the file, and a
/// dense matrix of it would not fit in memory anyway (see [`super::build`]).
pub const MAX_INDEX: usize = u32::MAX as usize - 1;
/// Largest word index file read: a tokenizer's vocabulary of millions of words is tens of
/// MiB.
const MAX_FILE_BYTES: u64 = 1 << 30;

/// A map from row index to word; indices without a word are padding rows.
///
/// Two words may not share an index. One word may sit at several indices (each of its rows
/// gets its vector). Only the words are stored, so a sparse index (`{"a": 0, "b": 100000}`)
/// costs nothing until the matrix is built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordIndex {
    /// Number of indices: the largest index + 1.
    len: usize,
    /// `(index, word)`, in increasing index order, each index once.
    entries: Vec<(usize, String)>,
}

impl WordIndex {
    /// Word `i` at index `i`.
    pub fn from_words(words: impl IntoIterator<Item = String>) -> WordIndex {
        let entries: Vec<(usize, String)> = words.into_iter().enumerate().collect();
        WordIndex {
            len: entries.len(),
            entries,
        }
    }

    /// From `(word, index)` pairs; the matrix gets `max index + 1` rows. Refuses two words
    /// with the same index and an index above [`MAX_INDEX`] (`path` names the source in the
    /// error).
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (String, usize)>,
        path: &Path,
    ) -> Result<WordIndex> {
        let mut entries: Vec<(usize, String)> = Vec::new();
        for (word, index) in pairs {
            if index > MAX_INDEX {
                let message = format!(
                    "the index of {word:?} is {index}: indices must be at most {MAX_INDEX}"
                );
                return Err(Error::format(path, None, message));
            }
            entries.push((index, word));
        }
        entries.sort_unstable();
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            let ((index, first), (_, second)) = (&pair[0], &pair[1]);
            let message = format!("words {first:?} and {second:?} both have index {index}");
            return Err(Error::format(path, None, message));
        }
        Ok(WordIndex {
            len: entries.last().map_or(0, |(index, _)| index + 1),
            entries,
        })
    }

    /// Reads `path`, after a UTF-8 byte-order mark if there is one, by its first non-blank
    /// character:
    /// - `{`: a JSON object `{"word": index, ...}` (a key given twice keeps its last value,
    ///   as Python's `json.load` reads it);
    /// - `[`: a JSON list of words, the word at position `i` (from 0) having index `i`;
    /// - anything else: a text file of one word per line, line `n` (from 1) being index
    ///   `n - 1`; a blank line is a padding index, surrounding white space is ignored, and a
    ///   line with white space inside (`the 1234`, as in word2vec's `-save-vocab` files) is
    ///   refused, naming the line.
    ///
    /// Refuses a file that holds no word.
    pub fn read(path: &Path) -> Result<WordIndex> {
        let text = whole_text::read_text(path, MAX_FILE_BYTES)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let index = match text.trim_start().chars().next() {
            Some('{') => Self::parse_object(text, path)?,
            Some('[') => Self::parse_list(text, path)?,
            _ => Self::parse_lines(text, path)?,
        };
        if index.entries.is_empty() {
            let message = "the word index holds no words: give a JSON object {\"word\": index}, \
                           a JSON list of words, or one word per line";
            return Err(Error::format(path, None, message));
        }
        Ok(index)
    }

    fn parse_object(text: &str, path: &Path) -> Result<WordIndex> {
        let map: HashMap<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| json_error(path, &e, "not a JSON object of word -> index"))?;
        let mut pairs = Vec::with_capacity(map.len());
        for (word, value) in map {
            let index = value
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| {
                    Error::format(
                        path,
                        None,
                        format!("the index of {word:?} is {value}, not a non-negative integer"),
                    )
                })?;
            pairs.push((word, index));
        }
        Self::from_pairs(pairs, path)
    }

    fn parse_list(text: &str, path: &Path) -> Result<WordIndex> {
        let list: Vec<serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| json_error(path, &e, "not a JSON list of words"))?;
        let mut words = Vec::with_capacity(list.len());
        for (position, value) in list.into_iter().enumerate() {
            match value {
                serde_json::Value::String(word) => words.push(word),
                other => {
                    let message = format!(
                        "element {position} of the list is {other}, not a word (a JSON string)"
                    );
                    return Err(Error::format(path, None, message));
                }
            }
        }
        Ok(Self::from_words(words))
    }

    fn parse_lines(text: &str, path: &Path) -> Result<WordIndex> {
        let mut len = 0;
        let mut entries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            len = index + 1;
            let word = line.trim();
            if word.is_empty() {
                continue;
            }
            if word.contains(char::is_whitespace) {
                let message = format!(
                    "{word:?} is not a word: a word index holds one word per line, without \
                     white space (for a \"word count\" file, keep the first column)"
                );
                return Err(Error::format(path, Some(len as u64), message));
            }
            entries.push((index, word.to_owned()));
        }
        Ok(WordIndex { len, entries })
    }

    /// Number of indices (rows of the matrix): the largest index + 1.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is no index.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of indices that have a word (the others are padding rows).
    pub fn words(&self) -> usize {
        self.entries.len()
    }

    /// The word at `index`, if any.
    pub fn word(&self, index: usize) -> Option<&str> {
        self.entries
            .binary_search_by_key(&index, |(i, _)| *i)
            .ok()
            .map(|found| self.entries[found].1.as_str())
    }

    /// `(index, word)` of every index that has a word, in increasing index order.
    pub fn entries(&self) -> impl Iterator<Item = (usize, &str)> {
        self.entries.iter().map(|(i, w)| (*i, w.as_str()))
    }

    /// The word of every index in order, `None` for a padding index.
    pub fn slots(&self) -> impl Iterator<Item = Option<&str>> {
        let mut entries = self.entries().peekable();
        (0..self.len).map(move |index| entries.next_if(|(i, _)| *i == index).map(|(_, w)| w))
    }
}

/// A JSON syntax or shape error in `path`, with its line.
fn json_error(path: &Path, error: &serde_json::Error, what: &str) -> Error {
    Error::format(path, Some(error.line() as u64), format!("{what}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, bytes: &[u8]) -> Result<WordIndex> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
        WordIndex::read(&path)
    }

    fn slots(index: &WordIndex) -> Vec<Option<&str>> {
        index.slots().collect()
    }

    #[test]
    fn a_json_list_is_index_ordered_words() {
        let index = read("w.json", br#" ["<pad>", "god", "lord"] "#).unwrap();
        assert_eq!(slots(&index), [Some("<pad>"), Some("god"), Some("lord")]);
        let err = read("w.json", br#"["a", 3]"#).unwrap_err().to_string();
        assert!(err.contains("element 1 of the list is 3"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let index = read("w.json", "\u{feff}{\"god\": 1}".as_bytes()).unwrap();
        assert_eq!(slots(&index), [None, Some("god")]);
        let index = read("w.txt", "\u{feff}god\nlord\n".as_bytes()).unwrap();
        assert_eq!(slots(&index), [Some("god"), Some("lord")]);
    }

    #[test]
    fn a_word_count_line_is_refused_with_its_line() {
        let err = read("w.txt", b"god\nthe 1234\n").unwrap_err().to_string();
        assert!(err.contains("w.txt:2: \"the 1234\" is not a word"), "{err}");
    }

    #[test]
    fn an_index_without_words_is_refused() {
        for (name, bytes) in [
            ("w.json", &b"{}"[..]),
            ("l.json", b" []"),
            ("w.txt", b"\n\n"),
        ] {
            let err = read(name, bytes).unwrap_err().to_string();
            assert!(err.contains("holds no words"), "{name}: {err}");
        }
    }

    #[test]
    fn gaps_are_padding_and_shared_indices_are_refused() {
        let index = read("w.json", br#"{"a": 0, "b": 3}"#).unwrap();
        assert_eq!((index.len(), index.words()), (4, 2));
        assert_eq!(slots(&index), [Some("a"), None, None, Some("b")]);
        let err = read("w.json", br#"{"a": 0, "b": 0}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("both have index 0"), "{err}");
        // One word at two indices is fine: both rows get its vector.
        let index = read("w.txt", b"a\nb\na\n").unwrap();
        assert_eq!(slots(&index), [Some("a"), Some("b"), Some("a")]);
    }

    #[test]
    fn an_index_beyond_32_bits_is_refused_without_allocating() {
        let err = read("w.json", br#"{"a": 0, "b": 5000000000}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("indices must be at most 4294967294"), "{err}");
        // Within the bound a sparse index costs two entries, not four billion slots.
        let index = read("w.json", br#"{"a": 0, "b": 4000000000}"#).unwrap();
        assert_eq!((index.len(), index.words()), (4_000_000_001, 2));
        assert_eq!(index.word(4_000_000_000), Some("b"));
    }
}
