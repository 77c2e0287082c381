//! The `vectrain` command line: its subcommands, one module each. In the library so that
//! other front ends (the Python package) run the very same commands.

mod analogy;
mod bench;
pub mod caller;
mod classes;
mod convert;
mod devices;
mod distributed;
mod eval;
mod interrupt;
mod lookup;
mod matrix;
mod output;
mod phrases;
mod plot;
mod pretrained;
mod progress;
mod reading_bar;
mod say;
mod sentences;
mod session;
mod settings;
mod similar;
mod train;
mod unseen;
mod verify;
mod watch;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

/// Word2vec (skip-gram and CBOW, negative sampling) on any GPU through wgpu, or on the CPU.
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Every subcommand takes negative-looking values (`--dim -5`) as values, so that the option
/// they were given to is the one refused, by name, instead of clap's "unexpected argument".
#[derive(Subcommand, Debug)]
enum Command {
    /// Train word vectors on a text corpus.
    #[command(allow_negative_numbers = true)]
    Train(train::TrainArgs),
    /// Measure vectors: analogy accuracy (3CosAdd) and word-pair Spearman correlation.
    #[command(allow_negative_numbers = true)]
    Eval(eval::EvalArgs),
    /// List the GPU adapters wgpu sees, best first, with float-atomic support and limits.
    #[command(allow_negative_numbers = true)]
    Devices(devices::DevicesArgs),
    /// Check every GPU kernel against its CPU twin on this machine's adapter.
    #[command(allow_negative_numbers = true)]
    Verify(verify::VerifyArgs),
    /// Train the same corpus on the GPU and the CPU; words/s, loss and accuracy side by side.
    #[command(allow_negative_numbers = true)]
    Bench(bench::BenchArgs),
    /// The nearest words of some words, by cosine similarity (gensim's most_similar).
    #[command(allow_negative_numbers = true)]
    Similar(similar::SimilarArgs),
    /// Solve "a is to b as c is to ?" (3CosAdd, or 3CosMul with --cosmul).
    #[command(allow_negative_numbers = true)]
    Analogy(analogy::AnalogyArgs),
    /// Print the vectors of some words.
    #[command(allow_negative_numbers = true)]
    Lookup(lookup::LookupArgs),
    /// Sentence (and document) vectors of a text file: mean, max or SIF pooling.
    #[command(allow_negative_numbers = true)]
    Sentences(sentences::SentencesArgs),
    /// The embedding matrix of a model's vocabulary (word -> index), as .npy.
    #[command(allow_negative_numbers = true)]
    Matrix(matrix::MatrixArgs),
    /// Join a corpus's phrases into single tokens ("new york" -> "new_york"), as word2phrase.
    #[command(allow_negative_numbers = true)]
    Phrases(phrases::PhrasesArgs),
    /// Group the words of a vector file into k-means classes (word2vec.c's -classes).
    #[command(allow_negative_numbers = true)]
    Classes(classes::ClassesArgs),
    /// Rewrite a vector file in another format.
    #[command(allow_negative_numbers = true)]
    Convert(convert::ConvertArgs),
    /// Draw a 2-D map of words and their neighbours, or a metrics log's curves (SVG, PNG).
    #[command(allow_negative_numbers = true)]
    Plot(plot::PlotArgs),
}

/// Parses the command line (exiting with clap's message where it is wrong) and runs the
/// chosen subcommand.
pub fn run() -> anyhow::Result<()> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    run_command(cli, &matches)
}

/// Runs the subcommand of `cli`; `matches` tells options given from defaults.
fn run_command(cli: Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => {
            let empty = ArgMatches::default();
            train::run(args, matches.subcommand_matches("train").unwrap_or(&empty))
        }
        Command::Eval(args) => eval::run(args),
        Command::Devices(args) => devices::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Similar(args) => similar::run(args),
        Command::Analogy(args) => analogy::run(args),
        Command::Lookup(args) => lookup::run(args),
        Command::Sentences(args) => sentences::run(args),
        Command::Matrix(args) => matrix::run(args),
        Command::Phrases(args) => phrases::run(args),
        Command::Classes(args) => classes::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Plot(args) => plot::run(args),
    }
}
