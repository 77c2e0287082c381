//! `vectrain similar`: the nearest words of some words, by cosine similarity.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use vectrain::Embeddings;
use vectrain::embeddings::Query;

use super::output;

/// Options of `vectrain similar`.
#[derive(Args, Debug)]
pub struct SimilarArgs {
    /// Vector file (word2vec text or binary, or GloVe text; detected).
    file: PathBuf,
    /// Words to find neighbours of. Unknown ones are reported (with a suggestion when
    /// another case of the word is known) and make the exit status non-zero; the others are
    /// answered.
    #[arg(required = true)]
    words: Vec<String>,
    /// Neighbours per word.
    #[arg(short, default_value_t = 10)]
    k: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// A query word outside the vocabulary, and what it may have meant.
struct Unknown<'a> {
    word: &'a str,
    suggestion: Option<&'a str>,
}

impl std::fmt::Display for Unknown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not in the vocabulary", self.word)?;
        match self.suggestion {
            Some(known) => write!(f, "; did you mean {known:?}?"),
            None => Ok(()),
        }
    }
}

/// Runs `vectrain similar`: answers every known word, then fails if any was unknown.
pub fn run(args: SimilarArgs) -> anyhow::Result<()> {
    let emb = vectrain::read_vectors(&args.file)?;
    let known: Vec<&str> = args
        .words
        .iter()
        .map(String::as_str)
        .filter(|w| emb.vocab().id(w).is_some())
        .collect();
    let queries: Vec<Query<'_>> = known.iter().map(|&w| Query::Word(w)).collect();
    let mut answers = emb.most_similar_batch(&queries, args.k)?.into_iter();
    if args.json {
        let out: Vec<_> = args
            .words
            .iter()
            .map(|word| match unknown(&emb, word) {
                Some(u) => json!({"word": word, "unknown": true, "suggestion": u.suggestion}),
                None => {
                    let neighbours: Vec<_> = answers
                        .next()
                        .unwrap_or_default()
                        .iter()
                        .map(|n| json!({"word": n.word, "score": output::number(n.score)}))
                        .collect();
                    json!({"word": word, "neighbours": neighbours})
                }
            })
            .collect();
        println!("{}", serde_json::Value::Array(out));
    } else {
        for (i, word) in known.iter().enumerate() {
            if i > 0 {
                println!();
            }
            println!("{word}:");
            output::ranked(&answers.next().unwrap_or_default(), "cosine");
        }
    }
    let unknown: Vec<Unknown<'_>> = args.words.iter().filter_map(|w| unknown(&emb, w)).collect();
    match unknown.as_slice() {
        [] => Ok(()),
        [one] => anyhow::bail!("{one}"),
        several => {
            for u in several {
                eprintln!("{u}");
            }
            anyhow::bail!(
                "{} of {} words are not in the vocabulary",
                several.len(),
                args.words.len()
            )
        }
    }
}

/// `word` as an [`Unknown`] if it is not in the vocabulary.
fn unknown<'a>(emb: &'a Embeddings, word: &'a str) -> Option<Unknown<'a>> {
    match emb.vocab().id(word) {
        Some(_) => None,
        None => Some(Unknown {
            word,
            suggestion: emb.vocab().case_folded(word),
        }),
    }
}
