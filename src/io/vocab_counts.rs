//! Vocabulary files: one `word count` line per word, in the vocabulary's order (most frequent
//! first), as word2vec.c's `-save-vocab` and gensim's `save_word2vec_format(fvocab=...)`
//! write them and gensim's `load_word2vec_format(fvocab=...)` reads them.
//!
//! A vector file holds no counts (readers give its rows falling counts, keeping the file's
//! order); a vocabulary file beside it gives the real ones back.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use super::atomic::AtomicFile;
use super::rows::{check_word, snippet};
use super::text::Lines;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Writes `vocab` to `path` atomically, one `word count` line per word in id order.
/// Refuses (with [`Error::Format`]) a word that is empty or holds whitespace.
pub fn write(vocab: &Vocab, path: &Path) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write_to(vocab, &mut file, path)?;
    file.commit()
}

/// Writes `vocab` to `writer`; `path` names the file in errors.
pub fn write_to<W: Write>(vocab: &Vocab, mut writer: W, path: &Path) -> Result<()> {
    for (id, (word, count)) in vocab.words().iter().zip(vocab.counts()).enumerate() {
        check_word(word, path, id as u64 + 1)?;
        writeln!(writer, "{word} {count}").map_err(|e| Error::io("write", path, e))?;
    }
    writer.flush().map_err(|e| Error::io("write", path, e))
}

/// Reads the `(word, count)` pairs of the vocabulary file at `path` (gzip or plain), in the
/// file's order. Blank lines are skipped; a line that is not a word and a count, a count
/// that is not a whole number, and a word listed twice are refused naming the line.
pub fn read(path: &Path) -> Result<Vec<(String, u64)>> {
    read_from(super::open(path)?, path)
}

/// Reads a vocabulary file from `reader`; `path` names it in errors.
pub fn read_from<R: BufRead>(reader: R, path: &Path) -> Result<Vec<(String, u64)>> {
    let mut lines = Lines::new(reader, path);
    let mut pairs = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    while let Some((line, text)) = lines.next_line()? {
        let fields: Vec<&str> = text.split_ascii_whitespace().collect();
        let (word, count) = match fields[..] {
            [] => continue,
            [word, count] => (word, count),
            _ => {
                let message = format!("expected `word count`, found {}", snippet(text));
                return Err(Error::format(path, Some(line), message));
            }
        };
        let count: u64 = count.parse().map_err(|_| {
            let message = format!("the count of {word:?} is {count:?}, not a whole number");
            Error::format(path, Some(line), message)
        })?;
        if let Some(first) = first_line.insert(word.to_owned(), line) {
            let message = format!("{word:?} is listed twice (first on line {first})");
            return Err(Error::format(path, Some(line), message));
        }
        pairs.push((word.to_owned(), count));
    }
    Ok(pairs)
}

/// `embeddings` with the counts of `pairs` (read from `path`, named in errors), its rows and
/// their order unchanged. Words of `pairs` without a row are left out, as gensim does; a row
/// whose word `pairs` lacks is refused (gensim warns and leaves its count unset).
pub fn with_counts(
    embeddings: Embeddings,
    pairs: &[(String, u64)],
    path: &Path,
) -> Result<Embeddings> {
    let counts: HashMap<&str, u64> = pairs.iter().map(|(w, c)| (w.as_str(), *c)).collect();
    let (vocab, dim, data) = embeddings.into_parts();
    let row_counts = vocab
        .words()
        .iter()
        .map(|word| {
            counts.get(word.as_str()).copied().ok_or_else(|| {
                let message = format!("{word:?} has a vector but is not in this vocabulary file");
                Error::format(path, None, message)
            })
        })
        .collect::<Result<Vec<u64>>>()?;
    let words = vocab.words().to_vec();
    Embeddings::new(Vocab::from_ordered(words, row_counts), dim, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocab {
        Vocab::from_ordered(vec!["the".into(), "cat".into(), "é".into()], vec![10, 4, 4])
    }

    fn read_text(text: &[u8]) -> Result<Vec<(String, u64)>> {
        read_from(text, Path::new("vocab.txt"))
    }

    #[test]
    fn writes_word2vec_c_lines_and_reads_them_back() {
        let mut bytes = Vec::new();
        write_to(&vocab(), &mut bytes, Path::new("v")).unwrap();
        assert_eq!(bytes, "the 10\ncat 4\né 4\n".as_bytes());
        let pairs = read_text(&bytes).unwrap();
        assert_eq!(
            pairs,
            vec![("the".into(), 10), ("cat".into(), 4), ("é".into(), 4)]
        );
    }

    #[test]
    fn reads_tabs_crlf_and_blank_lines() {
        let pairs = read_text(b"the\t10\r\n\ncat 4\n").unwrap();
        assert_eq!(pairs, vec![("the".into(), 10), ("cat".into(), 4)]);
    }

    #[test]
    fn refuses_malformed_lines_naming_them() {
        let cases: [(&[u8], &str); 5] = [
            (b"the 10\ncat\n", "vocab.txt:2: expected"),
            (b"the 10 3\n", "expected `word count`"),
            (b"the ten\n", "not a whole number"),
            (b"the 10\ncat -4\n", "\"-4\""),
            (b"the 10\ncat 2\nthe 1\n", "listed twice (first on line 1)"),
        ];
        for (text, expected) in cases {
            let error = read_text(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
        let error = read_text(b"the 10\nc\xffat 2\n").unwrap_err().to_string();
        assert!(
            error.contains("vocab.txt:2:") && error.contains("UTF-8"),
            "{error}"
        );
    }

    #[test]
    fn refuses_to_write_a_word_no_reader_could_split() {
        let vocab = Vocab::from_ordered(vec!["new york".into()], vec![3]);
        let error = write_to(&vocab, Vec::new(), Path::new("v")).unwrap_err();
        assert!(error.to_string().contains("whitespace"), "{error}");
    }

    #[test]
    fn counts_go_to_their_rows_and_keep_the_order() {
        let words = vec!["cat".into(), "the".into()];
        let rows = Vocab::from_ordered(words, vec![2, 1]);
        let emb = Embeddings::new(rows, 1, vec![1.0, 2.0]).unwrap();
        let pairs = vec![("the".into(), 10), ("cat".into(), 4), ("dog".into(), 9)];
        let counted = with_counts(emb.clone(), &pairs, Path::new("v")).unwrap();
        assert_eq!(counted.vocab().words(), ["cat", "the"]);
        assert_eq!(counted.vocab().counts(), [4, 10]);
        assert_eq!(counted.as_slice(), emb.as_slice());
        let error = with_counts(emb, &pairs[..1], Path::new("v")).unwrap_err();
        assert!(
            error.to_string().contains("\"cat\" has a vector"),
            "{error}"
        );
    }
}
