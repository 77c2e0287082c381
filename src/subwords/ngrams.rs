//! Character n-grams and their hashed rows, exactly as fastText computes them
//! (`Dictionary::computeSubwords` and `Dictionary::hash` in its `src/dictionary.cc`).

use crate::error::{Error, Result};

/// Longest n-gram vectrain trains or reads, in characters. fastText's default is 6; a word's
/// n-grams cost time quadratic in `maxn`, so neither an option nor a crafted file may set it
/// to thousands.
pub const MAX_MAXN: usize = 64;

/// The n-gram settings of a subword model, named as fastText names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubwordSettings {
    /// Shortest n-gram, in characters (fastText `-minn`, default 3).
    pub minn: usize,
    /// Longest n-gram, in characters (fastText `-maxn`, default 6); 0 turns n-grams off.
    pub maxn: usize,
    /// Rows the n-grams are hashed into (fastText `-bucket`, default 2,000,000).
    pub bucket: u32,
}

impl Default for SubwordSettings {
    fn default() -> SubwordSettings {
        SubwordSettings {
            minn: 3,
            maxn: 6,
            bucket: 2_000_000,
        }
    }
}

impl SubwordSettings {
    /// Checks the settings as fastText's own argument checks would, naming the option at fault.
    pub fn check(self) -> Result<SubwordSettings> {
        if self.maxn > 0 && self.minn == 0 {
            return Err(invalid(
                "minn",
                "must be at least 1 when --maxn is above 0".into(),
            ));
        }
        if self.maxn > 0 && self.minn > self.maxn {
            return Err(invalid(
                "minn",
                format!("{} is larger than --maxn ({})", self.minn, self.maxn),
            ));
        }
        if self.maxn > MAX_MAXN {
            return Err(invalid(
                "maxn",
                format!(
                    "{} is above the {MAX_MAXN} characters vectrain supports",
                    self.maxn
                ),
            ));
        }
        if self.maxn > 0 && self.bucket == 0 {
            return Err(invalid(
                "bucket",
                "must be above 0 when --maxn is above 0".into(),
            ));
        }
        // fastText stores the bucket count and row ids as int32.
        if self.bucket > i32::MAX as u32 {
            return Err(invalid(
                "bucket",
                format!("{} is above fastText's limit of {}", self.bucket, i32::MAX),
            ));
        }
        Ok(self)
    }

    /// True when words have n-grams at all.
    pub fn has_ngrams(&self) -> bool {
        self.maxn > 0 && self.bucket > 0
    }
}

fn invalid(option: &'static str, reason: String) -> Error {
    Error::InvalidOption { option, reason }
}

/// fastText's hash: 32-bit FNV-1a over the bytes, each byte sign-extended to 32 bits first
/// (fastText hashes `char`, which is signed on the platforms it is built for). gensim 4 does
/// the same, so bytes above 0x7F hash the same in all three.
pub fn fasttext_hash(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 2_166_136_261;
    for &byte in bytes {
        hash ^= byte as i8 as i32 as u32;
        hash = hash.wrapping_mul(16_777_619);
    }
    hash
}

/// Calls `visit` with each n-gram of `<word>` (the word between fastText's boundary markers),
/// in fastText's order: by start position, then by length. Lengths count characters (a UTF-8
/// lead byte with its continuation bytes), not bytes; a 1-gram made of a boundary marker alone
/// is left out, as in fastText. A word with repeated n-grams gives each occurrence.
pub fn for_each_ngram(word: &str, minn: usize, maxn: usize, mut visit: impl FnMut(&[u8])) {
    if maxn == 0 {
        return;
    }
    let mut marked = Vec::with_capacity(word.len() + 2);
    marked.push(b'<');
    marked.extend_from_slice(word.as_bytes());
    marked.push(b'>');
    let continuation = |b: u8| b & 0xC0 == 0x80;
    for start in 0..marked.len() {
        if continuation(marked[start]) {
            continue;
        }
        let mut end = start;
        for length in 1..=maxn {
            if end >= marked.len() {
                break;
            }
            end += 1;
            while end < marked.len() && continuation(marked[end]) {
                end += 1;
            }
            let boundary_alone = length == 1 && (start == 0 || end == marked.len());
            if length >= minn && !boundary_alone {
                visit(&marked[start..end]);
            }
        }
    }
}

/// The input-table rows of a word's n-grams: `vocab_size + hash % bucket` for each n-gram, in
/// fastText's order (repeats kept, so they weigh in the mean as often as they occur).
pub fn ngram_rows(word: &str, settings: &SubwordSettings, vocab_size: usize, rows: &mut Vec<u32>) {
    if !settings.has_ngrams() {
        return;
    }
    for_each_ngram(word, settings.minn, settings.maxn, |ngram| {
        rows.push(vocab_size as u32 + fasttext_hash(ngram) % settings.bucket);
    });
}

/// fastText's end-of-sentence word: in its vocabulary, with its own row only.
pub const END_OF_SENTENCE: &str = "</s>";

