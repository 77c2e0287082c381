//! `vectrain train`: corpus in, vector file out.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use vectrain::checkpoint::{self, CorpusFingerprint, Every, Header};
use vectrain::cpu::{Control, Outcome, Resume, Snapshot, Trained};
use vectrain::io::{VectorFormat, write_vectors};
use vectrain::memory::Estimate;
use vectrain::{Corpus, Model, ReadOptions, TrainConfig, TrainParams};

use super::backend::{BackendOptions, Trainer};
use super::progress;

/// The small public-domain corpus trained on when `--input` is not given: the King James
/// Bible, one verse a line, lowercased and tokenised.
const DEFAULT_CORPUS: &[u8] = include_bytes!("../../data/kjv.txt.gz");
/// What `--input` defaults to, in messages.
const DEFAULT_CORPUS_NAME: &str = "data/kjv.txt.gz (embedded)";

/// Model choice on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModelArg {
    /// Skip-gram: context words predict the centre word.
    Skipgram,
    /// CBOW: the mean of the context predicts the centre word.
    Cbow,
    /// Skip-gram with one set of negatives shared by each window, the window's updates
    /// applied together (BlazingText's batch_skipgram): fewer rows touched per word.
    BatchSkipgram,
}

/// Vector file format on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// word2vec text: a "V D" header, then "word v1 ... vD" lines.
    W2vText,
    /// word2vec binary (as word2vec.c and gensim write it).
    W2vBin,
    /// GloVe text: "word v1 ... vD" lines, no header.
    Glove,
}

impl From<FormatArg> for VectorFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::W2vText => VectorFormat::Word2VecText,
            FormatArg::W2vBin => VectorFormat::Word2VecBinary,
            FormatArg::Glove => VectorFormat::GloveText,
        }
    }
}

/// Options of `vectrain train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Where to write the vectors (written to a temporary file, renamed when complete).
    #[arg(long, short, default_value = "vectors.txt")]
    output: PathBuf,
    /// Format of the output file.
    #[arg(long, value_enum, default_value_t = FormatArg::W2vText)]
    format: FormatArg,
    #[command(flatten)]
    settings: Settings,
    #[command(flatten)]
    backend: BackendOptions,
    /// Where to write checkpoints (the whole training state, replaced atomically), with
    /// --checkpoint-every and on Ctrl-C [default on Ctrl-C: OUTPUT.checkpoint].
    #[arg(long, value_name = "PATH")]
    checkpoint: Option<PathBuf>,
    /// Write a checkpoint this often: wall time (90s, 10m, 2h) or corpus words (5000000w).
    #[arg(long, value_name = "INTERVAL")]
    checkpoint_every: Option<Every>,
    /// Continue the run saved in this checkpoint. Give the same corpus and settings as the
    /// interrupted run; with --deterministic the vectors are bit-identical to a run never
    /// interrupted.
    #[arg(long, value_name = "CHECKPOINT")]
    resume: Option<PathBuf>,
}

/// The corpus and training settings, shared by `train` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Corpus: UTF-8 text (or .gz), one sentence per line, tokens separated by whitespace.
    /// Without it, a small embedded corpus (the King James Bible) is used.
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// Skip-gram or CBOW.
    #[arg(long, value_enum, default_value_t = ModelArg::Skipgram)]
    model: ModelArg,
    /// Vector dimension.
    #[arg(long, default_value_t = 100)]
    dim: usize,
    /// Largest distance between centre and context word (shrunk at random per word).
    #[arg(long, default_value_t = 5)]
    window: usize,
    /// Negative samples per positive example.
    #[arg(long, default_value_t = 5)]
    negative: usize,
    /// Starting learning rate [default: 0.025 for skip-gram, 0.05 for CBOW].
    #[arg(long, allow_negative_numbers = true)]
    alpha: Option<f32>,
    /// Learning rate at the end of training (decays linearly).
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
    /// and cbow, 64 for batch-skipgram]. Fewer keeps rows fresher (accuracy on big GPUs),
    /// more keeps a big GPU busier; 131072 or more: a whole chunk at once.
    #[arg(long)]
    gpu_in_flight: Option<usize>,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u32,
    /// Bit-identical vectors for a seed and settings whatever --threads (trains on one thread).
    #[arg(long)]
    deterministic: bool,
    /// Lowercase the corpus while reading.
    #[arg(long)]
    lowercase: bool,
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
            alpha: self.alpha,
            min_alpha: self.min_alpha,
            epochs: self.epochs,
            min_count: self.min_count,
            max_vocab: self.max_vocab,
            sample: self.sample,
            ns_exponent: self.ns_exponent,
            threads: self.threads,
            gpu_in_flight: self.gpu_in_flight,
            seed: self.seed,
            deterministic: self.deterministic,
            lowercase: self.lowercase,
        }
    }
}

