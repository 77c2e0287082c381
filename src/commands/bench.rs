//! `vectrain bench`: the same corpus and settings trained on the GPU and on the CPU in one
//! run, words/s, loss and (optionally) analogy accuracy side by side.

use std::path::PathBuf;

use clap::Args;
use vectrain::eval::{self, DEFAULT_RESTRICT};
use vectrain::gpu::{GpuContext, GpuOptions, centres_in_flight};

use super::backend::Trainer;
use super::train::{Settings, load_corpus, train_with_bar};

/// Options of `vectrain bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    settings: Settings,
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

/// Runs `vectrain bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let params = args.settings.config().check()?;
    let corpus = load_corpus(&args.settings, &params)?;
    let ctx = GpuContext::new(&GpuOptions {
        adapter: args.adapter.clone(),
    })?;
    let mut trainers = vec![Trainer::Gpu(Box::new(ctx))];
    if !args.no_cpu {
        trainers.push(Trainer::Cpu);
    }
    let mut rows = Vec::new();
    for trainer in &trainers {
        let trained = train_with_bar(trainer, &corpus, &params)?;
        let accuracy = match &args.analogies {
            Some(path) => Some(
                eval::evaluate_analogies(&trained.embeddings, path, DEFAULT_RESTRICT)?.accuracy(),
            ),
            None => None,
        };
        let stats = trained.stats;
        eprintln!("{}: {:.0} words/s", stats.device, stats.words_per_second());
        rows.push((stats, accuracy));
    }
    println!(
        "{:<48} {:>12} {:>10} {:>9} {:>9}",
        "device", "words/s", "seconds", "loss", "analogy"
    );
    for (stats, accuracy) in &rows {
        println!(
            "{:<48} {:>12.0} {:>10.2} {:>9.4} {:>9}",
            stats.device,
            stats.words_per_second(),
            stats.seconds,
            stats.epochs.last().map_or(f64::NAN, |e| e.loss),
            accuracy.map_or("-".to_string(), |a| format!("{:.2}%", 100.0 * a))
        );
    }
    println!(
        "{} epochs of {} corpus words, {:?} d{} window {} negative {}; GPU: at most {} centres \
         in flight",
        params.epochs,
        corpus.len(),
        params.model,
        params.dim,
        params.window,
        params.negative,
        centres_in_flight(&params)
    );
    Ok(())
}
