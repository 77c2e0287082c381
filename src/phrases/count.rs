//! The second pass: how often each pair of words frequent enough to join occurs side by
//! side (or with only connector words between them), in bounded memory (pruned as the first
//! pass prunes words, `corpus::count`).

use std::hash::BuildHasherDefault;
use std::path::Path;

use super::PhraseOptions;
use super::connectors::{Between, Connectors, phrase_key};
use super::key_hash::{KeyHasher, KeyMap};
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
    connectors: &'a Connectors,
    /// The id of the last word that is not a connector word, where it can join.
    start: Option<u32>,
    /// The connector words since.
    between: Between,
    counts: BoundedCounts<u128, BuildHasherDefault<KeyHasher>>,
}

impl TokenSink for PairTable<'_> {
    fn token(&mut self, word: &str) {
        if let Some(code) = self.connectors.code(word) {
            if self.start.is_some() {
                self.between.push(code);
            }
            return;
        }
        let id = self.words.id(word);
        if let (Some(a), Some(b)) = (self.start, id) {
            if self.between.fits() {
                self.counts.add(phrase_key(a, self.between.packed(), b), 1);
            }
        }
        self.start = id;
        self.between = Between::default();
    }

    fn sentence_end(&mut self) {
        self.start = None;
        self.between = Between::default();
    }
}

/// Counts the pairs of `words` side by side in `text`, or with only `connectors` between
/// them: the counts by [`phrase_key`], and 0 or the largest count of a pair pruning may have
/// dropped.
pub(super) fn count_pairs(
    text: &TextSource<'_>,
    name: &Path,
    options: &PhraseOptions,
    words: &Vocab,
    connectors: &Connectors,
) -> Result<(KeyMap<u64>, u64)> {
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
                connectors,
                start: None,
                between: Between::default(),
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
