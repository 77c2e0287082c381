//! Reading one rank's share of the corpus with the vocabulary of the whole file.

use std::path::Path;

use crate::corpus::{Corpus, ReadOptions, Share, ShareCount, WordCounts, balanced_ranges};
use crate::distributed::Collective;
use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Reads this rank's share of the plain-text corpus at `path`. Every rank counts the lines
/// starting in its equal byte range ([`Share`]); the counts are gathered and merged, the
/// file is cut anew into ranges of equal tokens ([`balanced_ranges`]), and each rank encodes
/// the lines of its range with the merged vocabulary; a later run
/// with the same file and settings reuses every rank's cache file (only when every rank has
/// one, since counting needs them all). Fails when any rank's vocabulary differs from
/// rank 0's.
///
/// With a given vocabulary ([`ReadOptions::vocab`], `--read-vocab`) there is no counting:
/// each rank encodes the lines starting in its equal byte range ([`Corpus::read_given_share`])
/// and the ranks add up what they read, so the statistics are the whole file's either way.
pub fn read_corpus(
    path: &Path,
    options: &ReadOptions,
    collective: &mut dyn Collective,
) -> Result<Corpus> {
    let share = Share {
        index: collective.rank(),
        count: collective.size(),
    };
    // Every rank must get through this, or fail here with its own error; the ones that do
    // not fail then wait in the next collective call, and the launcher ends them.
    let cached = Corpus::cached_share(path, options, share)?;
    let mut have = [u64::from(cached.is_some())];
    collective.sum_u64(&mut have)?;
    let mut corpus = match cached {
        Some(corpus) if have[0] == collective.size() as u64 || options.vocab.is_some() => corpus,
        _ if options.vocab.is_some() => Corpus::read_given_share(path, options, share)?,
        _ => {
            let mine = Corpus::count_share(path, options, share)?;
            let unreadable = |rank: usize| {
                Error::Mismatch(format!("rank {rank} sent counts that cannot be read"))
            };
            let mut words = Vec::with_capacity(share.count);
            for (rank, bytes) in collective
                .gather(&mine.words.to_bytes())?
                .iter()
                .enumerate()
            {
                words.push(WordCounts::from_bytes(bytes).ok_or_else(|| unreadable(rank))?);
            }
            let mut lines = Vec::with_capacity(share.count);
            for (rank, bytes) in collective
                .gather(&mine.lines_to_bytes())?
                .iter()
                .enumerate()
            {
                lines.push(ShareCount::lines_from_bytes(bytes).ok_or_else(|| unreadable(rank))?);
            }
            let merged = WordCounts::merge(words, options.count_limit);
            let len = std::fs::metadata(path)
                .map_err(|e| Error::io("read", path, e))?
                .len();
            let range = balanced_ranges(&lines, len).swap_remove(share.index);
            Corpus::read_share(path, options, share, range, merged)?
        }
    };
    if options.vocab.is_some() {
        let stats = &mut corpus.stats;
        let fields = [
            &mut stats.lines,
            &mut stats.raw_tokens,
            &mut stats.lossy_tokens,
            &mut stats.truncated_tokens,
            &mut stats.split_lines,
        ];
        let mut read = fields.each_ref().map(|field| **field);
        collective.sum_u64(&mut read)?;
        for (field, sum) in fields.into_iter().zip(read) {
            *field = sum;
        }
    }
    let fingerprints = collective.gather(&vocab_fingerprint(&corpus.vocab).to_le_bytes())?;
    if let Some(rank) = fingerprints.iter().position(|f| f != &fingerprints[0]) {
        return Err(Error::Mismatch(format!(
            "rank {rank}'s vocabulary differs from rank 0's"
        )));
    }
    Ok(corpus)
}

/// A hash of a vocabulary's words, counts and order: equal on every rank of a run.
pub fn vocab_fingerprint(vocab: &Vocab) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for (word, count) in vocab.words().iter().zip(vocab.counts()) {
        feed(&(word.len() as u64).to_le_bytes());
        feed(word.as_bytes());
        feed(&count.to_le_bytes());
    }
    hash
}
