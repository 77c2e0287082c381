//! `vectrain similar`: the nearest words of some words, by cosine similarity.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use vectrain::embeddings::Query;

use super::output;

/// Options of `vectrain similar`.
#[derive(Args, Debug)]
pub struct SimilarArgs {
    /// Vector file (word2vec text or binary, or GloVe text; detected).
    file: PathBuf,
    /// Words to find neighbours of.
    #[arg(required = true)]
    words: Vec<String>,
    /// Neighbours per word.
    #[arg(short, default_value_t = 10)]
    k: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain similar`.
pub fn run(args: SimilarArgs) -> anyhow::Result<()> {
    let emb = vectrain::read_vectors(&args.file)?;
    let queries: Vec<Query<'_>> = args.words.iter().map(|w| Query::Word(w)).collect();
    let answers = emb.most_similar_batch(&queries, args.k)?;
    if args.json {
        let out: Vec<_> = args
            .words
            .iter()
            .zip(&answers)
            .map(|(word, found)| {
                let neighbours: Vec<_> = found
                    .iter()
                    .map(|n| json!({"word": n.word, "score": output::number(n.score)}))
                    .collect();
                json!({"word": word, "neighbours": neighbours})
            })
            .collect();
        println!("{}", serde_json::Value::Array(out));
        return Ok(());
    }
    for (i, (word, found)) in args.words.iter().zip(&answers).enumerate() {
        if i > 0 {
            println!();
        }
        println!("{word}:");
        let rows: Vec<Vec<String>> = found
            .iter()
            .enumerate()
            .map(|(rank, n)| {
                vec![
                    (rank + 1).to_string(),
                    n.word.to_owned(),
                    format!("{:.4}", n.score),
                ]
            })
            .collect();
        output::table(&["rank", "word", "cosine"], &rows, &[0, 2]);
    }
    Ok(())
}
