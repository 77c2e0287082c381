//! The second pass: how often each pair of words frequent enough to join occurs side by
//! side, in bounded memory (pruned as the first pass prunes words, `corpus::count`).

use std::collections::HashMap;
use std::path::Path;

use super::{PhraseOptions, pair_key};
use crate::corpus::{ReadPass, TextSource, TokenSink, Tokenizer, for_each_block};
use crate::error::Result;
use crate::vocab::Vocab;

/// One worker's pair counts.
struct PairCounter<'a> {
    tokenizer: Tokenizer,
    table: PairTable<'a>,
}

/// Pair counts with a bound on distinct pairs, fed a sentence's tokens in order.
struct PairTable<'a> {
    words: &'a Vocab,
    /// The id of the token before, where it is a word that can join.
    previous: Option<u32>,
    counts: HashMap<u64, u64>,
    limit: usize,
    floor: u64,
}

impl TokenSink for PairTable<'_> {
    fn token(&mut self, word: &str) {
        let id = self.words.id(word);
        if let (Some(a), Some(b)) = (self.previous, id) {
            *self.counts.entry(pair_key(a, b)).or_insert(0) += 1;
            if self.counts.len() > self.limit {
                self.prune();
            }
        }
        self.previous = id;
    }

    fn sentence_end(&mut self) {
        self.previous = None;
    }
}

impl PairTable<'_> {
    /// Drops the rarest pairs until at most 3/4 of the limit are left.
    fn prune(&mut self) {
        let target = self.limit - self.limit / 4;
        while self.counts.len() > target {
            self.floor += 1;
            let floor = self.floor;
            self.counts.retain(|_, count| *count > floor);
        }
    }

    fn add(&mut self, other: HashMap<u64, u64>) {
        for (key, count) in other {
            *self.counts.entry(key).or_insert(0) += count;
            if self.counts.len() > self.limit {
                self.prune();
            }
        }
    }
}

/// Counts the pairs of `words` side by side in `text`: the counts, and 0 or the largest
/// count of a pair pruning may have dropped.
pub(super) fn count_pairs(
    text: &TextSource<'_>,
    name: &Path,
    options: &PhraseOptions,
    words: &Vocab,
) -> Result<(HashMap<u64, u64>, u64)> {
    let read = options.read_options();
    let workers = read.workers();
    let table = |limit: usize| PairTable {
        words,
        previous: None,
        counts: HashMap::new(),
        limit: limit.max(16),
        floor: 0,
    };
    let counters = for_each_block(
        text,
        name,
        workers,
        options
            .progress
            .as_ref()
            .map(|p| (p, ReadPass::CountingPairs)),
        || PairCounter {
            tokenizer: Tokenizer::new(false),
            table: table(options.pair_limit / workers),
        },
        |counter, block| counter.tokenizer.feed_lines(block, &mut counter.table),
        |()| Ok(()),
    )?;
    let mut merged = table(options.pair_limit);
    let mut floor = 0;
    for counter in counters {
        floor = floor.max(counter.table.floor);
        merged.add(counter.table.counts);
    }
    Ok((merged.counts, floor.max(merged.floor)))
}
