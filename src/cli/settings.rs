//! What `train` and `bench` share: the corpus and training settings, where to train, and
//! reading the corpus.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::cli::reading_bar::ReadingBar;
use crate::cli::say::note;
use crate::corpus::{GivenVocab, ReadProgress};
use crate::huffman::Ties;
use crate::io::VectorFormat;
use crate::memory::Estimate;
use crate::subwords::SubwordSettings;
use crate::{BackendChoice, Corpus, GpuKernel, Model, ReadOptions, TrainConfig, TrainParams};
use clap::{Args, ValueEnum};

/// The small public-domain corpus trained on when `--input` is not given: the King James
/// Bible, one verse a line, lowercased and tokenised.
const DEFAULT_CORPUS: &[u8] = include_bytes!("../../data/kjv.txt.gz");
/// What `--input` defaults to, in messages.
const DEFAULT_CORPUS_NAME: &str = "data/kjv.txt.gz (embedded)";

/// Model choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Skip-gram: each word predicts the words around it.
    Skipgram,
    /// CBOW: the mean of the context predicts the centre word.
    Cbow,
    /// Skip-gram with one set of negatives shared by each window, the window's updates
    /// applied together (BlazingText's batch_skipgram): fewer rows touched per word.
    BatchSkipgram,
}

/// GPU training kernel on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KernelArg {
    /// One workgroup per centre, dispatches of at most --gpu-in-flight centres in turn.
    V1,
    /// --gpu-in-flight persistent workgroups taking centres from a counter, rows kept in
    /// registers, subgroup reductions where the adapter has them.
    V2,
}

impl From<KernelArg> for GpuKernel {
    fn from(kernel: KernelArg) -> Self {
        match kernel {
            KernelArg::V1 => GpuKernel::V1,
            KernelArg::V2 => GpuKernel::V2,
        }
    }
}

/// How the Huffman tree of --hs breaks ties, on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TiesArg {
    /// A word before an inner node of the same count, as gensim: the tree of least
    /// path-length variance (the default for word vectors).
    Leaves,
    /// An inner node before a word, as word2vec.c and fastText (the default with --subwords,
    /// whose fastText .bin needs fastText's own tree).
    Nodes,
}

impl From<TiesArg> for Ties {
    fn from(ties: TiesArg) -> Self {
        match ties {
            TiesArg::Leaves => Ties::Leaves,
            TiesArg::Nodes => Ties::Nodes,
        }
    }
}

/// Vector file format on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// word2vec text: a "V D" header, then "word v1 ... vD" lines.
    W2vText,
    /// word2vec binary (as word2vec.c and gensim write it).
    W2vBin,
    /// GloVe text: "word v1 ... vD" lines, no header.
    Glove,
    /// fastText's .bin model (train --subwords only): every table and the n-gram settings,
    /// which fastText and gensim load, and which gives vectors to unseen words.
    FasttextBin,
}

/// The format vectors are written in: `format` where given, else from `output`'s extension:
/// `.bin` word2vec binary, `.glove` GloVe text, anything else (`.txt`, `.vec`) word2vec text.
pub fn output_format(format: Option<FormatArg>, output: &Path) -> VectorFormat {
    format.map_or_else(|| VectorFormat::for_path(output), VectorFormat::from)
}

impl From<FormatArg> for VectorFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::W2vText => VectorFormat::Word2VecText,
            FormatArg::W2vBin => VectorFormat::Word2VecBinary,
            FormatArg::Glove => VectorFormat::GloveText,
            FormatArg::FasttextBin => VectorFormat::FastTextBin,
        }
    }
}

/// Where to train, shared by `train` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct BackendOptions {
    /// Where to train: auto (a hardware GPU if wgpu finds one, else the CPU), gpu (any
    /// adapter, software ones included; an error if there is none) or cpu.
    #[arg(long, default_value = "auto", value_parser = parse_backend, value_name = "auto|gpu|cpu")]
    pub backend: BackendChoice,
    /// Use the GPU adapter whose name contains this (see `vectrain devices`).
    #[arg(long)]
    pub adapter: Option<String>,
}

fn parse_backend(text: &str) -> Result<BackendChoice, String> {
    text.parse()
}

