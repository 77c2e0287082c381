//! `vectrain train`: corpus in, vector file out; checkpoints, Ctrl-C and `--resume`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use super::distributed::{self, DistributedJob, DistributedOptions};
use super::interrupt::INTERRUPTED_EXIT_CODE;
use super::output::{write_trained, write_vocab};
use super::pretrained::Pretrained;
use super::session::{Front, Session, SessionEnd};
use super::settings::{
    BackendOptions, CacheOptions, FormatArg, Settings, load_corpus, output_format,
};
use super::watch::RunWatch;
use crate::checkpoint::{self, Checkpoint, RunFiles};
use crate::cli::say::note;
use crate::io::VectorFormat;
use crate::io::atomic::AtomicFile;
use crate::io::paths;
use crate::training::{Every, Resume, Trained};
use crate::{Device, TrainParams};

/// Options of `vectrain train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Where to write the vectors (written to a temporary file, renamed when complete).
    #[arg(long, short, default_value = "vectors.txt")]
    output: PathBuf,
    /// Format of the output file [default: from the output's extension: .bin word2vec
    /// binary, .glove GloVe text, anything else word2vec text; fasttext-bin only by name]. A
    /// name ending in .gz is written gzip-compressed (vectors.bin.gz: word2vec binary).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    #[command(flatten)]
    settings: Settings,
    #[command(flatten)]
    backend: BackendOptions,
    #[command(flatten)]
    cache: CacheOptions,
    #[command(flatten)]
    distributed: DistributedOptions,
    /// Where to write checkpoints (the whole training state, replaced atomically), with
    /// --checkpoint-every and on Ctrl-C or SIGTERM [default: OUTPUT.checkpoint, or the
    /// checkpoint resumed from].
    #[arg(long, value_name = "PATH")]
    checkpoint: Option<PathBuf>,
    /// Write a checkpoint this often: wall time (90s, 10m, 2h) or corpus words (5000000w).
    #[arg(long, value_name = "INTERVAL")]
    checkpoint_every: Option<Every>,
    /// Continue the run saved in this checkpoint: it holds every setting, the corpus and
    /// output paths, so `train --resume CHECKPOINT` alone is enough. Training settings given
    /// beside it must agree with the checkpoint's; --output, --format, --checkpoint,
    /// --checkpoint-every and where to train may change. With --deterministic the vectors
    /// are bit-identical to a run never interrupted.
    #[arg(long, value_name = "CHECKPOINT")]
    resume: Option<PathBuf>,
    /// Write a metrics log here as JSON lines: one object per progress report (words/s,
    /// loss, learning rate, words done, epoch) and one per epoch end; added to, not
    /// replaced, with --resume.
    #[arg(long, value_name = "PATH")]
    metrics: Option<PathBuf>,
    /// Score the vectors on these analogy questions (questions-words.txt format, 3CosAdd)
    /// at the end of every epoch: printed, and logged with --metrics.
    #[arg(long, value_name = "FILE")]
    analogies: Option<PathBuf>,
    /// Also write the training vocabulary here, one `word count` line per word, in the
    /// vectors' order (word2vec.c's -save-vocab; gensim reads it as `fvocab`), once the
    /// vectors are written.
    #[arg(long, value_name = "PATH")]
    save_vocab: Option<PathBuf>,
    /// Start the input vectors of the corpus's words from this file's (any vector format;
    /// its dimension must be --dim's); the other words start at random as usual. gensim's
    /// intersect_word2vec_format, fastText's -pretrainedVectors.
    #[arg(long, value_name = "PATH", conflicts_with = "resume")]
    pretrained_vectors: Option<PathBuf>,
}

/// The run a command line asks for, a resumed checkpoint's settings and files filled in.
struct Job {
    params: TrainParams,
    input: Option<PathBuf>,
    output: PathBuf,
    format: VectorFormat,
    every: Option<Every>,
    checkpoint: PathBuf,
    resume: Option<(PathBuf, Checkpoint)>,
}

