//! `vectrain matrix`: the embedding matrix of a model's vocabulary, as `.npy`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::say::out;
use crate::io::atomic::AtomicFile;
use crate::io::npy;
use crate::matrix::{self, OovInit, WordIndex};
use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::json;

use super::unseen::{self, UnseenReport};

/// Missing words listed in the text report.
const MISSING_SHOWN: usize = 20;

/// The row of a word without a vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OovInitArg {
    /// Zeros.
    Zeros,
    /// Normal draws with the vectors' mean and standard deviation (seeded by --seed).
    Random,
    /// The mean vector.
    Mean,
    /// The mean of the word's n-gram rows (fastText .bin files); zeros for a word without
    /// any n-gram, as fastText gives it.
    Subword,
}

/// Options of `vectrain matrix`.
#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// Vector file (word2vec text or binary, GloVe text or fastText .bin; detected).
    file: PathBuf,
    /// The vocabulary: a JSON object {"word": index}, a JSON list of words (position =
    /// index), or a text file of one word per line (line n = index n-1, blank = padding).
    #[arg(long)]
    vocab: PathBuf,
    /// Output `.npy` (float32, [max index + 1, dim]); the words go beside it, in
    /// `<output without extension>.vocab.txt`, one per row.
    #[arg(long)]
    output: PathBuf,
    /// Rows of words without a vector [default: subword for a fastText .bin, else zeros].
    #[arg(long, value_enum)]
    oov: Option<OovInitArg>,
    /// Seed of --oov random.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The vocabulary file written beside `output`.
fn vocab_path(output: &Path) -> PathBuf {
    output.with_extension("vocab.txt")
}

/// Runs `vectrain matrix`.
pub fn run(args: MatrixArgs) -> anyhow::Result<()> {
    let words_path = vocab_path(&args.output);
    let reads = [
        ("vector file", args.file.as_path()),
        ("--vocab", &args.vocab),
    ];
    crate::io::paths::refuse_overlaps(
        &[("output", &args.output), ("output", &words_path)],
        &reads,
    )?;
    let loaded = unseen::read(&args.file)?;
    let index = WordIndex::read(&args.vocab)?;
    let oov = match (args.oov, loaded.ngrams.is_some()) {
        (Some(OovInitArg::Subword), false) => return Err(unseen::no_ngrams(&args.file)),
        (Some(given), _) => given,
        (None, true) => OovInitArg::Subword,
        (None, false) => OovInitArg::Zeros,
    };
    let (emb, unseen) = match oov {
        OovInitArg::Subword => loaded.with_unseen(index.slots().flatten())?,
        _ => (loaded.embeddings, UnseenReport::default()),
    };
    let init = match oov {
        // Words left without a vector have no n-gram: fastText gives them zeros.
        OovInitArg::Zeros | OovInitArg::Subword => OovInit::Zeros,
        OovInitArg::Random => OovInit::Random { seed: args.seed },
        OovInitArg::Mean => OovInit::Mean,
    };
    let m = matrix::build(&emb, &index, init)
        .with_context(|| format!("cannot build the matrix of {}", args.vocab.display()))?;
    npy::write_f32_file(&args.output, &[m.rows, m.dim], &m.data)?;
    let mut file = AtomicFile::create(&words_path)?;
    for word in index.slots() {
        writeln!(file, "{}", word.unwrap_or(""))
            .with_context(|| format!("cannot write {}", words_path.display()))?;
    }
    file.commit()?;
    let c = &m.coverage;
    if args.json {
        let out = json!({
            "output": args.output, "vocab_output": words_path, "rows": m.rows, "dim": m.dim,
            "found": c.found, "missing": c.missing.len(), "padding": c.padding,
            "coverage": c.ratio(), "missing_words": c.missing,
            "from_ngrams": unseen.from_ngrams, "without_ngrams": unseen.without_ngrams,
        });
        out!("{out}");
        return Ok(());
    }
    out!(
        "{} rows of {} written to {} (words in {})",
        m.rows,
        m.dim,
        args.output.display(),
        words_path.display()
    );
    out!(
        "found {} of {} words ({:.1}%), missing {}, padding rows {}",
        c.found,
        c.found + c.missing.len(),
        100.0 * c.ratio(),
        c.missing.len(),
        c.padding
    );
    if oov == OovInitArg::Subword {
        out!(
            "of those found, {} from their n-grams (not in the vocabulary); missing words have no n-gram",
            unseen.from_ngrams
        );
    }
    if !c.missing.is_empty() {
        let shown: Vec<&str> = c
            .missing
            .iter()
            .take(MISSING_SHOWN)
            .map(String::as_str)
            .collect();
        let more = c.missing.len().saturating_sub(MISSING_SHOWN);
        let tail = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        out!(
            "first missing (vocabulary order): {}{tail}",
            shown.join(" ")
        );
    }
    Ok(())
}