/// Reads the corpus named by `input`, or the embedded one.
pub fn read_corpus(input: Option<&Path>, options: &ReadOptions) -> vectrain::Result<Corpus> {
    match input {
        Some(path) => Corpus::read(path, options),
        None => Corpus::from_reader(DEFAULT_CORPUS, Path::new(DEFAULT_CORPUS_NAME), options),
    }
}

/// Reads the corpus of `settings` and says what it holds.
pub fn load_corpus(settings: &Settings, params: &TrainParams) -> anyhow::Result<Corpus> {
    let started = Instant::now();
    let options = ReadOptions {
        lowercase: params.lowercase,
        min_count: params.min_count,
        max_vocab: params.max_vocab,
    };
    let corpus = read_corpus(settings.input.as_deref(), &options)?;
    let stats = &corpus.stats;
    eprintln!(
        "corpus {}: {} lines, {} tokens, {} distinct words; vocabulary {} words (min-count {}), {} tokens kept, {:.1} MiB in memory, read in {:.1} s",
        corpus.source.display(),
        stats.lines,
        stats.raw_tokens,
        stats.distinct_words,
        corpus.vocab.len(),
        params.min_count,
        corpus.len(),
        corpus.memory_bytes() as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64()
    );
    if stats.lossy_tokens > 0 {
        eprintln!(
            "note: {} tokens had invalid UTF-8 bytes (replaced by U+FFFD)",
            stats.lossy_tokens
        );
    }
    if stats.split_lines > 0 {
        eprintln!(
            "note: {} lines had more than {} tokens and were split",
            stats.split_lines,
            vectrain::corpus::MAX_SENTENCE_TOKENS
        );
    }
    if stats.truncated_tokens > 0 {
        eprintln!(
            "note: {} tokens were longer than {} bytes and were cut",
            stats.truncated_tokens,
            vectrain::corpus::MAX_TOKEN_BYTES
        );
    }
    Estimate {
        corpus: corpus.memory_bytes() as u64,
        ..Estimate::training(corpus.vocab.len(), params)
    }
    .check()?;
    Ok(corpus)
}

/// Trains with a progress bar.
pub fn train_with_bar(
    trainer: &Trainer,
    corpus: &Corpus,
    params: &TrainParams,
) -> vectrain::Result<Trained> {
    let bar = progress::training_bar(corpus.len() as u64 * params.epochs as u64);
    let trained = trainer.train(corpus, params, &mut |p| progress::show(&bar, p));
    bar.finish_and_clear();
    trained
}

/// Runs `vectrain train`.
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let params = args.settings.config().check()?;
    let corpus = load_corpus(&args.settings, &params)?;
    let trainer = Trainer::choose(&args.backend)?;
    let Some(trained) = train_resumable(&trainer, &args, &params, &corpus)? else {
        std::process::exit(INTERRUPTED_EXIT_CODE);
    };
    let run = &trained.stats;
    for (epoch, stats) in run.epochs.iter().enumerate() {
        eprintln!(
            "epoch {}: loss {:.4} over {} examples, {:.1} s",
            epoch + 1,
            stats.loss,
            stats.examples,
            stats.seconds
        );
    }
    write_vectors(&trained.embeddings, &args.output, args.format.into())
        .with_context(|| format!("writing the vectors to {}", args.output.display()))?;
    eprintln!(
        "trained {} vectors of {} on {} in {:.1} s: {:.0} words/s, final loss {:.4}; wrote {}",
        corpus.vocab.len(),
        params.dim,
        run.device,
        run.seconds,
        run.words_per_second(),
        run.epochs.last().map_or(f64::NAN, |e| e.loss),
        args.output.display()
    );
    Ok(())
}

