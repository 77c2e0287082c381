//! One share of a corpus file that several processes train together (a distributed run).
//!
//! Each process reads the lines whose first byte lies in its own byte range of the file, so
//! the shares cover the file once without anyone reading all of it. The vocabulary must be
//! the same everywhere, and the shares should hold equal numbers of tokens, so a share is
//! read in three steps: count its words, noting where its lines start
//! ([`Corpus::count_share`]); merge every share's counts ([`WordCounts::merge`]) and cut the
//! file anew at line starts into ranges of equal tokens ([`balanced_ranges`]), the caller's
//! job (over MPI, say); then encode the lines of the share's new range with the vocabulary
//! of the merged counts ([`Corpus::read_share`]).

use std::io::{BufRead, Read, Seek};
use std::path::Path;

use crate::corpus::source::TextSource;
use crate::corpus::{Corpus, CorpusStats, ReadOptions, ReadPass, cache, count, source};
use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Share `index` of `count` equal byte ranges of a corpus file, cut at line boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    /// Which share, from 0.
    pub index: usize,
    /// How many shares the file is cut into.
    pub count: usize,
}

impl Share {
    /// The byte range of this share in a file of `len` bytes: the share reads the lines that
    /// start in it.
    pub fn byte_range(&self, len: u64) -> std::ops::Range<u64> {
        let count = self.count.max(1) as u128;
        let at = |index: usize| (index as u128 * len as u128 / count) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// [`Share::byte_range`] of the file at `path`; an error for a share past the count.
    fn range_in(&self, path: &Path) -> Result<std::ops::Range<u64>> {
        if self.index >= self.count {
            return Err(Error::Mismatch(format!(
                "share {} of {} does not exist",
                self.index, self.count
            )));
        }
        Ok(self.byte_range(file_len(path)?))
    }
}

/// The first pass's word counts of some text, to merge with other shares' counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordCounts {
    /// Each word with its count, in no particular order.
    pub counts: Vec<(String, u64)>,
    /// What reading saw, `pruned_below` included.
    pub stats: CorpusStats,
}

impl WordCounts {
    /// The counts of every share together, pruned to `limit` distinct words as one process's
    /// first pass would be ([`ReadOptions::count_limit`]). The result does not depend on
    /// the order of `parts`, so every process that merges the same parts gets the same
    /// vocabulary.
    pub fn merge(parts: Vec<WordCounts>, limit: usize) -> WordCounts {
        let counted = count::merge_counted(parts.into_iter().map(WordCounts::into_counted), limit);
        WordCounts::from_counted(counted)
    }

    fn from_counted(counted: count::Counted) -> WordCounts {
        let mut stats = counted.stats;
        stats.pruned_below = counted.pruned_below;
        WordCounts {
            counts: counted.counts.into_iter().collect(),
            stats,
        }
    }

    fn into_counted(self) -> count::Counted {
        count::Counted {
            pruned_below: self.stats.pruned_below,
            counts: self.counts.into_iter().collect(),
            stats: self.stats,
        }
    }

