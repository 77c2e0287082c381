//! `vectrain lookup`: print the vectors of some words.

use std::path::{Path, PathBuf};

use crate::cli::say::out;
use crate::embeddings::{LookupOptions, Oov};
use clap::{Args, ValueEnum};
use serde_json::json;

use super::output;
use super::unseen::{self, Loaded, no_ngrams};

/// What to do with a word outside the vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OovArg {
    /// Fail.
    Error,
    /// A row of zeros.
    Zeros,
    /// Leave the word out.
    Skip,
    /// The mean of all vectors.
    Mean,
    /// The mean of the word's n-gram rows (fastText .bin files), zeros for a word without
    /// n-grams, as fastText gives them.
    Subword,
}

impl OovArg {
    /// The policy `given` on the command line, else `subword` where the file has n-grams,
    /// else `otherwise`; refused where `subword` is asked of a file without n-grams.
    pub fn resolve(
        given: Option<OovArg>,
        loaded: &Loaded,
        otherwise: OovArg,
        path: &Path,
    ) -> anyhow::Result<OovArg> {
        match (given, loaded.ngrams.is_some()) {
            (Some(OovArg::Subword), false) => Err(no_ngrams(path)),
            (Some(given), _) => Ok(given),
            (None, true) => Ok(OovArg::Subword),
            (None, false) => Ok(otherwise),
        }
    }

    /// The library's policy for the words still unknown once n-gram vectors are added:
    /// under `subword` those have no n-gram and get zeros, as in fastText.
    pub fn policy(self) -> Oov {
        match self {
            OovArg::Error => Oov::Error,
            OovArg::Zeros | OovArg::Subword => Oov::Zeros,
            OovArg::Skip => Oov::Skip,
            OovArg::Mean => Oov::Mean,
        }
    }
}

/// Options of `vectrain lookup`.
#[derive(Args, Debug)]
pub struct LookupArgs {
    /// Vector file (word2vec text or binary, GloVe text or fastText .bin; detected).
    file: PathBuf,
    /// Words to look up.
    #[arg(required = true)]
    words: Vec<String>,
    /// Unit-length vectors instead of the raw ones.
    #[arg(long)]
    normalized: bool,
    /// What to do with a word outside the vocabulary [default: subword for a fastText .bin,
    /// else error].
    #[arg(long, value_enum)]
    oov: Option<OovArg>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain lookup`: one line `word v1 .. vD` per word (word2vec text rows).
pub fn run(args: LookupArgs) -> anyhow::Result<()> {
    let loaded = unseen::read(&args.file)?;
    let oov = OovArg::resolve(args.oov, &loaded, OovArg::Error, &args.file)?;
    // Words at or past this id came from n-grams.
    let vocabulary = loaded.embeddings.len();
    let (emb, _) = match oov {
        OovArg::Subword => loaded.with_unseen(args.words.iter().map(String::as_str))?,
        _ => (loaded.embeddings, Default::default()),
    };
    let from_ngrams = |word: &str| {
        emb.vocab()
            .id(word)
            .is_some_and(|id| id as usize >= vocabulary)
    };
    let mut options = LookupOptions::new(oov.policy());
    if args.normalized {
        options = options.normalized();
    }
    let batch = emb.embedding_batch(&args.words, options)?;
    let skipped = oov == OovArg::Skip;
    let shown = args
        .words
        .iter()
        .zip(&batch.found)
        .filter(|(_, found)| **found || !skipped);
    let rows = shown.zip(batch.data.chunks_exact(emb.dim()));
    if args.json {
        let out: Vec<_> = rows
            .map(|((word, found), v)| {
                let ngrams = from_ngrams(word);
                json!({"word": word, "found": *found && !ngrams, "from_ngrams": ngrams, "vector": output::numbers(v)})
            })
            .collect();
        out!("{}", serde_json::Value::Array(out));
        return Ok(());
    }
    for ((word, _), vector) in rows {
        let values: Vec<String> = vector.iter().map(f32::to_string).collect();
        out!("{word} {}", values.join(" "));
    }
    Ok(())
}
