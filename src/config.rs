//! Training options, checked once into [`TrainParams`].

use crate::error::{Error, Result};
use crate::huffman::Ties;
use crate::subwords::SubwordSettings;

/// Which word2vec model to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Model {
    /// Skip-gram: each word predicts the words around it. As in word2vec.c, each (centre,
    /// context) pair is one update that scores the context word's input row against the
    /// centre's output row (over a corpus the pairs are the same either way round).
    SkipGram,
    /// Continuous bag of words: the mean of the context predicts the centre word.
    Cbow,
    /// Skip-gram with negatives shared by a window (BlazingText's `batch_skipgram`, Intel's
    /// pWord2Vec): every context word of a centre predicts it against one set of negatives,
    /// and the window's updates are applied together, as small matrix products. Fewer rows
    /// touched per word than [`Model::SkipGram`], but more gradient per update, so it
    /// tolerates fewer updates in flight (see [`crate::gpu::default_in_flight`]).
    BatchSkipGram,
}

impl Model {
    /// The starting learning rate word2vec.c uses for this model.
    pub fn default_alpha(self) -> f32 {
        match self {
            Model::SkipGram | Model::BatchSkipGram => 0.025,
            Model::Cbow => 0.05,
        }
    }
}

/// Which GPU training kernel trains (`--gpu-kernel`); the CPU backend ignores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GpuKernel {
    /// `shaders/negative_sampling.wgsl`: one workgroup per centre, dispatches of at most
    /// `--gpu-in-flight` centres one after another, rows loaded again for the scatter. The
    /// default until both kernels have been measured on a hardware GPU.
    #[default]
    V1,
    /// `shaders/negative_sampling_v2.wgsl`: `--gpu-in-flight` persistent workgroups take
    /// centres from an atomic counter (no barrier between dispatches, no tail), rows kept in
    /// registers from the dot products to the scatter, negatives drawn once per centre,
    /// dot products reduced with subgroups where the adapter has them. The same updates and
    /// the same bound on centres in flight as V1.
    V2,
}

impl GpuKernel {
    /// Every kernel, with its name on the command line.
    pub const ALL: [(GpuKernel, &'static str); 2] = [(GpuKernel::V1, "v1"), (GpuKernel::V2, "v2")];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            GpuKernel::V1 => "v1",
            GpuKernel::V2 => "v2",
        }
    }
}

impl std::str::FromStr for GpuKernel {
    type Err = Error;

    fn from_str(text: &str) -> Result<GpuKernel> {
        GpuKernel::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text))
            .map(|(kernel, _)| *kernel)
            .ok_or_else(|| {
                invalid(
                    "gpu-kernel",
                    format!("{text:?} is not a kernel: give v1 or v2"),
                )
            })
    }
}

