//! Subcommands, one module each.

mod eval;
mod progress;
mod train;

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
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
    }
}
