//! Vocabulary: word counts, min-count, frequency order, word <-> id.

use std::collections::HashMap;

/// Words in descending count (ties by word), with their counts and a word -> id map.
///
/// Ids are row numbers of the embedding tables: id 0 is the most frequent word.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: HashMap<String, u32>,
}

impl Vocab {
    /// Builds a vocabulary from `(word, count)` pairs, keeping words seen at least
    /// `min_count` times and then at most `max_vocab` of the most frequent.
    pub fn from_counts(
        counts: impl IntoIterator<Item = (String, u64)>,
        min_count: u64,
        max_vocab: Option<usize>,
    ) -> Vocab {
        let mut kept: Vec<(String, u64)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= min_count)
            .collect();
        kept.sort_unstable_by(|(wa, ca), (wb, cb)| cb.cmp(ca).then_with(|| wa.cmp(wb)));
        if let Some(max) = max_vocab {
            kept.truncate(max);
        }
        let (words, counts): (Vec<String>, Vec<u64>) = kept.into_iter().unzip();
        Vocab::from_ordered(words, counts)
    }

    /// A vocabulary in the given order (as read from a vector file). Counts may be all equal
    /// where the file has none. A repeated word keeps its first id.
    pub fn from_ordered(words: Vec<String>, counts: Vec<u64>) -> Vocab {
        debug_assert_eq!(words.len(), counts.len());
        let mut index = HashMap::with_capacity(words.len());
        for (id, word) in words.iter().enumerate() {
            index.entry(word.clone()).or_insert(id as u32);
        }
        Vocab {
            words,
            counts,
            index,
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when there is no word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of `word`, if present.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The word with id `id`. Panics if `id >= len()`, like slice indexing.
    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    /// All words, by id.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// All counts, by id.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Sum of all counts.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// A word of the vocabulary that `word` (not in it) may have meant: the most frequent
    /// one equal to it when both are lower-cased (`"King"` -> `"king"`), if any. Scans the
    /// whole vocabulary: for messages, not for lookups.
    pub fn case_folded(&self, word: &str) -> Option<&str> {
        let folded = word.to_lowercase();
        self.words
            .iter()
            .find(|w| w.as_str() != word && w.to_lowercase() == folded)
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_folded_suggests_the_most_frequent_spelling() {
        let words = ["the", "King", "king", "KING", "Paris"]
            .map(String::from)
            .to_vec();
        let vocab = Vocab::from_ordered(words, vec![9, 5, 4, 1, 1]);
        assert_eq!(vocab.case_folded("kInG"), Some("King"));
        assert_eq!(vocab.case_folded("PARIS"), Some("Paris"));
        assert_eq!(vocab.case_folded("pear"), None);
    }
}