/// The corpus and training settings, shared by `train` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Corpus: UTF-8 text (or .gz), one sentence per line, tokens separated by whitespace.
    /// Without it, a small embedded corpus (the King James Bible) is used.
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// The model: skip-gram, CBOW, or batch skip-gram (skip-gram with negatives shared by
    /// each window).
    #[arg(long, value_enum, default_value_t = ModelArg::Skipgram)]
    model: ModelArg,
    /// Vector dimension.
    #[arg(long, default_value_t = 100)]
    dim: usize,
    /// Largest distance between centre and context word (shrunk at random per word).
    #[arg(long, default_value_t = 5)]
    window: usize,
    /// Negative samples per positive example; 0 with --hs trains hierarchical softmax alone.
    #[arg(long, default_value_t = 5)]
    negative: usize,
    /// Hierarchical softmax (word2vec.c -hs 1, gensim hs=1): each word is also predicted
    /// along its path in a Huffman tree of the vocabulary; with --negative above 0 both train.
    /// skipgram and cbow, with or without --subwords; on the GPU with the v2 kernel.
    #[arg(long)]
    hs: bool,
    /// How --hs's Huffman tree breaks a tie between a word and an inner node of the same
    /// count [default: leaves; nodes with --subwords]. Both trees are optimal codes.
    #[arg(long, value_enum)]
    hs_ties: Option<TiesArg>,
    /// Starting learning rate [default: 0.025 for skip-gram, 0.05 for CBOW].
    #[arg(long, allow_negative_numbers = true)]
    alpha: Option<f32>,
    /// Learning rate the linear decay reaches at the end of training (with --parts above 1,
    /// the decay within each epoch covers only 1/parts of its share, as in gensim).
    #[arg(long, default_value_t = 0.0001, allow_negative_numbers = true)]
    min_alpha: f32,
    /// Passes over the corpus.
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many of the most frequent words.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = 1e-3, allow_negative_numbers = true)]
    sample: f64,
    /// Exponent of the negative-sampling distribution (count^exponent).
    #[arg(long, default_value_t = 0.75, allow_negative_numbers = true)]
    ns_exponent: f64,
    /// CPU threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// GPU only: most centre words one dispatch trains at once [default: 512 for skipgram
    /// and cbow, 64 for batch-skipgram, 16 with --hs]. Fewer keeps rows fresher (accuracy on big GPUs),
    /// more keeps a big GPU busier; 131072 or more: a whole chunk at once.
    #[arg(long)]
    gpu_in_flight: Option<usize>,
    /// GPU only: the training kernel (README, "The GPU path") [default: v1, or v2 with
    /// --subwords or --hs, which only v2 trains]. v1 until both have been measured on a
    /// hardware GPU.
    #[arg(long, value_enum)]
    gpu_kernel: Option<KernelArg>,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u32,
    /// Bit-identical vectors for a seed and settings whatever --threads (trains on one thread).
    #[arg(long)]
    deterministic: bool,
    /// Lowercase the corpus while reading.
    #[arg(long)]
    lowercase: bool,
    /// Parts of the corpus each epoch trains side by side, each part decaying the learning
    /// rate by its own progress, as gensim's corpus_file mode does with as many workers; 1:
    /// corpus order and a linear decay, as word2vec.c. Independent of --threads.
    #[arg(long, default_value_t = crate::config::DEFAULT_PARTS)]
    parts: usize,
    /// Subword (fastText) vectors: each word's input vector is the mean of its own row and
    /// the rows of its character n-grams, so unseen words get vectors too (skipgram and
    /// cbow, on the CPU and on the GPU with the v2 kernel).
    #[arg(long)]
    subwords: bool,
    /// With --subwords: shortest character n-gram (fastText -minn).
    #[arg(long, default_value_t = 3, requires = "subwords")]
    minn: usize,
    /// With --subwords: longest character n-gram (fastText -maxn); 0 leaves words alone.
    #[arg(long, default_value_t = 6, requires = "subwords")]
    maxn: usize,
    /// With --subwords: rows the n-grams are hashed into (fastText -bucket).
    #[arg(long, default_value_t = 2_000_000, requires = "subwords")]
    bucket: u32,
}

