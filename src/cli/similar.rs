//! `vectrain similar`: the nearest words of some words, by cosine similarity.

use std::path::PathBuf;

use crate::Embeddings;
use crate::cli::say::{note, out};
use crate::embeddings::Query;
use crate::subwords::{NgramTable, VectorSource};
use clap::Args;
use serde_json::json;

use super::output;
use super::unseen;

/// Options of `vectrain similar`.
#[derive(Args, Debug)]
pub struct SimilarArgs {
    /// Vector file (word2vec text or binary, GloVe text or fastText .bin; detected).
    file: PathBuf,
    /// Words to find neighbours of (with a fastText .bin, unseen words by their n-grams).
    /// Unknown ones are reported (with a suggestion when
    /// another case of the word is known) and make the exit status non-zero; the others are
    /// answered.
    #[arg(required = true)]
    words: Vec<String>,
    /// Neighbours per word.
    #[arg(
        short,
        default_value_t = 10,
        value_parser = super::settings::at_least_one()
    )]
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
///
/// Where the file has n-grams (a fastText `.bin`), a word outside the vocabulary is known by
/// its n-gram vector, normalised, as gensim's `most_similar` takes it; its neighbours are
/// vocabulary words, as in fastText and gensim.
pub fn run(args: SimilarArgs) -> anyhow::Result<()> {
    let loaded = unseen::read(&args.file)?;
    let emb = &loaded.embeddings;
    let ngram_vectors: Vec<Option<Vec<f32>>> = args
        .words
        .iter()
        .map(|word| match (emb.vocab().id(word), &loaded.ngrams) {
            (None, Some(table)) => unit_ngram_vector(table, word),
            _ => None,
        })
        .collect();
    let answered =
        |i: usize| emb.vocab().id(&args.words[i]).is_some() || ngram_vectors[i].is_some();
    let known: Vec<usize> = (0..args.words.len()).filter(|&i| answered(i)).collect();
    let queries: Vec<Query<'_>> = known
        .iter()
        .map(|&i| match &ngram_vectors[i] {
            Some(vector) => Query::Vector(vector),
            None => Query::Word(&args.words[i]),
        })
        .collect();
    let mut answers = emb.most_similar_batch(&queries, args.k)?.into_iter();
    if args.json {
        let out: Vec<_> = (0..args.words.len())
            .map(|i| {
                let word = &args.words[i];
                if !answered(i) {
                    let u = unknown(emb, word);
                    let suggestion = u.and_then(|u| u.suggestion);
                    return json!({"word": word, "unknown": true, "suggestion": suggestion});
                }
                let neighbours: Vec<_> = answers
                    .next()
                    .unwrap_or_default()
                    .iter()
                    .map(|n| json!({"word": n.word, "score": output::number(n.score)}))
                    .collect();
                let from_ngrams = ngram_vectors[i].is_some();
                json!({"word": word, "from_ngrams": from_ngrams, "neighbours": neighbours})
            })
            .collect();
        out!("{}", serde_json::Value::Array(out));
    } else {
        for (n, &i) in known.iter().enumerate() {
            if n > 0 {
                out!();
            }
            let note = if ngram_vectors[i].is_some() {
                " (not in the vocabulary: its n-gram vector)"
            } else {
                ""
            };
            out!("{}:{note}", args.words[i]);
            output::ranked(&answers.next().unwrap_or_default(), "cosine");
        }
    }
    let unknown: Vec<Unknown<'_>> = (0..args.words.len())
        .filter(|&i| !answered(i))
        .filter_map(|i| unknown(emb, &args.words[i]))
        .collect();
    match unknown.as_slice() {
        [] => Ok(()),
        [one] => anyhow::bail!("{one}"),
        several => {
            for u in several {
                note!("{u}");
            }
            anyhow::bail!(
                "{} of {} words are not in the vocabulary",
                several.len(),
                args.words.len()
            )
        }
    }
}

/// The unit-length n-gram vector of `word`, if it has any n-gram.
fn unit_ngram_vector(table: &NgramTable, word: &str) -> Option<Vec<f32>> {
    let mut vector = vec![0.0; table.dim()];
    if table.vector(word, &mut vector) == VectorSource::Nothing {
        return None;
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    Some(vector)
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