    /// The counts as bytes, to send to other processes ([`WordCounts::from_bytes`] reads
    /// them back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        let s = &self.stats;
        for value in [
            s.lines,
            s.raw_tokens,
            s.distinct_words as u64,
            s.lossy_tokens,
            s.truncated_tokens,
            s.split_lines,
            s.pruned_below,
            self.counts.len() as u64,
        ] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        for (word, count) in &self.counts {
            bytes.extend_from_slice(&(word.len() as u32).to_le_bytes());
            bytes.extend_from_slice(word.as_bytes());
            bytes.extend_from_slice(&count.to_le_bytes());
        }
        bytes
    }

    /// Reads what [`WordCounts::to_bytes`] wrote; `None` when the bytes are not such.
    pub fn from_bytes(mut bytes: &[u8]) -> Option<WordCounts> {
        let u64_of = |bytes: &mut &[u8]| -> Option<u64> {
            let (head, rest) = bytes.split_first_chunk::<8>()?;
            *bytes = rest;
            Some(u64::from_le_bytes(*head))
        };
        let mut header = [0u64; 8];
        for value in &mut header {
            *value = u64_of(&mut bytes)?;
        }
        let [
            lines,
            raw_tokens,
            distinct,
            lossy,
            truncated,
            split,
            pruned,
            words,
        ] = header;
        let mut counts = Vec::with_capacity((words as usize).min(bytes.len() / 13));
        for _ in 0..words {
            let (len, rest) = bytes.split_first_chunk::<4>()?;
            let len = u32::from_le_bytes(*len) as usize;
            let word = std::str::from_utf8(rest.get(..len)?).ok()?.to_owned();
            bytes = &rest[len..];
            counts.push((word, u64_of(&mut bytes)?));
        }
        bytes.is_empty().then_some(WordCounts {
            counts,
            stats: CorpusStats {
                lines,
                raw_tokens,
                distinct_words: distinct as usize,
                lossy_tokens: lossy,
                truncated_tokens: truncated,
                split_lines: split,
                pruned_below: pruned,
            },
        })
    }
}

/// Where a line of a share starts and how many tokens of the share come before it: what
/// [`balanced_ranges`] cuts the file by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinePoint {
    /// The line's first byte in the file.
    pub byte: u64,
    /// Tokens of the share before it.
    pub tokens: u64,
}

/// What counting a share found: its word counts, and where its lines start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShareCount {
    /// The share's word counts.
    pub words: WordCounts,
    /// Line starts about every [`ShareCount::STEP_FRACTION`]th of the share, in order.
    pub lines: Vec<LinePoint>,
    /// The share's tokens.
    pub tokens: u64,
}

impl ShareCount {
    /// Line starts are noted about this many times per share, so that shares cut at them are
    /// equal to about a hundred-thousandth.
    pub const STEP_FRACTION: u64 = 100_000;

    /// The line starts and token total as bytes ([`ShareCount::lines_from_bytes`] reads
    /// them back).
    pub fn lines_to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.tokens.to_le_bytes().to_vec();
        for point in &self.lines {
            bytes.extend_from_slice(&point.byte.to_le_bytes());
            bytes.extend_from_slice(&point.tokens.to_le_bytes());
        }
        bytes
    }

    /// Reads what [`ShareCount::lines_to_bytes`] wrote: `(lines, tokens)`.
    pub fn lines_from_bytes(bytes: &[u8]) -> Option<(Vec<LinePoint>, u64)> {
        if bytes.len() % 16 != 8 {
            return None;
        }
        let number =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let lines = (8..bytes.len())
            .step_by(16)
            .map(|at| LinePoint {
                byte: number(at),
                tokens: number(at + 8),
            })
            .collect();
        Some((lines, number(0)))
    }
}