impl Settings {
    /// The library's configuration for these settings.
    pub fn config(&self) -> TrainConfig {
        TrainConfig {
            model: match self.model {
                ModelArg::Skipgram => Model::SkipGram,
                ModelArg::Cbow => Model::Cbow,
                ModelArg::BatchSkipgram => Model::BatchSkipGram,
            },
            dim: self.dim,
            window: self.window,
            negative: self.negative,
            hs: self.hs,
            hs_ties: self.hs_ties.map(Ties::from),
            alpha: self.alpha,
            min_alpha: self.min_alpha,
            epochs: self.epochs,
            min_count: self.min_count,
            max_vocab: self.max_vocab,
            sample: self.sample,
            ns_exponent: self.ns_exponent,
            threads: self.threads,
            gpu_in_flight: self.gpu_in_flight,
            gpu_kernel: match self.gpu_kernel {
                Some(kernel) => kernel.into(),
                // Only the second kernel has subword and hierarchical-softmax forms.
                None if self.subwords || self.hs => GpuKernel::V2,
                None => GpuKernel::V1,
            },
            seed: self.seed,
            deterministic: self.deterministic,
            lowercase: self.lowercase,
            parts: self.parts,
            subwords: self.subwords.then_some(SubwordSettings {
                minn: self.minn,
                maxn: self.maxn,
                bucket: self.bucket,
            }),
        }
    }
    /// The configuration of a resumed run: these settings where the command line gave them
    /// (`given(id)` is true for a clap argument id given there), the checkpoint's (`saved`)
    /// everywhere else.
    pub fn config_resuming(
        &self,
        saved: &TrainParams,
        given: &dyn Fn(&str) -> bool,
    ) -> TrainConfig {
        let mut config = self.config();
        if !given("model") {
            config.model = saved.model;
        }
        if !given("dim") {
            config.dim = saved.dim;
        }
        if !given("window") {
            config.window = saved.window;
        }
        if !given("negative") {
            config.negative = saved.negative;
        }
        if !given("hs") {
            config.hs = saved.hs;
        }
        if !given("hs_ties") {
            config.hs_ties = Some(saved.hs_ties);
        }
        if !given("alpha") {
            config.alpha = Some(saved.alpha);
        }
        if !given("min_alpha") {
            config.min_alpha = saved.min_alpha;
        }
        if !given("epochs") {
            config.epochs = saved.epochs;
        }
        if !given("min_count") {
            config.min_count = saved.min_count;
        }
        if !given("max_vocab") {
            config.max_vocab = saved.max_vocab;
        }
        if !given("sample") {
            config.sample = saved.sample;
        }
        if !given("ns_exponent") {
            config.ns_exponent = saved.ns_exponent;
        }
        if !given("threads") {
            config.threads = Some(saved.threads);
        }
        if !given("seed") {
            config.seed = saved.seed;
        }
        if !given("deterministic") {
            config.deterministic = saved.deterministic;
        }
        if !given("lowercase") {
            config.lowercase = saved.lowercase;
        }
        if !given("parts") {
            config.parts = saved.parts;
        }
        if !["subwords", "minn", "maxn", "bucket"]
            .iter()
            .any(|id| given(id))
        {
            config.subwords = saved.subwords;
        }
        if !given("gpu_kernel") && (config.subwords.is_some() || config.hs) {
            config.gpu_kernel = GpuKernel::V2;
        }
        config
    }
}

/// Reads the corpus named by `input`, or the embedded one.
pub fn read_corpus(input: Option<&Path>, options: &ReadOptions) -> crate::Result<Corpus> {
    match input {
        Some(path) => Corpus::read(path, options),
        None => Corpus::from_reader(DEFAULT_CORPUS, Path::new(DEFAULT_CORPUS_NAME), options),
    }
}

/// Where the encoded corpus goes: `train`'s and `bench`'s `--cache-dir` and `--no-cache`.
#[derive(Args, Debug, Clone)]
pub struct CacheOptions {
    /// Keep the encoded corpus (4 bytes a token) in a file in this directory, read a chunk
    /// at a time, so memory does not grow with the corpus; a later run with the same corpus
    /// and settings reuses it [default: train: the output's directory; bench: in memory].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Hold the encoded corpus in memory instead of a cache file.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Distinct words the first pass counts at once; past it the rarest are pruned, as
    /// word2vec.c does, so counting stays within bounded memory (about 100 bytes a word).
    #[arg(
        long,
        default_value_t = crate::corpus::DEFAULT_COUNT_LIMIT,
        value_name = "WORDS",
        value_parser = at_least_one()
    )]
    pub count_limit: usize,
    /// Take the vocabulary from this file (one `word count` line per word, as --save-vocab
    /// and word2vec.c's -save-vocab write it) instead of counting the corpus (word2vec.c's
    /// -read-vocab): --min-count and --max-vocab apply to its counts, and the corpus is read
    /// once, to encode it.
    #[arg(long, value_name = "PATH")]
    pub read_vocab: Option<PathBuf>,
}

