//! The first pass: word counts in bounded memory.
//!
//! Each worker counts the tokens of its blocks in a table of its own. When a table holds
//! more than its share of the limit, the words seen at most `floor` times so far are dropped
//! and `floor` grows by one, as word2vec.c's `ReduceVocab` does: memory stays bounded for
//! any number of distinct tokens, at the price of losing rare words (and undercounting words
//! that were rare early on). [`Counted::pruned_below`] says when that happened.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};

use crate::corpus::CorpusStats;
use crate::corpus::tokenize::{TokenSink, Tokenizer};

/// One worker's counts.
pub(crate) struct Counter {
    tokenizer: Tokenizer,
    table: BoundedCounts<String>,
}

/// Counts with a bound on distinct keys: past the limit, the keys seen at most `floor`
/// times are dropped and `floor` grows by one, as word2vec.c's `ReduceVocab` does.
pub(crate) struct BoundedCounts<K, S = RandomState> {
    /// Each key kept, with its count.
    pub counts: HashMap<K, u64, S>,
    limit: usize,
    /// 0, or the largest count a dropped key may have had.
    pub floor: u64,
}

impl<K: Hash + Eq, S: BuildHasher + Default> BoundedCounts<K, S> {
    /// An empty table of at most `limit` keys (at least 16).
    pub fn new(limit: usize) -> Self {
        BoundedCounts {
            counts: HashMap::default(),
            limit: limit.max(16),
            floor: 0,
        }
    }

    /// Adds `count` to `key`'s.
    pub fn add(&mut self, key: K, count: u64) {
        *self.counts.entry(key).or_insert(0) += count;
        if self.counts.len() > self.limit {
            self.prune();
        }
    }

    /// Adds one to `key`'s count where it is counted already; false where it is not (so
    /// that a borrowed key is made owned only when new).
    pub fn bump<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.counts.get_mut(key).map(|count| *count += 1).is_some()
    }

    /// Adds the counts of `other`, whose pruning floor was `floor`.
    pub fn merge(&mut self, other: HashMap<K, u64, S>, floor: u64) {
        self.floor = self.floor.max(floor);
        if self.counts.is_empty() {
            self.counts = other;
        } else {
            for (key, count) in other {
                *self.counts.entry(key).or_insert(0) += count;
            }
        }
        if self.counts.len() > self.limit {
            self.prune();
        }
    }

    /// Drops the rarest keys until at most 3/4 of the limit are left.
    fn prune(&mut self) {
        let target = self.limit - self.limit / 4;
        while self.counts.len() > target {
            self.floor += 1;
            let floor = self.floor;
            self.counts.retain(|_, count| *count > floor);
        }
    }
}

impl TokenSink for BoundedCounts<String> {
    fn token(&mut self, word: &str) {
        if !self.bump(word) {
            self.add(word.to_owned(), 1);
        }
    }

    fn sentence_end(&mut self) {}
}

impl Counter {
    /// A counter keeping at most `limit` distinct words (at least 16).
    pub fn new(lowercase: bool, limit: usize) -> Counter {
        Counter {
            tokenizer: Tokenizer::new(lowercase),
            table: BoundedCounts::new(limit),
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
    let mut merged = BoundedCounts::new(limit);
    for part in parts {
        stats.add(&part.stats);
        merged.merge(part.counts, part.pruned_below);
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