/// Byte ranges of a file of `len` bytes holding about equal numbers of tokens, one per
/// share, cut at line starts: from every share's line starts and token total, in share
/// order (what [`Corpus::count_share`] gives each). Every process that computes them from
/// the same counts gets the same ranges.
pub fn balanced_ranges(shares: &[(Vec<LinePoint>, u64)], len: u64) -> Vec<std::ops::Range<u64>> {
    let total: u64 = shares.iter().map(|(_, tokens)| tokens).sum();
    let parts = shares.len().max(1) as u128;
    // Every line start with the tokens of the whole file before it.
    let mut before = 0u64;
    let mut points = Vec::new();
    for (lines, tokens) in shares {
        points.extend(lines.iter().map(|p| (p.byte, before + p.tokens)));
        before += tokens;
    }
    let mut cuts = vec![0u64];
    for part in 1..shares.len() {
        let due = (u128::from(total) * part as u128 / parts) as u64;
        // The first noted line start at or past the due token; the file's end if none.
        let at = points.partition_point(|&(_, tokens)| tokens < due);
        let cut = points.get(at).map_or(len, |&(byte, _)| byte);
        cuts.push(cut.max(*cuts.last().unwrap_or(&0)));
    }
    cuts.push(len);
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

impl Corpus {
    /// Counts the words of `share` of the file at `path`, on every core, noting where its
    /// lines start (the first of the steps in [`share`](self)'s docs). The file must be
    /// plain text: a gzip stream cannot be cut into byte ranges.
    pub fn count_share(path: &Path, options: &ReadOptions, share: Share) -> Result<ShareCount> {
        let range = share.range_in(path)?;
        let start = line_start_at(path, range.start)?;
        let text = share_text(path, start..range.end)?;
        let step = ((range.end - range.start) / ShareCount::STEP_FRACTION).max(256) as usize;
        let workers = options.workers();
        let mut lines = Vec::new();
        let (mut byte, mut tokens) = (start, 0u64);
        let counters = source::for_each_block(
            &text,
            path,
            workers,
            options.report(ReadPass::Counting),
            || count::Counter::new(options.lowercase, options.count_limit / workers),
            |counter, block| (counter.count_noting_lines(block, step), block.len()),
            |((points, block_tokens), block_len)| {
                lines.extend(points.into_iter().map(|(offset, before)| LinePoint {
                    byte: byte + offset as u64,
                    tokens: tokens + before,
                }));
                byte += block_len as u64;
                tokens += block_tokens;
                Ok(())
            },
        )?;
        let counted = count::merge(counters, options.count_limit);
        Ok(ShareCount {
            words: WordCounts::from_counted(counted),
            lines,
            tokens,
        })
    }

    /// The lines of the file at `path` starting in `range` (this process's share, from
    /// [`balanced_ranges`]), encoded with the vocabulary of `counts`, the merged counts of
    /// every share: into memory, or with [`ReadOptions::cache_dir`] into a cache file of
    /// its own. The corpus's statistics are the merged ones (the whole file's).
    pub fn read_share(
        path: &Path,
        options: &ReadOptions,
        share: Share,
        range: std::ops::Range<u64>,
        counts: WordCounts,
    ) -> Result<Corpus> {
        let text = share_text(path, range)?;
        Corpus::encode_share(&text, path, options, share, || {
            Corpus::vocab_of(counts.into_counted(), path, options)
        })
    }

    /// The lines starting in `share`'s equal byte range of the file at `path`, encoded with
    /// the vocabulary given in `options` ([`ReadOptions::vocab`], which must be there): no
    /// counting pass, so each process reads its own bytes once and nothing else. The
    /// statistics are the share's own.
    pub fn read_given_share(path: &Path, options: &ReadOptions, share: Share) -> Result<Corpus> {
        let Some(given) = &options.vocab else {
            return Err(Error::Mismatch(
                "a share read with a given vocabulary needs one (ReadOptions::vocab)".into(),
            ));
        };
        let range = share.range_in(path)?;
        let text = share_text(path, line_start_at(path, range.start)?..range.end)?;
        Corpus::encode_share(&text, path, options, share, || {
            Corpus::given_vocab(given, options)
        })
    }

    /// The second pass over a share's `text` with the vocabulary `count` gives: into memory,
    /// or with [`ReadOptions::cache_dir`] into the share's cache file.
    fn encode_share(
        text: &TextSource<'_>,
        path: &Path,
        options: &ReadOptions,
        share: Share,
        count: impl FnOnce() -> Result<(Vocab, CorpusStats)>,
    ) -> Result<Corpus> {
        match &options.cache_dir {
            None => {
                let (vocab, stats) = count()?;
                Corpus::encode_in_memory(text, path, options, vocab, stats)
            }
            Some(dir) => {
                let key = share_key(path, options, share)?;
                let cache_path = cache::path_in(dir, path, key);
                Corpus::cached_or_encode(text, path, &cache_path, key, options, count)
            }
        }
    }

    /// `share` from its cache file, if an earlier run of the same file and settings wrote
    /// it (every process must have its own to skip counting: the caller checks they all do).
    pub fn cached_share(
        path: &Path,
        options: &ReadOptions,
        share: Share,
    ) -> Result<Option<Corpus>> {
        let Some(dir) = &options.cache_dir else {
            return Ok(None);
        };
        let key = share_key(path, options, share)?;
        Corpus::open_cached(path, &cache::path_in(dir, path, key), key, false)
    }
}

/// The cache key of a share: the whole file's, with the share (the vocabulary follows from
/// the whole file and the settings, which the file's key covers).
fn share_key(path: &Path, options: &ReadOptions, share: Share) -> Result<u64> {
    let key = cache::key(path, options)?;
    let mixed = [share.index as u64, share.count as u64]
        .iter()
        .fold(key, |hash, value| {
            (hash ^ value).wrapping_mul(0x0000_0100_0000_01b3)
        });
    Ok(mixed)
}

/// The length of the file at `path`.
fn file_len(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .map_err(|e| Error::io("read", path, e))?
        .len())
}