impl Job {
    /// The job of `args`; `given(id)` says whether the command line gave argument `id`.
    fn new(args: &TrainArgs, given: &dyn Fn(&str) -> bool) -> anyhow::Result<Job> {
        let Some(path) = &args.resume else {
            return Ok(Job {
                params: args.settings.config().check()?,
                input: args.settings.input.clone(),
                format: output_format(args.format, &args.output),
                output: args.output.clone(),
                every: args.checkpoint_every,
                checkpoint: args
                    .checkpoint
                    .clone()
                    .unwrap_or_else(|| default_checkpoint_path(&args.output)),
                resume: None,
            });
        };
        let saved = checkpoint::read(path)?;
        let params = args
            .settings
            .config_resuming(&saved.params, given)
            .check()?;
        let differences = checkpoint::setting_differences(&saved.params, &params);
        if !differences.is_empty() {
            return Err(crate::Error::Mismatch(format!(
                "checkpoint {} was written with other settings: {}; leave them out to take the checkpoint's",
                path.display(),
                differences.join(", ")
            ))
            .into());
        }
        let files = &saved.files;
        let output = if given("output") {
            args.output.clone()
        } else {
            files.output.clone()
        };
        let format = match (args.format, given("output")) {
            (Some(format), _) => format.into(),
            (None, true) => output_format(None, &output),
            (None, false) => files.format,
        };
        Ok(Job {
            input: if given("input") {
                args.settings.input.clone()
            } else {
                files.corpus.clone()
            },
            format,
            every: args.checkpoint_every.or(files.every),
            checkpoint: args.checkpoint.clone().unwrap_or_else(|| path.clone()),
            output,
            params,
            resume: Some((path.clone(), saved)),
        })
    }

