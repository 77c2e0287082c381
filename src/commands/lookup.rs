//! `vectrain lookup`: print the vectors of some words.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;
use vectrain::embeddings::{LookupOptions, Oov};

use super::output;

/// What to do with a word outside the vocabulary.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OovArg {
    /// Fail.
    Error,
    /// A row of zeros.
    Zeros,
    /// Leave the word out.
    Skip,
    /// The mean of all vectors.
    Mean,
}

impl From<OovArg> for Oov {
    fn from(arg: OovArg) -> Oov {
        match arg {
            OovArg::Error => Oov::Error,
            OovArg::Zeros => Oov::Zeros,
            OovArg::Skip => Oov::Skip,
            OovArg::Mean => Oov::Mean,
        }
    }
}

/// Options of `vectrain lookup`.
#[derive(Args, Debug)]
pub struct LookupArgs {
    /// Vector file (word2vec text or binary, or GloVe text; detected).
    file: PathBuf,
    /// Words to look up.
    #[arg(required = true)]
    words: Vec<String>,
    /// Unit-length vectors instead of the raw ones.
    #[arg(long)]
    normalized: bool,
    /// What to do with a word outside the vocabulary.
    #[arg(long, value_enum, default_value_t = OovArg::Error)]
    oov: OovArg,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain lookup`: one line `word v1 .. vD` per word (word2vec text rows).
pub fn run(args: LookupArgs) -> anyhow::Result<()> {
    let emb = vectrain::read_vectors(&args.file)?;
    let mut options = LookupOptions::new(args.oov.into());
    if args.normalized {
        options = options.normalized();
    }
    let batch = emb.embedding_batch(&args.words, options)?;
    let skipped = matches!(args.oov, OovArg::Skip);
    let shown = args
        .words
        .iter()
        .zip(&batch.found)
        .filter(|(_, found)| **found || !skipped);
    let rows = shown.zip(batch.data.chunks_exact(emb.dim()));
    if args.json {
        let out: Vec<_> = rows
            .map(|((word, found), v)| json!({"word": word, "found": found, "vector": output::numbers(v)}))
            .collect();
        println!("{}", serde_json::Value::Array(out));
        return Ok(());
    }
    for ((word, _), vector) in rows {
        let values: Vec<String> = vector.iter().map(f32::to_string).collect();
        println!("{word} {}", values.join(" "));
    }
    Ok(())
}
