//! `vectrain eval`: analogy accuracy and word-pair correlation of a vector file.

use std::path::PathBuf;

use crate::cli::reading_bar::with_reading_bar;
use crate::cli::say::out;
use crate::eval::{self, DEFAULT_RESTRICT};
use anyhow::Context;
use clap::Args;
use serde_json::json;

/// Options of `vectrain eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Vector file (word2vec text or binary, or GloVe text; detected).
    #[arg(long, short)]
    vectors: PathBuf,
    /// Analogy questions in the format of word2vec's questions-words.txt (3CosAdd).
    #[arg(long)]
    analogies: Option<PathBuf>,
    /// Word-pair similarity files (word, word, human score; tab or space separated).
    #[arg(long)]
    similarity: Vec<PathBuf>,
    /// Use only the N most frequent words (gensim's restrict_vocab).
    #[arg(long, default_value_t = DEFAULT_RESTRICT)]
    restrict: usize,
    /// Compare words as they are, not in upper case (gensim's case_insensitive=False).
    #[arg(long)]
    case_sensitive: bool,
    /// Count a question with an unknown word as answered wrong, and a pair with one at a
    /// model similarity of 0, instead of skipping them (gensim's dummy4unknown=True).
    #[arg(long)]
    dummy4unknown: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl EvalArgs {
    fn options(&self) -> eval::EvalOptions {
        eval::EvalOptions {
            restrict: self.restrict,
            case_insensitive: !self.case_sensitive,
            dummy4unknown: self.dummy4unknown,
        }
    }
}

/// Runs `vectrain eval`.
pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    if args.analogies.is_none() && args.similarity.is_empty() {
        anyhow::bail!("nothing to evaluate: give --analogies FILE and/or --similarity FILE");
    }
    let vectors =
        with_reading_bar(|progress| crate::io::read_vectors_reporting(&args.vectors, progress))?;
    let mut report = serde_json::Map::new();
    if let Some(path) = &args.analogies {
        let analogies = eval::evaluate_analogies(&vectors, path, args.options())
            .with_context(|| format!("evaluating analogies of {}", path.display()))?;
        if args.json {
            let sections: Vec<_> = analogies
                .sections
                .iter()
                .map(|s| json!({"name": s.name, "correct": s.correct, "incorrect": s.incorrect, "questions": s.questions}))
                .collect();
            report.insert(
                "analogies".into(),
                json!({
                    "file": path, "accuracy": analogies.accuracy(), "correct": analogies.correct,
                    "covered": analogies.covered, "total_questions": analogies.total_questions,
                    "unknown_counted_wrong": analogies.unknown_counted_wrong,
                    "sections": sections,
                }),
            );
        } else {
            out!("analogies {}:\n{analogies}", path.display());
        }
    }
    let mut pairs = Vec::new();
    for path in &args.similarity {
        let similarity = eval::evaluate_word_pairs(&vectors, path, args.options())
            .with_context(|| format!("evaluating word pairs of {}", path.display()))?;
        if args.json {
            pairs.push(json!({
                "file": path, "spearman": similarity.spearman, "pearson": similarity.pearson,
                "pairs_used": similarity.pairs_used, "oov_pairs": similarity.oov_pairs,
                "oov_at_zero": similarity.oov_at_zero,
            }));
        } else {
            let at_zero = if similarity.oov_at_zero {
                ", correlated at similarity 0"
            } else {
                ""
            };
            out!(
                "word pairs {}: Spearman {:.4}, Pearson {:.4}, {} pairs used, {} out of vocabulary ({:.1}%){at_zero}",
                path.display(),
                similarity.spearman,
                similarity.pearson,
                similarity.pairs_used,
                similarity.oov_pairs,
                100.0 * similarity.oov_ratio()
            );
        }
    }
    if args.json {
        if !pairs.is_empty() {
            report.insert("similarity".into(), pairs.into());
        }
        out!("{}", serde_json::Value::Object(report));
    }
    Ok(())
}