/// Options of a training run, as a user gives them. Turn them into [`TrainParams`] with
/// [`TrainConfig::check`].
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Skip-gram or CBOW.
    pub model: Model,
    /// Vector dimension.
    pub dim: usize,
    /// Largest distance between centre and context word; shrunk at random per position.
    pub window: usize,
    /// Negative samples per positive example; 0 with [`TrainConfig::hs`] trains hierarchical
    /// softmax alone.
    pub negative: usize,
    /// Hierarchical softmax (word2vec.c `-hs 1`, gensim `hs=1`): each update also scores the
    /// input against the inner nodes of the predicted word's path in a Huffman tree
    /// ([`crate::huffman`]). With `negative` above 0 both objectives train, as in word2vec.c.
    /// Skip-gram and CBOW, with or without subwords, on the CPU and on the GPU (v2 kernel).
    pub hs: bool,
    /// How the Huffman tree breaks a tie between a word and an inner node of the same count
    /// ([`Ties`]); `None` takes gensim's [`Ties::Leaves`], or with subwords fastText's
    /// [`Ties::Nodes`], which a fastText `.bin` needs (fastText rebuilds its tree from the
    /// counts). [`Ties::Leaves`] with subwords is refused.
    pub hs_ties: Option<Ties>,
    /// Starting learning rate; `None` takes the model's default (0.025 skip-gram, 0.05 CBOW).
    pub alpha: Option<f32>,
    /// Learning rate the linear decay reaches at the end of the last epoch (with `parts`
    /// above 1 each epoch stops short of its share: see [`TrainConfig::parts`]).
    pub min_alpha: f32,
    /// Passes over the corpus.
    pub epochs: usize,
    /// Words seen fewer times are dropped from the vocabulary.
    pub min_count: u64,
    /// Keep at most this many words (the most frequent).
    pub max_vocab: Option<usize>,
    /// Subsampling threshold for frequent words (0 disables).
    pub sample: f64,
    /// Exponent applied to counts for the negative-sampling distribution.
    pub ns_exponent: f64,
    /// Worker threads of the CPU trainer; `None` uses every core.
    pub threads: Option<usize>,
    /// GPU trainer only: most centre words one dispatch trains at once (`None`: the model's
    /// [`crate::gpu::default_in_flight`], or [`crate::gpu::HS_DEFAULT_IN_FLIGHT`] with
    /// hierarchical softmax). Updates that run together read rows without each
    /// other's additions; a big GPU runs thousands at once, which costs accuracy (see
    /// `benches/staleness.rs`), so the bound trades parallelism for fresher rows.
    pub gpu_in_flight: Option<usize>,
    /// GPU trainer only: which training kernel runs ([`GpuKernel::V1`] by default).
    pub gpu_kernel: GpuKernel,
    /// Seed of every random draw.
    pub seed: u32,
    /// Bit-identical results for a seed, whatever the thread count (trains on one thread).
    pub deterministic: bool,
    /// Lowercase the corpus while reading.
    pub lowercase: bool,
    /// Parts of the corpus an epoch trains side by side, each decaying the learning rate by
    /// its own progress, as gensim's `corpus_file` mode with as many workers (see
    /// [`crate::training::TrainingPlan`]). 1 trains in corpus order with a linear decay (word2vec.c).
    /// Independent of the thread count.
    pub parts: usize,
    /// Subword (fastText) vectors: each word's input vector is the mean of its own row and
    /// the rows of its character n-grams. `None` trains plain word2vec.
    pub subwords: Option<SubwordSettings>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            model: Model::SkipGram,
            dim: 100,
            window: 5,
            negative: 5,
            hs: false,
            hs_ties: None,
            alpha: None,
            min_alpha: 0.0001,
            epochs: 5,
            min_count: 5,
            max_vocab: None,
            sample: 1e-3,
            ns_exponent: 0.75,
            threads: None,
            gpu_in_flight: None,
            gpu_kernel: GpuKernel::V1,
            seed: 1,
            deterministic: false,
            lowercase: false,
            parts: DEFAULT_PARTS,
            subwords: None,
        }
    }
}

/// Largest vector dimension accepted: far beyond any published use, small enough that a row
/// of scratch space never becomes a memory problem.
pub const MAX_DIM: usize = 10_000;
/// Largest window accepted.
pub const MAX_WINDOW: usize = 1_000;
/// Largest number of negatives accepted.
pub const MAX_NEGATIVE: usize = 1_000;
/// Largest number of parts accepted: more than any corpus has chunks to share out.
pub const MAX_PARTS: usize = 1_000;
/// Largest `--threads`: past a few thousand threads the system refuses their stacks (and no
/// machine has that many cores).
pub const MAX_THREADS: usize = 4_096;
/// Parts an epoch trains side by side unless told otherwise: the schedule of gensim's
/// two-worker `corpus_file` runs, which scored higher than one part on `mix8m` (README,
/// quality figures).
pub const DEFAULT_PARTS: usize = 2;

