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

    /// Counts the tokens of a block of whole lines, noting about every `step` bytes where a
    /// line starts and how many tokens of the block come before it: `(offset, tokens)`
    /// pairs, then the block's tokens.
    pub fn count_noting_lines(&mut self, block: &[u8], step: usize) -> (Vec<(usize, u64)>, u64) {
        let before = self.tokenizer.stats.raw_tokens;
        let mut points = Vec::new();
        let mut at = 0;
        while at < block.len() {
            let end = match block[(at + step).min(block.len())..]
                .iter()
                .position(|&b| b == b'\n')
            {
                Some(newline) => (at + step).min(block.len()) + newline + 1,
                None => block.len(),
            };
            if at > 0 && block[at - 1] == b'\n' {
                points.push((at, self.tokenizer.stats.raw_tokens - before));
            }
            self.count(&block[at..end]);
            at = end;
        }
        (points, self.tokenizer.stats.raw_tokens - before)
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
    merge_counted(
        counters.into_iter().map(|counter| Counted {
            counts: counter.table.counts,
            stats: counter.tokenizer.stats,
            pruned_below: counter.table.floor,
        }),
        limit,
    )
}

/// Merges counts of parts of a text (workers' blocks, processes' shares), pruning the merged
/// table to `limit` entries where it grows past it.
pub(crate) fn merge_counted(parts: impl IntoIterator<Item = Counted>, limit: usize) -> Counted {
    let mut stats = CorpusStats::default();
    let mut merged = WordTable {
        counts: HashMap::new(),
        limit: limit.max(16),
        floor: 0,
    };
    for part in parts {
        stats.add(&part.stats);
        merged.floor = merged.floor.max(part.pruned_below);
        if merged.counts.is_empty() {
            merged.counts = part.counts;
        } else {
            for (word, count) in part.counts {
                *merged.counts.entry(word).or_insert(0) += count;
            }
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