    /// Refuses a file the run writes (the vectors where `write_output`, checkpoints where
    /// `checkpoints`, the metrics log) that is one it reads or another it writes: the
    /// checkpoint is removed when the run completes, and the others would be overwritten.
    /// The checkpoint resumed from is the one new checkpoints replace, by design.
    fn refuse_overlaps(
        &self,
        write_output: bool,
        checkpoints: bool,
        metrics: Option<&Path>,
        also_read: &[(&'static str, Option<&Path>)],
        save_vocab: Option<&Path>,
    ) -> crate::Result<()> {
        let mut reads: Vec<(&str, &Path)> = Vec::new();
        reads.extend(self.input.as_deref().map(|path| ("--input", path)));
        reads.extend(
            also_read
                .iter()
                .filter_map(|&(option, path)| Some((option, path?))),
        );
        if checkpoints {
            paths::refuse_overlaps(&[("checkpoint", &self.checkpoint)], &reads)?;
            reads.push(("--checkpoint", &self.checkpoint));
        }
        reads.extend(
            self.resume
                .as_ref()
                .map(|(path, _)| ("--resume", path.as_path())),
        );
        let mut writes = Vec::new();
        if write_output {
            writes.push(("output", self.output.as_path()));
        }
        writes.extend(metrics.map(|path| ("metrics", path)));
        writes.extend(save_vocab.map(|path| ("save-vocab", path)));
        paths::refuse_overlaps(&writes, &reads)?;
        Ok(())
    }

    /// The directory of the output file.
    fn output_dir(&self) -> &Path {
        match self.output.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// The files a checkpoint records, with absolute paths so that a resume from another
    /// directory finds them.
    fn files(&self) -> RunFiles {
        let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.into());
        RunFiles {
            corpus: self.input.as_deref().map(absolute),
            output: absolute(&self.output),
            format: self.format,
            every: self.every,
        }
    }
}

/// How a run ended.
pub enum Ran {
    /// Trained to the end.
    Finished(Box<Trained>),
    /// Stopped early on request; the state is saved in this checkpoint, where one applies.
    Stopped(Option<PathBuf>),
    /// One rank of a distributed run ended (rank 0 wrote the vectors).
    Distributed,
}

/// Runs `vectrain train`; `matches` are the subcommand's, to tell options given from
/// defaults.
pub fn run(args: TrainArgs, matches: &ArgMatches) -> anyhow::Result<()> {
    match execute(args, matches, Front::CommandLine)? {
        Ran::Finished(_) | Ran::Distributed => Ok(()),
        Ran::Stopped(_) => std::process::exit(INTERRUPTED_EXIT_CODE),
    }
}

/// Runs the training `args` ask for, started by `front`.
pub fn execute(args: TrainArgs, matches: &ArgMatches, front: Front<'_>) -> anyhow::Result<Ran> {
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let caller = matches!(front, Front::Caller { .. });
    let mut job = Job::new(&args, &given)?;
    // A caller gets the vectors back: a file only where it names one, and checkpoints only
    // where it gives a place for them (or resumes from one).
    let write_output = !caller || given("output");
    // Nor beside an output that is a device or a pipe (`-o /dev/null`): no file is there to
    // put the default checkpoint beside.
    let beside_output = write_output && !paths::is_stream(&job.output);
    let checkpoints = beside_output || args.checkpoint.is_some() || job.resume.is_some();
    if caller && args.distributed.distributed {
        anyhow::bail!("--distributed runs under mpirun, from the command line only");
    }
    if !checkpoints && job.every.is_some() {
        return Err(crate::Error::InvalidOption {
            option: "checkpoint-every",
            reason: "it needs a place for the checkpoints: give --checkpoint (or --output a file)"
                .into(),
        }
        .into());
    }
    let cache_dir = args.cache.dir(beside_output.then(|| job.output_dir()));
    if let Some((
        path,
        Checkpoint {
            distributed: Some(run),
            ..
        },
    )) = &job.resume
    {
        if !args.distributed.distributed {
            return Err(crate::Error::Mismatch(format!(
                "checkpoint {} is of a distributed run of {} ranks: continue it with `mpirun -np {} vectrain train --distributed --resume {}`",
                path.display(),
                run.ranks.len(),
                run.ranks.len(),
                path.display()
            ))
            .into());
        }
    }
    if job.format == VectorFormat::FastTextBin && job.params.hs && job.params.negative > 0 {
        note!(
            "note: a fastText .bin holds one loss: this one is written as negative sampling's \
             model, without the tree's rows (--negative 0 writes hierarchical softmax's)"
        );
    }
    if job.format == VectorFormat::FastTextBin && job.params.subwords.is_none() {
        return Err(crate::Error::InvalidOption {
            option: "format",
            reason: "fasttext-bin writes a subword model: train with --subwords, or choose w2v-text, w2v-bin or glove".into(),
        }
        .into());
    }
    job.refuse_overlaps(
        write_output,
        checkpoints,
        args.metrics.as_deref(),
        &[
            ("--analogies", args.analogies.as_deref()),
            ("--pretrained-vectors", args.pretrained_vectors.as_deref()),
            ("--read-vocab", args.cache.read_vocab.as_deref()),
        ],
        args.save_vocab.as_deref(),
    )?;
    let pretrained = args
        .pretrained_vectors
        .as_deref()
        .map(|path| Pretrained::read(path, &job.params))
        .transpose()?;
    if let Some(path) = &args.save_vocab {
        AtomicFile::check(path)?;
    }
    if args.distributed.distributed {
        let distributed = DistributedJob {
            files: job.files(),
            resume: job.resume.take(),
            params: &job.params,
            input: job.input.as_deref(),
            output: &job.output,
            format: job.format,
            checkpoint: &job.checkpoint,
            every: job.every,
            resume_options: execution_options(&given, matches),
            metrics: args.metrics.as_deref(),
            analogies: args.analogies.as_deref(),
            save_vocab: args.save_vocab.as_deref(),
            pretrained: pretrained.as_ref(),
        };
        distributed::run(
            distributed,
            &args.backend,
            &args.cache,
            cache_dir,
            &args.distributed,
        )?;
        return Ok(Ran::Distributed);
    }
    // A bad output or checkpoint path is found now, not after hours of training.
    if write_output {
        AtomicFile::check(&job.output)?;
    }
    if checkpoints {
        AtomicFile::check(&job.checkpoint)?;
    }
    let mut watch = RunWatch::check(args.metrics.as_deref(), args.analogies.as_deref())?;
    let corpus = load_corpus(job.input.as_deref(), &job.params, &args.cache, cache_dir)?;
    let resume = match &job.resume {
        None => None,
        Some((path, saved)) => {
            saved.verify(&job.params, &corpus, path)?;
            let position = saved.state.position;
            note!(
                "resuming from {} (written by the {} trainer): epoch {} of {}, chunk {} of {}",
                path.display(),
                saved.trainer,
                position.epoch + 1,
                job.params.epochs,
                position.next_chunk + 1,
                corpus.chunks(position.chunk_tokens as usize).len()
            );
            Some(Resume {
                state: saved.state.clone(),
                input: saved.input.clone(),
                output: saved.output.clone(),
            })
        }
    };
    let (device, notice) = Device::open(args.backend.backend, args.backend.adapter.as_deref())?;
    if let Some(notice) = notice {
        note!("note: {notice}");
    }
    watch.start(job.resume.is_some())?;
    let resumed_checkpoint = job.resume.as_ref().map(|(path, _)| path.clone());
    let checkpoint = checkpoints.then_some(job.checkpoint.as_path());
    let session = Session {
        device: &device,
        params: &job.params,
        files: job.files(),
        every: job.every,
        corpus: &corpus,
        watch: &watch,
        checkpoint,
        resume_options: execution_options(&given, matches),
        pretrained: pretrained.as_ref(),
    };
    let (trained, wrote_checkpoint) = match session.train(resume, front)? {
        SessionEnd::Finished(trained, wrote) => (trained, wrote),
        SessionEnd::Stopped => return Ok(Ran::Stopped(checkpoint.map(Path::to_path_buf))),
    };
    let run = &trained.stats;
    if run.epochs.iter().all(|epoch| epoch.examples == 0) {
        return Err(crate::Error::NoExample {
            sample: job.params.sample,
        }
        .into());
    }
    let mut wrote = if write_output {
        write_trained(&trained, &job.output, job.format, "")?;
        format!("; wrote {} ({})", job.output.display(), job.format.name())
    } else {
        String::new()
    };
    if let Some(path) = &args.save_vocab {
        write_vocab(&trained, path)?;
        wrote += &format!(" and the vocabulary to {}", path.display());
    }
    // The vectors are the work: a log that failed does not take them back, but the run does
    // not end as a success either.
    watch.finish().with_context(|| {
        let written = format!("the vectors are written to {}", job.output.display());
        format!(
            "{}the metrics log stops early",
            if write_output {
                written + ", but "
            } else {
                String::new()
            }
        )
    })?;
    note!(
        "trained {} vectors of {} on {} in {:.1} s: {:.0} words/s, final loss {:.4}{wrote}",
        corpus.vocab.len(),
        job.params.dim,
        run.device,
        run.seconds,
        run.words_per_second(),
        run.epochs.last().map_or(f64::NAN, |e| e.loss),
    );
    // The run's own checkpoint has served its purpose; one of another run is left alone.
    let own = wrote_checkpoint || resumed_checkpoint.as_ref() == Some(&job.checkpoint);
    let removed = checkpoints
        && own
        && paths::remove_plain_file(&job.checkpoint)
            .with_context(|| format!("removing the checkpoint {}", job.checkpoint.display()))?;
    if removed {
        note!(
            "removed the checkpoint {}: the run is complete",
            job.checkpoint.display()
        );
    }
    Ok(Ran::Finished(trained))
}

/// The options given on the command line that a checkpoint does not record (where to
/// train, the metrics log and the analogy questions), to repeat in the resume command.
pub(super) fn execution_options(given: &dyn Fn(&str) -> bool, matches: &ArgMatches) -> Vec<String> {
    let mut words = Vec::new();
    for (id, flag) in [
        ("backend", "--backend"),
        ("adapter", "--adapter"),
        ("gpu_in_flight", "--gpu-in-flight"),
        ("gpu_kernel", "--gpu-kernel"),
    ] {
        if given(id) {
            if let Some(raw) = matches.get_raw(id).and_then(|mut values| values.next()) {
                words.push(flag.to_string());
                words.push(raw.to_string_lossy().into_owned());
            }
        }
    }
    // The log, the questions and the vocabulary go on with the run; absolute, as a resume
    // may start elsewhere.
    for (id, flag) in [
        ("metrics", "--metrics"),
        ("analogies", "--analogies"),
        ("read_vocab", "--read-vocab"),
    ] {
        if let Some(path) = given(id).then(|| matches.get_one::<PathBuf>(id)).flatten() {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            words.push(flag.to_string());
            words.push(path.to_string_lossy().into_owned());
        }
    }
    words
}

/// `OUTPUT.checkpoint`, beside the output.
fn default_checkpoint_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".checkpoint");
    PathBuf::from(name)
}