impl CacheOptions {
    /// The cache directory: `--cache-dir`, else `default` (none with `--no-cache`).
    pub fn dir(&self, default: Option<&Path>) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        self.cache_dir
            .clone()
            .or_else(|| default.map(Path::to_path_buf))
    }
}

/// A count that must be at least 1 (`-k`, `--count-limit`), refused by clap with its usage
/// where 0.
pub fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
}

/// How to read the corpus of a run of `params`, encoding it into `cache_dir` where given,
/// with the vocabulary file of `--read-vocab` read where there is one.
pub fn read_options(
    params: &TrainParams,
    cache: &CacheOptions,
    cache_dir: Option<PathBuf>,
) -> crate::Result<ReadOptions> {
    let vocab = cache
        .read_vocab
        .as_deref()
        .map(GivenVocab::read)
        .transpose()?;
    Ok(ReadOptions {
        lowercase: params.lowercase,
        min_count: params.min_count,
        max_vocab: params.max_vocab,
        count_limit: cache.count_limit,
        cache_dir,
        threads: Some(params.threads),
        progress: None,
        vocab: vocab.map(Arc::new),
    })
}

/// Reads the corpus `input` (the embedded one when `None`), encoding it into `cache_dir`
/// where given, and says what it holds.
pub fn load_corpus(
    input: Option<&Path>,
    params: &TrainParams,
    cache: &CacheOptions,
    cache_dir: Option<PathBuf>,
) -> anyhow::Result<Corpus> {
    let started = Instant::now();
    let progress = ReadProgress::new();
    let options = ReadOptions {
        progress: Some(progress.clone()),
        ..read_options(params, cache, cache_dir)?
    };
    let bar = ReadingBar::start(progress);
    let corpus = read_corpus(input, &options);
    drop(bar);
    let corpus = corpus?;
    let stats = &corpus.stats;
    let held = match &corpus.cache {
        Some((path, made)) => format!(
            "{} {} ({:.1} MiB)",
            if *made { "encoded into" } else { "reusing" },
            path.display(),
            4.0 * (corpus.len() + corpus.sentence_count()) as f64 / (1 << 20) as f64
        ),
        None => format!(
            "{:.1} MiB in memory",
            corpus.memory_bytes() as f64 / (1 << 20) as f64
        ),
    };
    let distinct = match &cache.read_vocab {
        Some(path) => format!(
            "vocabulary file {} of {} words",
            path.display(),
            stats.distinct_words
        ),
        None => format!("{} distinct words", stats.distinct_words),
    };
    note!(
        "corpus {}: {} lines, {} tokens, {distinct}; vocabulary {} words (min-count {}), {} tokens kept, {held}, read in {:.1} s",
        corpus.source.display(),
        stats.lines,
        stats.raw_tokens,
        corpus.vocab.len(),
        params.min_count,
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
    note_reading(stats, cache.count_limit);
    Estimate::beside(&corpus, params).check()?;
    Ok(corpus)
}

/// Notes what reading a corpus changed or left out: pruned counts (past `count_limit`
/// distinct words), invalid UTF-8, split lines and cut tokens.
pub fn note_reading(stats: &crate::corpus::CorpusStats, count_limit: usize) {
    if stats.pruned_below > 0 {
        note!(
            "note: more than {} distinct words: counting pruned words seen up to {} times (raise --count-limit to keep more)",
            count_limit,
            stats.pruned_below
        );
    }
    if stats.lossy_tokens > 0 {
        note!(
            "note: {} tokens had invalid UTF-8 bytes (replaced by U+FFFD)",
            stats.lossy_tokens
        );
    }
    if stats.split_lines > 0 {
        note!(
            "note: {} lines had more than {} tokens and were split",
            stats.split_lines,
            crate::corpus::MAX_SENTENCE_TOKENS
        );
    }
    if stats.truncated_tokens > 0 {
        note!(
            "note: {} tokens were longer than {} bytes and were cut",
            stats.truncated_tokens,
            crate::corpus::MAX_TOKEN_BYTES
        );
    }
}