/// Trains with checkpoints, resume and Ctrl-C; `None` when interrupted (the state is then
/// saved and the resume command printed).
fn train_resumable(
    trainer: &Trainer,
    args: &TrainArgs,
    params: &TrainParams,
    corpus: &Corpus,
) -> anyhow::Result<Option<Trained>> {
    let resume = match &args.resume {
        Some(path) => {
            let saved = checkpoint::read(path)?;
            saved.verify(params, corpus, path)?;
            let position = saved.state.position;
            eprintln!(
                "resuming from {} (written by the {} trainer): epoch {} of {}, chunk {} of {}",
                path.display(),
                saved.trainer,
                position.epoch + 1,
                params.epochs,
                position.next_chunk + 1,
                corpus.chunks(position.chunk_tokens as usize).len()
            );
            Some(Resume {
                state: saved.state,
                input: saved.input,
                output: saved.output,
            })
        }
        None => None,
    };
    let checkpoint_path = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| default_checkpoint_path(&args.output));
    let fingerprint = CorpusFingerprint::of(corpus);
    let bar = progress::training_bar(corpus.len() as u64 * params.epochs as u64);
    let mut write_checkpoint = |snapshot: &Snapshot<'_>| -> vectrain::Result<()> {
        let header = Header {
            trainer: trainer.name(),
            params,
            vocab: &corpus.vocab,
            corpus: fingerprint,
            state: snapshot.state,
        };
        checkpoint::write(
            &checkpoint_path,
            &header,
            snapshot.input.values(),
            snapshot.output.values(),
        )?;
        let position = snapshot.state.position;
        bar.suspend(|| {
            eprintln!(
                "checkpoint written to {} (epoch {}, chunk {})",
                checkpoint_path.display(),
                position.epoch + 1,
                position.next_chunk + 1
            )
        });
        Ok(())
    };
    install_interrupt_handler()?;
    let control = Control {
        resume,
        every: args.checkpoint_every,
        stop: Some(&INTERRUPTED),
        checkpoint: Some(&mut write_checkpoint),
    };
    let outcome = trainer.train_with(corpus, params, control, &mut |p| progress::show(&bar, p))?;
    let trained = match outcome {
        Outcome::Finished(trained) => trained,
        Outcome::Stopped(position) => {
            bar.finish_and_clear();
            eprintln!(
                "interrupted: the training state (epoch {}, chunk {}) is saved in {}; no vectors were written.\nTo resume, run the same command with --resume:\n  {}",
                position.epoch + 1,
                position.next_chunk + 1,
                checkpoint_path.display(),
                resume_command(&checkpoint_path)
            );
            return Ok(None);
        }
    };
    bar.finish_and_clear();
    Ok(Some(*trained))
}

/// Set by the Ctrl-C handler; the trainer polls it between chunks.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Exit status after Ctrl-C, as shells report a process ended by SIGINT (128 + 2).
const INTERRUPTED_EXIT_CODE: i32 = 130;

/// On the first Ctrl-C (SIGINT; SIGTERM too), asks the trainer to checkpoint and stop; on a
/// second one, exits at once.
fn install_interrupt_handler() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED_EXIT_CODE);
        }
    })
    .context("installing the Ctrl-C handler")
}

/// `OUTPUT.checkpoint`, beside the output.
fn default_checkpoint_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".checkpoint");
    PathBuf::from(name)
}

/// This process's command line with `--resume checkpoint` in place of any `--resume`.
fn resume_command(checkpoint: &Path) -> String {
    let mut words = Vec::new();
    let mut args = std::env::args();
    words.extend(args.next());
    while let Some(arg) = args.next() {
        if arg == "--resume" {
            args.next();
        } else if !arg.starts_with("--resume=") {
            words.push(arg);
        }
    }
    words.push("--resume".into());
    words.push(checkpoint.display().to_string());
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` quoted for a POSIX shell where it needs it.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