/// Checked training parameters: every field is in range and defaults are resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainParams {
    /// Skip-gram or CBOW.
    pub model: Model,
    /// Vector dimension, 1..=[`MAX_DIM`].
    pub dim: usize,
    /// Window, 1..=[`MAX_WINDOW`].
    pub window: usize,
    /// Negatives, 0..=[`MAX_NEGATIVE`]; 0 only with `hs`.
    pub negative: usize,
    /// Hierarchical softmax; never with batch skip-gram.
    pub hs: bool,
    /// How the Huffman tree breaks ties ([`TrainConfig::hs_ties`], resolved).
    pub hs_ties: Ties,
    /// Starting learning rate, positive and finite.
    pub alpha: f32,
    /// Final learning rate, 0 <= min_alpha <= alpha.
    pub min_alpha: f32,
    /// Epochs, at least 1.
    pub epochs: usize,
    /// Minimum count, at least 1.
    pub min_count: u64,
    /// Vocabulary cap, at least 1 where given.
    pub max_vocab: Option<usize>,
    /// Subsampling threshold, finite and >= 0.
    pub sample: f64,
    /// Negative-sampling exponent, finite.
    pub ns_exponent: f64,
    /// Threads, at least 1 (1 when deterministic).
    pub threads: usize,
    /// GPU trainer only: most centres a dispatch trains, at least 1 where given.
    pub gpu_in_flight: Option<usize>,
    /// GPU trainer only: the training kernel.
    pub gpu_kernel: GpuKernel,
    /// Seed.
    pub seed: u32,
    /// One thread, bit-identical results.
    pub deterministic: bool,
    /// Lowercase while reading.
    pub lowercase: bool,
    /// Parts an epoch trains side by side, 1..=[`MAX_PARTS`] (see [`TrainConfig::parts`]).
    pub parts: usize,
    /// Checked subword settings; never with batch skip-gram.
    pub subwords: Option<SubwordSettings>,
}

fn invalid(option: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidOption {
        option,
        reason: reason.into(),
    }
}

fn in_range(option: &'static str, value: usize, max: usize) -> Result<usize> {
    if value == 0 || value > max {
        return Err(invalid(option, format!("{value} is not in 1..={max}")));
    }
    Ok(value)
}

impl TrainConfig {
    /// Checks every option and resolves defaults.
    pub fn check(&self) -> Result<TrainParams> {
        let alpha = self.alpha.unwrap_or(self.model.default_alpha());
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(invalid(
                "alpha",
                format!("{alpha} is not a positive finite number"),
            ));
        }
        if !(self.min_alpha.is_finite() && self.min_alpha >= 0.0 && self.min_alpha <= alpha) {
            return Err(invalid(
                "min-alpha",
                format!(
                    "{} is not a finite number in 0..=alpha ({alpha})",
                    self.min_alpha
                ),
            ));
        }
        if !(self.sample.is_finite() && self.sample >= 0.0) {
            return Err(invalid(
                "sample",
                format!("{} is not a finite number >= 0", self.sample),
            ));
        }
        if !self.ns_exponent.is_finite() {
            return Err(invalid(
                "ns-exponent",
                format!("{} is not finite", self.ns_exponent),
            ));
        }
        if self.min_count == 0 {
            return Err(invalid("min-count", "0 is not allowed; 1 keeps every word"));
        }
        if self.gpu_in_flight == Some(0) {
            return Err(invalid("gpu-in-flight", "0 would train nothing"));
        }
        if self.max_vocab == Some(0) {
            return Err(invalid("max-vocab", "0 would leave no word"));
        }
        let subwords = self.subwords.map(SubwordSettings::check).transpose()?;
        if subwords.is_some() && self.model == Model::BatchSkipGram {
            return Err(invalid(
                "subwords",
                "batch skip-gram has no subword form: use --model skipgram or cbow",
            ));
        }
        if self.hs && self.model == Model::BatchSkipGram {
            return Err(invalid(
                "hs",
                "batch skip-gram shares negatives and has no hierarchical softmax: use --model skipgram or cbow",
            ));
        }
        let hs_ties = match (self.hs_ties, subwords.is_some()) {
            (Some(Ties::Leaves), true) if self.hs => {
                return Err(invalid(
                    "hs-ties",
                    "a subword model's Huffman tree is fastText's (nodes first), which its .bin \
                     rebuilds from the counts: leave --hs-ties out, or give nodes",
                ));
            }
            (Some(ties), _) => ties,
            (None, subwords) => Ties::default_for(subwords),
        };
        let negative = match (self.negative, self.hs) {
            (0, false) => {
                return Err(invalid(
                    "negative",
                    "0 leaves nothing to train: give a count, or --hs for hierarchical softmax",
                ));
            }
            (0, true) => 0,
            (n, _) => in_range("negative", n, MAX_NEGATIVE)?,
        };
        let threads = match (self.deterministic, self.threads) {
            (true, _) => 1,
            (false, Some(0)) => return Err(invalid("threads", "0 is not allowed")),
            (false, Some(n)) => in_range("threads", n, MAX_THREADS)?,
            (false, None) => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(TrainParams {
            model: self.model,
            dim: in_range("dim", self.dim, MAX_DIM)?,
            window: in_range("window", self.window, MAX_WINDOW)?,
            negative,
            hs: self.hs,
            hs_ties,
            alpha,
            min_alpha: self.min_alpha,
            epochs: in_range("epochs", self.epochs, 100_000)?,
            min_count: self.min_count,
            max_vocab: self.max_vocab,
            sample: self.sample,
            ns_exponent: self.ns_exponent,
            threads,
            gpu_in_flight: self.gpu_in_flight,
            gpu_kernel: self.gpu_kernel,
            seed: self.seed,
            deterministic: self.deterministic,
            lowercase: self.lowercase,
            parts: in_range("parts", self.parts, MAX_PARTS)?,
            subwords,
        })
    }
}

