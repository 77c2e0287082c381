//! Subcommands, one module each.

mod backend;
mod bench;
mod devices;
mod eval;
mod progress;
mod train;
mod verify;

use clap::{Parser, Subcommand};

/// Word2vec (skip-gram and CBOW, negative sampling) on any GPU through wgpu, or on the CPU.
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train word vectors on a text corpus.
    Train(train::TrainArgs),
    /// Measure vectors: analogy accuracy (3CosAdd) and word-pair Spearman correlation.
    Eval(eval::EvalArgs),
    /// List the GPU adapters wgpu sees, best first, with float-atomic support and limits.
    Devices(devices::DevicesArgs),
    /// Check every GPU kernel against its CPU twin on this machine's adapter.
    Verify(verify::VerifyArgs),
    /// Train the same corpus on the GPU and the CPU; words/s, loss and accuracy side by side.
    Bench(bench::BenchArgs),
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Devices(args) => devices::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Bench(args) => bench::run(args),
    }
}