/// The first line start at or after byte `at` of the file at `path` (its length if none).
fn line_start_at(path: &Path, at: u64) -> Result<u64> {
    if at == 0 {
        return Ok(0);
    }
    let io = |e| Error::io("read", path, e);
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut reader = std::io::BufReader::new(file);
    reader.seek(std::io::SeekFrom::Start(at - 1)).map_err(io)?;
    let mut skipped = Vec::new();
    let read = reader.read_until(b'\n', &mut skipped).map_err(io)?;
    Ok(at - 1 + read as u64)
}

/// The lines starting in `range` of the plain-text file at `path`.
fn share_text(path: &Path, range: std::ops::Range<u64>) -> Result<TextSource<'static>> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut magic = [0u8; 2];
    let read = file
        .read(&mut magic)
        .map_err(|e| Error::io("read", path, e))?;
    if read == 2 && magic == [0x1f, 0x8b] {
        return Err(Error::format(
            path,
            None,
            "a distributed run reads byte ranges of the corpus, which a gzip file does not allow: decompress it first",
        ));
    }
    Ok(TextSource::FileLines(path.to_path_buf(), range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_survive_bytes() {
        let counts = WordCounts {
            counts: vec![("god".into(), 7), ("é".into(), 1)],
            stats: CorpusStats {
                lines: 3,
                raw_tokens: 8,
                distinct_words: 2,
                pruned_below: 1,
                ..CorpusStats::default()
            },
        };
        let bytes = counts.to_bytes();
        assert_eq!(WordCounts::from_bytes(&bytes), Some(counts));
        assert_eq!(WordCounts::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(WordCounts::from_bytes(&[1, 2, 3]), None);
    }

    #[test]
    fn byte_ranges_tile_the_file() {
        for count in 1..6 {
            let ranges: Vec<_> = (0..count)
                .map(|index| Share { index, count }.byte_range(1001))
                .collect();
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges[count - 1].end, 1001);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        }
    }

    #[test]
    fn balanced_ranges_cut_at_noted_lines_by_tokens() {
        let point = |byte, tokens| LinePoint { byte, tokens };
        // Two shares of a 100-byte file: the first holds 90 of the 100 tokens.
        let shares = vec![
            (vec![point(10, 20), point(30, 45), point(40, 60)], 90),
            (vec![point(60, 4)], 10),
        ];
        assert_eq!(balanced_ranges(&shares, 100), vec![0..40, 40..100]);
        // Three parts: cuts at the first noted line with at least 33 and 66 tokens before it.
        let three = vec![shares[0].clone(), shares[1].clone(), (vec![], 0)];
        assert_eq!(balanced_ranges(&three, 100), vec![0..30, 30..60, 60..100]);
        let bytes = ShareCount {
            lines: shares[0].0.clone(),
            tokens: 90,
            ..ShareCount::default()
        }
        .lines_to_bytes();
        assert_eq!(
            ShareCount::lines_from_bytes(&bytes),
            Some(shares[0].clone())
        );
    }
}
