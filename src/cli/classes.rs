//! `vectrain classes`: the words of a vector file grouped into k-means classes, as
//! word2vec.c's `-classes` writes them (`word class`, one line each).

use std::io::Write;
use std::path::PathBuf;

use crate::cli::say::{note, out};
use crate::embeddings::{ClassOptions, ClassPass, WordClasses, classes::DEFAULT_ITERATIONS};
use crate::io::atomic::AtomicFile;
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::unseen;

/// Options of `vectrain classes`.
#[derive(Args, Debug)]
pub struct ClassesArgs {
    /// Vector file (word2vec text or binary, GloVe text or fastText .bin; detected).
    file: PathBuf,
    /// How many classes (word2vec.c -classes).
    #[arg(long, short = 'k', value_parser = super::settings::at_least_one())]
    classes: usize,
    /// Where to write `word class` lines (written to a temporary file, renamed when
    /// complete) [default: standard output].
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Most k-means passes; fewer once no word changes class.
    #[arg(long, default_value_t = DEFAULT_ITERATIONS, value_parser = super::settings::at_least_one())]
    iterations: usize,
    /// Seed of the first centroids' choice (k-means++).
    #[arg(long, default_value_t = 1)]
    seed: u32,
    /// Threads [default: all cores].
    #[arg(long, value_parser = super::settings::at_least_one())]
    threads: Option<usize>,
    /// Lines ordered by class (word order within a class), as word2vec.c's demo sorts them;
    /// by default in the file's word order.
    #[arg(long)]
    by_class: bool,
    /// Print the summary as JSON (on standard output with --output, else on stderr).
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain classes`.
pub fn run(args: ClassesArgs) -> anyhow::Result<()> {
    if let Some(output) = &args.output {
        crate::io::paths::refuse_overlaps(&[("output", output)], &[("vector file", &args.file)])?;
        AtomicFile::check(output)?;
    }
    let loaded = unseen::read(&args.file)?;
    let emb = &loaded.embeddings;
    let mut options = ClassOptions::new(args.classes);
    options.iterations = args.iterations;
    options.seed = args.seed;
    if let Some(threads) = args.threads {
        options.threads = threads;
    }
    let bar = pass_bar(args.iterations);
    let found = emb
        .word_classes_with(&options, &mut |pass| show(&bar, pass))
        .with_context(|| format!("cannot group the words of {}", args.file.display()))?;
    bar.finish_and_clear();
    let order = line_order(&found, args.by_class);
    let words = emb.vocab();
    match &args.output {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            for &id in &order {
                writeln!(file, "{} {}", words.word(id), found.classes()[id as usize])
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            file.commit()?;
        }
        None => {
            for &id in &order {
                out!("{} {}", words.word(id), found.classes()[id as usize]);
            }
        }
    }
    summarise(&args, &found, emb.len());
    Ok(())
}

/// Word ids in the order their lines are written.
fn line_order(found: &WordClasses, by_class: bool) -> Vec<u32> {
    let mut order: Vec<u32> = (0..found.classes().len() as u32).collect();
    if by_class {
        // A stable sort keeps word order within a class.
        order.sort_by_key(|&id| found.classes()[id as usize]);
    }
    order
}

/// The summary: to stdout where the lines went to a file, else to stderr.
fn summarise(args: &ClassesArgs, found: &WordClasses, words: usize) {
    let sizes = found.sizes();
    let empty = sizes.iter().filter(|&&s| s == 0).count();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    if args.json {
        let summary = json!({
            "file": args.file, "output": args.output, "words": words,
            "classes": found.count(), "passes": found.passes(), "converged": found.converged(),
            "mean_cosine": found.mean_cosine(), "empty_classes": empty,
            "largest_class": largest, "sizes": sizes,
        });
        match args.output {
            Some(_) => out!("{summary}"),
            None => note!("{summary}"),
        }
        return;
    }
    let ending = if found.converged() {
        "converged"
    } else {
        "stopped at --iterations"
    };
    let line = format!(
        "{words} words in {} classes ({} passes, {ending}); mean cosine to the class centroid {:.4}, largest class {largest} words, {empty} empty",
        found.count(),
        found.passes(),
        found.mean_cosine()
    );
    match &args.output {
        Some(path) => out!("{line}; written to {}", path.display()),
        None => note!("{line}"),
    }
}

/// A bar over the k-means passes, hidden when stderr is not a terminal.
fn pass_bar(passes: usize) -> ProgressBar {
    let bar = ProgressBar::new(passes as u64);
    let style =
        ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] pass {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar
}

fn show(bar: &ProgressBar, pass: ClassPass) {
    bar.set_position(pass.pass as u64);
    bar.set_message(format!("{} words changed class", pass.changed));
}
