//! Connector words (gensim 4's `connector_words`): words such as "of" and "the" that may
//! stand inside a phrase ("bank_of_america") but never begin or end one. With none, a phrase
//! is two adjacent words.
//!
//! A phrase's key is a number: its two words' ids and the connector words between them,
//! packed [`CODE_BITS`] bits each, so that counting phrases allocates nothing per token.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// gensim's `ENGLISH_CONNECTOR_WORDS`: articles, prepositions and conjunctions.
pub const ENGLISH_CONNECTOR_WORDS: [&str; 15] = [
    "a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with",
    "without",
];

/// Bits of one connector word's code in a key.
const CODE_BITS: u32 = 6;
/// Connector words a set may hold: the codes 1 to 63 (0 is no word).
pub const MAX_CONNECTOR_WORDS: usize = (1 << CODE_BITS) - 1;
/// Connector words a phrase may hold between its two words: as many codes as 64 bits hold.
/// A longer run of connector words forms no phrase.
pub const MAX_BETWEEN: usize = 64 / CODE_BITS as usize;

/// A set of connector words, each with its code.
#[derive(Clone, Debug, Default)]
pub(super) struct Connectors {
    words: Vec<String>,
    codes: HashMap<String, u64>,
}

impl Connectors {
    /// The set of `words` (in their order: a word's code is its place plus one); refused
    /// where a word is empty, holds white space or is given twice, or there are too many.
    pub fn new(words: &[String]) -> Result<Connectors> {
        let refuse = |reason: String| Error::InvalidOption {
            option: "connector-words",
            reason,
        };
        if words.len() > MAX_CONNECTOR_WORDS {
            let reason = format!("at most {MAX_CONNECTOR_WORDS} words, not {}", words.len());
            return Err(refuse(reason));
        }
        let mut codes = HashMap::new();
        for (place, word) in words.iter().enumerate() {
            if word.is_empty() || word.chars().any(char::is_whitespace) {
                return Err(refuse(format!("{word:?} is not a word")));
            }
            if codes.insert(word.clone(), place as u64 + 1).is_some() {
                return Err(refuse(format!("{word:?} is given twice")));
            }
        }
        Ok(Connectors {
            words: words.to_vec(),
            codes,
        })
    }

    /// The words, in their order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The code of `word`, if it is a connector word.
    pub fn code(&self, word: &str) -> Option<u64> {
        if self.codes.is_empty() {
            return None;
        }
        self.codes.get(word).copied()
    }

    /// The connector word of `code`.
    fn word(&self, code: u64) -> &str {
        &self.words[code as usize - 1]
    }

    /// The words a packed run of codes stands for, in order.
    pub fn unpack(&self, mut packed: u64) -> Vec<String> {
        let mut words = Vec::new();
        while packed != 0 {
            words.push(self.word(packed & ((1 << CODE_BITS) - 1)).to_string());
            packed >>= CODE_BITS;
        }
        words.reverse();
        words
    }
}

/// The connector words between a phrase's first word and the word under way, packed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Between {
    packed: u64,
    len: usize,
}

impl Between {
    /// Adds a connector word's code; false where the run is too long to form a phrase.
    pub fn push(&mut self, code: u64) -> bool {
        self.len += 1;
        if self.len > MAX_BETWEEN {
            return false;
        }
        self.packed = (self.packed << CODE_BITS) | code;
        true
    }

    /// Whether the run can still form a phrase.
    pub fn fits(&self) -> bool {
        self.len <= MAX_BETWEEN
    }

    /// The packed codes.
    pub fn packed(&self) -> u64 {
        self.packed
    }
}

/// The key of the phrase `a`, the connector words `between`, `b`.
pub(super) fn phrase_key(a: u32, between: u64, b: u32) -> u128 {
    (u128::from(a) << 96) | (u128::from(between) << 32) | u128::from(b)
}

/// The parts of a key: first word id, packed connector words, second word id.
pub(super) fn key_parts(key: u128) -> (u32, u64, u32) {
    ((key >> 96) as u32, (key >> 32) as u64, key as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn keys_pack_and_unpack_runs_of_connector_words() {
        let connectors = Connectors::new(&words(&["of", "the", "and"])).unwrap();
        let mut between = Between::default();
        for word in ["of", "the", "the"] {
            assert!(between.push(connectors.code(word).unwrap()));
        }
        let key = phrase_key(7, between.packed(), u32::MAX);
        assert_eq!(key_parts(key), (7, between.packed(), u32::MAX));
        assert_eq!(connectors.unpack(between.packed()), ["of", "the", "the"]);
        assert_eq!(connectors.unpack(0), Vec::<String>::new());
        assert_eq!(connectors.code("bank"), None);
        let mut long = Between::default();
        let fits: Vec<bool> = (0..=MAX_BETWEEN).map(|_| long.push(1)).collect();
        assert_eq!(fits.iter().filter(|&&f| f).count(), MAX_BETWEEN);
        assert!(!long.fits());
    }

    #[test]
    fn bad_sets_are_refused() {
        for bad in [words(&["of", "of"]), words(&["", "a"]), words(&["a b"])] {
            assert!(Connectors::new(&bad).is_err(), "{bad:?}");
        }
        let many: Vec<String> = (0..64).map(|i| format!("w{i}")).collect();
        assert!(Connectors::new(&many).is_err());
        assert!(Connectors::new(&many[..63]).is_ok());
    }
}