impl TrainParams {
    /// Rows of the input table for a vocabulary of `words`: one per word, and with subwords
    /// one per n-gram bucket after them (fastText's layout).
    pub fn input_rows(&self, words: usize) -> usize {
        words + self.subwords.map_or(0, |s| s.bucket as usize)
    }

    /// Rows of the output table for a vocabulary of `words`: one per word for negative
    /// sampling, then with `hs` one per inner node of the Huffman tree (one fewer than the
    /// words), from [`TrainParams::first_tree_row`] on.
    pub fn output_rows(&self, words: usize) -> usize {
        self.first_tree_row(words) + if self.hs { words.saturating_sub(1) } else { 0 }
    }

    /// The output row of the Huffman tree's inner node 0: after the words' rows where
    /// negative sampling trains too, else 0.
    pub fn first_tree_row(&self, words: usize) -> usize {
        if self.negative > 0 { words } else { 0 }
    }

    /// Learning rate at `done` of `total` positions: linear from `alpha` to `min_alpha`.
    pub fn alpha_at(&self, done: u64, total: u64) -> f32 {
        let progress = if total == 0 {
            0.0
        } else {
            done as f64 / total as f64
        };
        let alpha = self.alpha as f64 - (self.alpha - self.min_alpha) as f64 * progress.min(1.0);
        alpha.max(self.min_alpha as f64) as f32
    }
}

/// How the ranks' tables become one at each synchronisation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncMode {
    /// Every rank's changes since the last synchronisation are added up: the tables move as
    /// far as one process training all the ranks' words would have moved them (to first
    /// order), whatever the number of ranks.
    #[default]
    SumOfChanges,
    /// The tables are averaged: each rank's changes count `1/N`, which acts as a learning
    /// rate divided by the number of ranks `N` (measured in the README to cost quality).
    Mean,
}

/// Which rows a synchronisation sends (with [`SyncMode::SumOfChanges`]; a mean sends every
/// row). The tables come out the same either way: a row no rank changed adds up to no
/// change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncRows {
    /// The rows some rank changed since the last synchronisation: the ranks first add up one
    /// flag per row (4 bytes a row), then only the rows flagged anywhere.
    #[default]
    Changed,
    /// Every row of both tables.
    All,
}

/// How the ranks of a distributed run synchronise: a checkpoint records it, and a resumed
/// run must synchronise the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncSettings {
    /// Words of the whole run between two synchronisations (`--sync-every`).
    pub every: u64,
    /// How the tables become one (`--sync-mode`).
    pub mode: SyncMode,
}
