//! `vectrain analogy`: "a is to b as c is to ?" by 3CosAdd or 3CosMul.

use std::path::PathBuf;

use crate::cli::say::out;
use crate::embeddings::AnalogyMethod;
use clap::Args;
use serde_json::json;

use super::output;
use super::unseen;

/// Options of `vectrain analogy`.
#[derive(Args, Debug)]
pub struct AnalogyArgs {
    /// Vector file (word2vec text or binary, GloVe text or fastText .bin; detected).
    file: PathBuf,
    /// a, in "a is to b as c is to ?".
    a: String,
    /// b.
    b: String,
    /// c.
    c: String,
    /// Answers to print.
    #[arg(
        short,
        default_value_t = 10,
        value_parser = super::settings::at_least_one()
    )]
    k: usize,
    /// Use 3CosMul (gensim's most_similar_cosmul) instead of 3CosAdd.
    #[arg(long)]
    cosmul: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain analogy`.
pub fn run(args: AnalogyArgs) -> anyhow::Result<()> {
    // With n-grams (a fastText .bin) an unseen a, b or c takes its n-gram vector, as in
    // gensim; the three are never answers, so the added words never come back.
    let (emb, _) =
        unseen::read(&args.file)?.with_unseen([&args.a, &args.b, &args.c].map(String::as_str))?;
    let method = if args.cosmul {
        AnalogyMethod::Mul
    } else {
        AnalogyMethod::Add
    };
    let answers = emb.analogy(&args.a, &args.b, &args.c, args.k, method)?;
    let method_name = if args.cosmul { "3CosMul" } else { "3CosAdd" };
    if args.json {
        let out: Vec<_> = answers
            .iter()
            .map(|n| json!({"word": n.word, "score": output::number(n.score)}))
            .collect();
        let query = json!({"a": args.a, "b": args.b, "c": args.c, "method": method_name});
        out!("{}", json!({"query": query, "answers": out}));
        return Ok(());
    }
    out!(
        "{} is to {} as {} is to ? ({method_name})",
        args.a,
        args.b,
        args.c
    );
    output::ranked(&answers, "score");
    Ok(())
}
