//! Text -> sentences of word ids, in two passes over the text: the first counts the
//! vocabulary in bounded memory, the second encodes the text as word ids (4 bytes a token)
//! into memory or into a cache file, from which every epoch then reads a chunk at a time.
//!
//! Both passes use every core: the text is cut into blocks of whole lines that worker
//! threads tokenize ([`tokenize`]'s rules are word2vec.c's). With a cache directory
//! ([`ReadOptions::cache_dir`]) the encoded corpus lives in a file there and memory does
//! not grow with the corpus; a later read of the same file with the same settings reuses
//! it without reading the text again.

mod cache;
mod count;
mod encode;
mod given;
mod progress;
mod share;
mod source;
mod stream;
mod tokenize;

use std::fmt;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;
use crate::vocab::Vocab;
pub(crate) use count::BoundedCounts;
pub use given::GivenVocab;
pub(crate) use progress::CountingReader;
pub use progress::{ReadPass, ReadProgress, ReadSnapshot};
pub use share::{LinePoint, Share, ShareCount, WordCounts, balanced_ranges};
pub(crate) use source::{TextSource, for_each_block};
pub use stream::{BLOCK_TOKENS, Block, SENTENCE_END};
use stream::{Stream, StreamBuilder, StreamSummary, WriteSink};
pub(crate) use tokenize::{TokenSink, Tokenizer, separates_tokens, token_text};

/// Lines longer than this many tokens are split, as word2vec.c and gensim do.
pub const MAX_SENTENCE_TOKENS: usize = 10_000;
/// Bytes of a token beyond this are dropped: bounds memory on input with no whitespace.
pub const MAX_TOKEN_BYTES: usize = 1_024;
/// Distinct words counted at once by default before the rarest are pruned (about 1 GiB).
pub const DEFAULT_COUNT_LIMIT: usize = 10_000_000;

/// How to read a corpus.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Lowercase every token.
    pub lowercase: bool,
    /// Drop words seen fewer times.
    pub min_count: u64,
    /// Keep at most this many of the most frequent words.
    pub max_vocab: Option<usize>,
    /// Distinct words the first pass counts at once; past it the rarest are pruned (see
    /// [`CorpusStats::pruned_below`]).
    pub count_limit: usize,
    /// Where to keep the encoded corpus (a file named after the corpus and its settings,
    /// reused by later reads); `None` keeps it in memory. Only [`Corpus::read`] uses it.
    pub cache_dir: Option<PathBuf>,
    /// Threads that tokenize; `None` uses every core.
    pub threads: Option<usize>,
    /// Where reading reports how far it has got (for a progress bar); `None` for nowhere.
    pub progress: Option<ReadProgress>,
    /// A vocabulary to use instead of counting the corpus (word2vec.c's `-read-vocab`);
    /// `min_count` and `max_vocab` apply to its counts.
    pub vocab: Option<Arc<GivenVocab>>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            lowercase: false,
            min_count: 5,
            max_vocab: None,
            count_limit: DEFAULT_COUNT_LIMIT,
            cache_dir: None,
            threads: None,
            progress: None,
            vocab: None,
        }
    }
}

impl ReadOptions {
    /// Where a pass reports its progress, if anywhere.
    fn report(&self, pass: ReadPass) -> Option<(&ReadProgress, ReadPass)> {
        self.progress.as_ref().map(|progress| (progress, pass))
    }

    pub(crate) fn workers(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }
}

/// What reading the corpus saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Lines read.
    pub lines: u64,
    /// Tokens read, before dropping rare words.
    pub raw_tokens: u64,
    /// Distinct words before min-count (those left after pruning, where it happened).
    pub distinct_words: usize,
    /// Tokens whose bytes were not valid UTF-8 (decoded with U+FFFD replacements).
    pub lossy_tokens: u64,
    /// Tokens cut at [`MAX_TOKEN_BYTES`].
    pub truncated_tokens: u64,
    /// Lines split because they had more than [`MAX_SENTENCE_TOKENS`] tokens.
    pub split_lines: u64,
    /// 0, or the largest count of a word the first pass may have pruned to stay within
    /// [`ReadOptions::count_limit`] (its counts are then approximate, as in word2vec.c).
    pub pruned_below: u64,
}

