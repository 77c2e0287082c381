//! The first pass: word counts in bounded memory.
//!
//! Each worker counts the tokens of its blocks in a table of its own. When a table holds
//! more than its share of the limit, the words seen at most `floor` times so far are dropped
//! and `floor` grows by one, as word2vec.c's `ReduceVocab` does: memory stays bounded for
//! any number of distinct tokens, at the price of losing rare words (and undercounting words
//! that were rare early on). [`Counted::pruned_below`] says when that happened.

use std::collections::HashMap;

use crate::corpus::CorpusStats;
use crate::corpus::tokenize::{TokenSink, Tokenizer};

/// One worker's counts.
pub(crate) struct Counter {
    tokenizer: Tokenizer,
    table: WordTable,
}

/// Counts with a bound on distinct entries.
struct WordTable {
    counts: HashMap<String, u64>,
    limit: usize,
    floor: u64,
}

impl TokenSink for WordTable {
    fn token(&mut self, word: &str) {
        match self.counts.get_mut(word) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(word.to_owned(), 1);
                if self.counts.len() > self.limit {
                    self.prune();
                }
            }
        }
    }

    fn sentence_end(&mut self) {}
}

impl WordTable {
    /// Drops the rarest words until at most 3/4 of the limit are left.
    fn prune(&mut self) {
        let target = self.limit - self.limit / 4;
        while self.counts.len() > target {
            self.floor += 1;
            let floor = self.floor;
            self.counts.retain(|_, count| *count > floor);
        }
    }
}

impl Counter {
    /// A counter keeping at most `limit` distinct words (at least 16).
    pub fn new(lowercase: bool, limit: usize) -> Counter {
        Counter {
            tokenizer: Tokenizer::new(lowercase),
            table: WordTable {
                counts: HashMap::new(),
                limit: limit.max(16),
                floor: 0,
            },
        }
    }

    /// Counts the tokens of a block of whole lines.
    pub fn count(&mut self, block: &[u8]) {
        self.tokenizer.feed_lines(block, &mut self.table);
    }
}

/// The counts of a whole corpus.
pub(crate) struct Counted {
    /// Every word kept, with its count.
    pub counts: HashMap<String, u64>,
    /// What the tokenizers saw; `distinct_words` is the number of words kept.
    pub stats: CorpusStats,
    /// 0, or the largest count of a word that pruning may have dropped.
    pub pruned_below: u64,
}

/// Merges the counters of all workers, pruning the merged table to `limit` entries the same
/// way where it grows past it.
pub(crate) fn merge(counters: Vec<Counter>, limit: usize) -> Counted {
    let mut stats = CorpusStats::default();
    let mut merged = WordTable {
        counts: HashMap::new(),
        limit: limit.max(16),
        floor: 0,
    };
    for counter in counters {
        stats.add(&counter.tokenizer.stats);
        merged.floor = merged.floor.max(counter.table.floor);
        if merged.counts.is_empty() {
            merged.counts = counter.table.counts;
            continue;
        }
        for (word, count) in counter.table.counts {
            *merged.counts.entry(word).or_insert(0) += count;
        }
        if merged.counts.len() > merged.limit {
            merged.prune();
        }
    }
    stats.distinct_words = merged.counts.len();
    Counted {
        counts: merged.counts,
        stats,
        pruned_below: merged.floor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_bounds_the_table_and_keeps_frequent_words() {
        let mut counter = Counter::new(false, 16);
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("common w{i} common\n"));
        }
        counter.count(text.as_bytes());
        assert!(counter.table.counts.len() <= 16);
        assert!(counter.table.floor >= 1);
        let counted = merge(vec![counter], 16);
        assert_eq!(counted.counts.get("common"), Some(&2000));
        assert!(counted.pruned_below >= 1);
        assert_eq!(counted.stats.raw_tokens, 3000);
    }

    #[test]
    fn no_pruning_below_the_limit() {
        let mut a = Counter::new(true, 1000);
        let mut b = Counter::new(true, 1000);
        a.count(b"The cat\nthe dog\n");
        b.count(b"a CAT\n");
        let counted = merge(vec![a, b], 1000);
        assert_eq!(counted.pruned_below, 0);
        assert_eq!(counted.counts.get("the"), Some(&2));
        assert_eq!(counted.counts.get("cat"), Some(&2));
        assert_eq!(counted.stats.distinct_words, 4);
        assert_eq!(counted.stats.lines, 3);
    }
}
