//! The second pass: how often each pair of words frequent enough to join occurs side by
//! side, in bounded memory (pruned as the first pass prunes words, `corpus::count`).

use std::collections::HashMap;
use std::path::Path;

use super::{PhraseOptions, pair_key};
use crate::corpus::{BoundedCounts, ReadPass, TextSource, TokenSink, Tokenizer, for_each_block};
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
    counts: BoundedCounts<u64>,
}

impl TokenSink for PairTable<'_> {
    fn token(&mut self, word: &str) {
        let id = self.words.id(word);
        if let (Some(a), Some(b)) = (self.previous, id) {
            self.counts.add(pair_key(a, b), 1);
        }
        self.previous = id;
    }

    fn sentence_end(&mut self) {
        self.previous = None;
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
    let workers = options.read_options().workers();
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
            table: PairTable {
                words,
                previous: None,
                counts: BoundedCounts::new(options.pair_limit / workers),
            },
        },
        |counter, block| counter.tokenizer.feed_lines(block, &mut counter.table),
        |()| Ok(()),
    )?;
    let mut merged = BoundedCounts::new(options.pair_limit);
    for counter in counters {
        let counts = counter.table.counts;
        merged.merge(counts.counts, counts.floor);
    }
    Ok((merged.counts, merged.floor))
}