/// A corpus as word ids: the vocabulary, and the kept tokens in blocks of whole sentences.
pub struct Corpus {
    /// Where it was read from (for messages).
    pub source: PathBuf,
    /// The vocabulary, most frequent word first.
    pub vocab: Vocab,
    /// What reading saw.
    pub stats: CorpusStats,
    /// The cache file the tokens are read from, if any, and whether this read made it.
    pub cache: Option<(PathBuf, bool)>,
    stream: Stream,
    summary: StreamSummary,
}

impl fmt::Debug for Corpus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Corpus")
            .field("source", &self.source)
            .field("words", &self.vocab.len())
            .field("tokens", &self.summary.tokens)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Corpus {
    /// Reads a corpus file (plain UTF-8 text or gzip, detected by its first bytes), into
    /// memory or, with [`ReadOptions::cache_dir`], into a cache file reused by later reads.
    pub fn read(path: &Path, options: &ReadOptions) -> Result<Corpus> {
        let source = TextSource::file(path)?;
        match &options.cache_dir {
            None => Corpus::build_in_memory(&source, path, options),
            Some(dir) => Corpus::build_cached(&source, path, dir, options),
        }
    }

    /// Reads a corpus from any reader, into memory; `source` names it in errors. Gzip is
    /// detected. The text is held while it is read twice (count, then encode).
    pub fn from_reader(
        mut reader: impl Read,
        source: &Path,
        options: &ReadOptions,
    ) -> Result<Corpus> {
        let mut text = Vec::new();
        reader
            .read_to_end(&mut text)
            .map_err(|e| Error::io("read", source, e))?;
        Corpus::build_in_memory(&TextSource::Memory(&text), source, options)
    }

    /// The first pass: the vocabulary and what reading saw. With a given vocabulary there is
    /// no pass: its words and counts, and stats that the encoding pass fills in.
    fn count(
        text: &TextSource<'_>,
        name: &Path,
        options: &ReadOptions,
    ) -> Result<(Vocab, CorpusStats)> {
        match &options.vocab {
            Some(given) => Corpus::given_vocab(given, options),
            None => Corpus::vocab_of(Corpus::count_words(text, name, options)?, name, options),
        }
    }

    /// The first pass's word counts, on every core.
    pub(crate) fn count_words(
        text: &TextSource<'_>,
        name: &Path,
        options: &ReadOptions,
    ) -> Result<count::Counted> {
        let workers = options.workers();
        let share = options.count_limit / workers;
        let counters = source::for_each_block(
            text,
            name,
            workers,
            options.report(ReadPass::Counting),
            || count::Counter::new(options.lowercase, share),
            |counter, block| counter.count(block),
            |()| Ok(()),
        )?;
        Ok(count::merge(counters, options.count_limit))
    }

    /// The vocabulary of a whole text's counts, refusing a text with no word to keep.
    fn vocab_of(
        counted: count::Counted,
        name: &Path,
        options: &ReadOptions,
    ) -> Result<(Vocab, CorpusStats)> {
        let mut stats = counted.stats;
        stats.pruned_below = counted.pruned_below;
        if stats.raw_tokens == 0 {
            return Err(Error::EmptyCorpus {
                path: name.to_path_buf(),
            });
        }
        let vocab = Vocab::from_counts(counted.counts, options.min_count, options.max_vocab);
        if vocab.is_empty() {
            return Err(Error::EmptyVocabulary {
                path: name.to_path_buf(),
                min_count: options.min_count,
                distinct: stats.distinct_words,
            });
        }
        Ok((vocab, stats))
    }

    /// The second pass into `builder`.
    fn encode<S: stream::Sink>(
        text: &TextSource<'_>,
        name: &Path,
        options: &ReadOptions,
        vocab: &Vocab,
        builder: &mut StreamBuilder<S>,
    ) -> Result<CorpusStats> {
        let encoders = source::for_each_block(
            text,
            name,
            options.workers(),
            options.report(ReadPass::Encoding),
            || encode::Encoder::new(vocab, options.lowercase),
            |encoder, block| encoder.encode(block),
            |encoded| builder.put(&encoded),
        )?;
        let mut seen = CorpusStats::default();
        for encoder in &encoders {
            seen.add(encoder.seen());
        }
        Ok(seen)
    }

    fn build_in_memory(
        text: &TextSource<'_>,
        name: &Path,
        options: &ReadOptions,
    ) -> Result<Corpus> {
        let (vocab, stats) = Corpus::count(text, name, options)?;
        Corpus::encode_in_memory(text, name, options, vocab, stats)
    }

    /// The second pass into memory.
    fn encode_in_memory(
        text: &TextSource<'_>,
        name: &Path,
        options: &ReadOptions,
        vocab: Vocab,
        mut stats: CorpusStats,
    ) -> Result<Corpus> {
        let mut builder = StreamBuilder::new(Vec::new());
        let seen = Corpus::encode(text, name, options, &vocab, &mut builder)?;
        let (mut values, summary) = builder.finish();
        Corpus::encoded_stats(&mut stats, seen, summary.tokens, name, options)?;
        values.shrink_to_fit();
        Ok(Corpus {
            source: name.to_path_buf(),
            vocab,
            stats,
            cache: None,
            stream: Stream::Memory(values),
            summary,
        })
    }

    fn build_cached(
        text: &TextSource<'_>,
        path: &Path,
        dir: &Path,
        options: &ReadOptions,
    ) -> Result<Corpus> {
        let key = cache::key(path, options)?;
        let cache_path = cache::path_in(dir, path, key);
        Corpus::cached_or_encode(text, path, &cache_path, key, options, || {
            Corpus::count(text, path, options)
        })
    }

    /// The corpus in the cache file `cache_path` if it holds one under `key`; otherwise the
    /// text encoded into it with the vocabulary `count` gives.
    fn cached_or_encode(
        text: &TextSource<'_>,
        path: &Path,
        cache_path: &Path,
        key: u64,
        options: &ReadOptions,
        count: impl FnOnce() -> Result<(Vocab, CorpusStats)>,
    ) -> Result<Corpus> {
        if let Some(corpus) = Corpus::open_cached(path, cache_path, key, false)? {
            return Ok(corpus);
        }
        let (vocab, mut stats) = count()?;
        let mut file = AtomicFile::create(cache_path)?;
        let start = cache::write_head(&mut file, cache_path, key, &stats, &vocab)?;
        let mut builder = StreamBuilder::new(WriteSink::new(&mut file, cache_path));
        let seen = Corpus::encode(text, path, options, &vocab, &mut builder)?;
        let (_, summary) = builder.finish();
        if options.vocab.is_some() {
            Corpus::encoded_stats(&mut stats, seen, summary.tokens, path, options)?;
            file.overwrite_at(cache::STATS_OFFSET, &cache::stats_bytes(&stats))
                .map_err(|e| Error::io("write", cache_path, e))?;
        }
        let stream_bytes = 4 * summary.blocks.last().map_or(0, |b| b.offset);
        cache::write_tail(&mut file, cache_path, &summary, start + stream_bytes)?;
        file.flush()
            .map_err(|e| Error::io("write", cache_path, e))?;
        file.commit()?;
        Corpus::open_cached(path, cache_path, key, true)?.ok_or_else(|| {
            Error::format(
                cache_path,
                None,
                "the cache file just written cannot be read back",
            )
        })
    }

    /// The corpus of `path` held in `cache_path` under `key`, if the file is there and
    /// valid; `made` says whether this read wrote it.
    fn open_cached(path: &Path, cache_path: &Path, key: u64, made: bool) -> Result<Option<Corpus>> {
        let Some(cached) = cache::open(cache_path, key)? else {
            return Ok(None);
        };
        Ok(Some(Corpus {
            source: path.to_path_buf(),
            vocab: cached.vocab,
            stats: cached.stats,
            cache: Some((cache_path.to_path_buf(), made)),
            stream: Stream::File {
                file: cached.file,
                path: cache_path.to_path_buf(),
                start: cached.stream_start,
            },
            summary: cached.summary,
        }))
    }

    /// Number of kept tokens (corpus positions).
    pub fn len(&self) -> usize {
        self.summary.tokens as usize
    }

    /// True when no token was kept.
    pub fn is_empty(&self) -> bool {
        self.summary.tokens == 0
    }

    /// Number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.summary.sentences as usize
    }

    /// The blocks of whole sentences the corpus is cut into (of at least [`BLOCK_TOKENS`]
    /// tokens but the last), then one past the end.
    pub fn blocks(&self) -> &[Block] {
        &self.summary.blocks
    }

    /// CRC-32 of the encoded stream: with the token and sentence counts, what tells this
    /// text from another with the same vocabulary.
    pub fn crc(&self) -> u32 {
        self.summary.crc
    }

    /// Bytes held for the tokens (0 when they are read from a cache file).
    pub fn memory_bytes(&self) -> usize {
        self.stream.memory_bytes() + self.summary.blocks.capacity() * std::mem::size_of::<Block>()
    }

    /// Splits the blocks into runs of at least `target_tokens` tokens each (a block is never
    /// split, so runs are single blocks below [`BLOCK_TOKENS`]): the units of work of the
    /// trainers, as ranges of block indices.
    pub fn chunks(&self, target_tokens: usize) -> Vec<Range<usize>> {
        let blocks = &self.summary.blocks;
        let mut chunks = Vec::new();
        let mut first = 0;
        for index in 1..blocks.len() {
            if blocks[index].position - blocks[first].position >= target_tokens as u64 {
                chunks.push(first..index);
                first = index;
            }
        }
        if first + 1 < blocks.len() {
            chunks.push(first..blocks.len() - 1);
        }
        chunks
    }

    /// The corpus positions of the blocks in `chunk`: `start..end`.
    pub fn chunk_positions(&self, chunk: &Range<usize>) -> Range<u64> {
        let blocks = &self.summary.blocks;
        blocks[chunk.start].position..blocks[chunk.end].position
    }

    /// Calls `sentence` with each sentence of the blocks in `chunk`, in order, and the corpus
    /// position of its first token.
    pub fn for_each_sentence_in(
        &self,
        chunk: &Range<usize>,
        mut sentence: impl FnMut(&[u32], u64),
    ) -> Result<()> {
        let blocks = &self.summary.blocks;
        let (from, to) = (blocks[chunk.start].offset, blocks[chunk.end].offset);
        let mut position = blocks[chunk.start].position;
        let mut current: Vec<u32> = Vec::new();
        self.stream.visit(from, to, self.vocab.len(), |piece| {
            let mut rest = piece;
            while !rest.is_empty() {
                match rest.iter().position(|&v| v == SENTENCE_END) {
                    Some(end) if current.is_empty() => {
                        sentence(&rest[..end], position);
                        position += end as u64;
                        rest = &rest[end + 1..];
                    }
                    Some(end) => {
                        current.extend_from_slice(&rest[..end]);
                        sentence(&current, position);
                        position += current.len() as u64;
                        current.clear();
                        rest = &rest[end + 1..];
                    }
                    None => {
                        current.extend_from_slice(rest);
                        rest = &[];
                    }
                }
            }
        })
    }

    /// Calls `sentence` with every sentence of the corpus, in order.
    pub fn for_each_sentence(&self, mut sentence: impl FnMut(&[u32])) -> Result<()> {
        let all = 0..self.summary.blocks.len().saturating_sub(1);
        self.for_each_sentence_in(&all, |words, _| sentence(words))
    }
}
