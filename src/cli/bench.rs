//! `vectrain bench`: the same corpus and settings trained on the GPU and on the CPU in one
//! run, words/s, loss and (optionally) analogy accuracy side by side.

use std::path::PathBuf;

use crate::cli::say::{note, out};
use crate::eval::{self, DEFAULT_RESTRICT};
use crate::gpu::centres_in_flight;
use crate::training::Trained;
use crate::{BackendChoice, Corpus, Device, TrainParams};
use clap::Args;

use super::progress;
use super::settings::{CacheOptions, Settings, load_corpus};

/// Options of `vectrain bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    settings: Settings,
    #[command(flatten)]
    cache: CacheOptions,
    /// Use the GPU adapter whose name contains this (see `vectrain devices`).
    #[arg(long)]
    adapter: Option<String>,
    /// Skip the CPU run.
    #[arg(long)]
    no_cpu: bool,
    /// Also score each run's vectors on these analogy questions (3CosAdd).
    #[arg(long)]
    analogies: Option<PathBuf>,
}

/// Trains with a progress bar.
fn train_with_bar(
    device: &Device,
    corpus: &Corpus,
    params: &TrainParams,
) -> anyhow::Result<Trained> {
    let bar = progress::training_bar(corpus.len() as u64 * params.epochs as u64);
    let mut backend = device.backend(params);
    let trained = crate::train_to_end(backend.as_mut(), corpus, params, &mut |p| {
        progress::show(&bar, p)
    });
    bar.finish_and_clear();
    Ok(trained?)
}

/// Runs `vectrain bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let params = args.settings.config().check()?;
    let corpus = load_corpus(
        args.settings.input.as_deref(),
        &params,
        &args.cache,
        args.cache.dir(None),
    )?;
    let mut devices = vec![Device::open(BackendChoice::Gpu, args.adapter.as_deref())?.0];
    if !args.no_cpu {
        devices.push(Device::Cpu);
    }
    let mut rows = Vec::new();
    for device in &devices {
        let trained = train_with_bar(device, &corpus, &params)?;
        let accuracy = match &args.analogies {
            Some(path) => Some(
                eval::evaluate_analogies(&trained.embeddings, path, DEFAULT_RESTRICT)?.accuracy(),
            ),
            None => None,
        };
        let stats = trained.stats;
        note!("{}: {:.0} words/s", stats.device, stats.words_per_second());
        rows.push((stats, accuracy));
    }
    out!(
        "{:<48} {:>12} {:>10} {:>9} {:>9}",
        "device",
        "words/s",
        "seconds",
        "loss",
        "analogy"
    );
    for (stats, accuracy) in &rows {
        out!(
            "{:<48} {:>12.0} {:>10.2} {:>9.4} {:>9}",
            stats.device,
            stats.words_per_second(),
            stats.seconds,
            stats.epochs.last().map_or(f64::NAN, |e| e.loss),
            accuracy.map_or("-".to_string(), |a| format!("{:.2}%", 100.0 * a))
        );
    }
    let subwords = params.subwords.map_or(String::new(), |s| {
        format!(", subwords {}..{} in {} buckets", s.minn, s.maxn, s.bucket)
    });
    out!(
        "{} epochs of {} corpus words, {:?} d{} window {} negative {}{subwords}; GPU: kernel {}, \
         at most {} centres in flight",
        params.epochs,
        corpus.len(),
        params.model,
        params.dim,
        params.window,
        params.negative,
        params.gpu_kernel.name(),
        centres_in_flight(&params)
    );
    Ok(())
}