/// Every vocabulary word's input rows, its own id first and then its n-gram rows (fastText's
/// `initNgrams`), stored flat: word `i`'s rows are `rows[offsets[i]..offsets[i + 1]]`. The input
/// table has `vocab_size + bucket` rows. Flat arrays so that a GPU kernel can take them as
/// two storage buffers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubwordIndex {
    /// The settings the rows were computed with.
    pub settings: SubwordSettings,
    /// Start of each word's rows in `rows`, and the end of the last: `vocab_size + 1` entries.
    pub offsets: Vec<u32>,
    /// The rows of every word, one after the other.
    pub rows: Vec<u32>,
}

impl SubwordIndex {
    /// The rows of every word of `words` (the vocabulary in id order).
    pub fn new<S: AsRef<str>>(words: &[S], settings: SubwordSettings) -> Result<SubwordIndex> {
        let settings = settings.check()?;
        let table_rows = words.len() as u64 + u64::from(settings.bucket);
        if table_rows > u64::from(u32::MAX) {
            return Err(invalid(
                "bucket",
                format!(
                    "{} words plus {} buckets are more rows than 32-bit row ids address",
                    words.len(),
                    settings.bucket
                ),
            ));
        }
        let mut offsets = Vec::with_capacity(words.len() + 1);
        let mut rows = Vec::new();
        offsets.push(0);
        for (id, word) in words.iter().enumerate() {
            rows.push(id as u32);
            // fastText gives its end-of-sentence word no n-grams (`initNgrams`).
            if word.as_ref() != END_OF_SENTENCE {
                ngram_rows(word.as_ref(), &settings, words.len(), &mut rows);
            }
            if rows.len() > u32::MAX as usize {
                return Err(invalid(
                    "maxn",
                    "the words' n-gram lists exceed 2^32 entries".into(),
                ));
            }
            offsets.push(rows.len() as u32);
        }
        Ok(SubwordIndex {
            settings,
            offsets,
            rows,
        })
    }

    /// Words indexed.
    pub fn vocab_size(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Rows of the input table: the words, then the buckets.
    pub fn table_rows(&self) -> usize {
        self.vocab_size() + self.settings.bucket as usize
    }

    /// Word `id`'s input rows: its own, then its n-grams'.
    pub fn word_rows(&self, id: usize) -> &[u32] {
        &self.rows[self.offsets[id] as usize..self.offsets[id + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ngrams(word: &str, minn: usize, maxn: usize) -> Vec<String> {
        let mut out = Vec::new();
        for_each_ngram(word, minn, maxn, |g| {
            out.push(String::from_utf8(g.to_vec()).unwrap())
        });
        out
    }

    #[test]
    fn fnv1a_of_known_strings() {
        // FNV-1a 32 reference values; ASCII bytes are the same signed or not.
        assert_eq!(fasttext_hash(b""), 0x811c_9dc5);
        assert_eq!(fasttext_hash(b"a"), 0xe40c_292c);
        assert_eq!(fasttext_hash(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn bytes_above_0x7f_are_sign_extended() {
        // Plain FNV-1a would xor 0xC3; fastText xors 0xFFFFFFC3.
        let expected = (2_166_136_261u32 ^ 0xFFFF_FFC3).wrapping_mul(16_777_619);
        assert_eq!(fasttext_hash(&[0xC3]), expected);
    }

    #[test]
    fn ngrams_in_fasttext_order() {
        assert_eq!(ngrams("ab", 3, 6), ["<ab", "<ab>", "ab>"]);
        assert_eq!(ngrams("ab", 1, 2), ["<a", "a", "ab", "b", "b>"]);
        assert!(ngrams("word", 3, 0).is_empty());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        // "é" is two bytes but one character.
        assert_eq!(ngrams("é", 3, 3), ["<é>"]);
        assert_eq!(ngrams("日本", 2, 2), ["<日", "日本", "本>"]);
    }

    #[test]
    fn index_puts_the_word_first_then_its_ngrams() {
        let settings = SubwordSettings {
            minn: 3,
            maxn: 3,
            bucket: 10,
        };
        let index = SubwordIndex::new(&["ab", "aaaa"], settings).unwrap();
        assert_eq!(index.table_rows(), 12);
        let ab = index.word_rows(0);
        assert_eq!(ab.len(), 1 + 2);
        assert_eq!(ab[0], 0);
        assert_eq!(ab[1], 2 + fasttext_hash(b"<ab") % 10);
        // "<aaaa>": <aa, aaa, aaa, aa> — the repeat is kept.
        let aaaa = index.word_rows(1);
        assert_eq!(aaaa.len(), 1 + 4);
        assert_eq!(aaaa[2], aaaa[3]);
    }

    #[test]
    fn bad_settings_name_the_option() {
        let bad = SubwordSettings {
            minn: 5,
            maxn: 3,
            bucket: 10,
        };
        assert!(bad.check().unwrap_err().to_string().contains("--minn"));
        let no_bucket = SubwordSettings {
            bucket: 0,
            ..SubwordSettings::default()
        };
        assert!(
            no_bucket
                .check()
                .unwrap_err()
                .to_string()
                .contains("--bucket")
        );
    }
}
