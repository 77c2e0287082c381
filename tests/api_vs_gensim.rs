//! The query API against gensim 4.4 itself, on the same word2vec text file.
//!
//! `most_similar` (by word and by vector), 3CosAdd and 3CosMul analogies and `similarity`
//! must give the same top-k words in the same order as gensim's `most_similar` /
//! `most_similar_cosmul`, with scores within 1e-5. Needs the test Python (see
//! `tests/support/python.rs`); fails without it.

use crate::support::python;

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use vectrain::embeddings::{AnalogyMethod, Neighbour, Query};
use vectrain::{Embeddings, Vocab};

const K: usize = 10;
const TOLERANCE: f32 = 1e-5;

fn values(n: usize, seed: u32) -> Vec<f32> {
    vectrain::rng::uniform_values(n, seed)
}

/// 3,000 words of 40 dimensions, with clusters so that neighbours mean something.
fn embeddings() -> Embeddings {
    let (n, dim) = (3000, 40);
    let centres = values(30 * dim, 7);
    let noise = values(n * dim, 8);
    let data: Vec<f32> = (0..n * dim)
        .map(|i| centres[(i / dim % 30) * dim + i % dim] + 0.6 * noise[i])
        .collect();
    let words: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
    Embeddings::new(Vocab::from_ordered(words, vec![1; n]), dim, data).unwrap()
}

fn write_word2vec(emb: &Embeddings, path: &Path) {
    let mut text = format!("{} {}\n", emb.len(), emb.dim());
    for (id, word) in emb.vocab().words().iter().enumerate() {
        text.push_str(word);
        for x in emb.row(id as u32) {
            write!(text, " {x}").unwrap();
        }
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn assert_same(what: &str, got: &[Neighbour<'_>], expected: &Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(got.len(), expected.len(), "{what}: number of answers");
    for (rank, (g, e)) in got.iter().zip(expected).enumerate() {
        let (word, score) = (e[0].as_str().unwrap(), e[1].as_f64().unwrap() as f32);
        assert_eq!(g.word, word, "{what}: word at rank {rank}");
        assert!(
            (g.score - score).abs() <= TOLERANCE,
            "{what}: score of {word}: {} vs gensim {score}",
            g.score
        );
    }
}

#[test]
fn queries_agree_with_gensim() {
    let dir = tempfile::tempdir().unwrap();
    let emb = embeddings();
    let vectors = dir.path().join("vectors.txt");
    write_word2vec(&emb, &vectors);
    // Read back, as a user would: the file's vectors are what gensim sees.
    let emb = vectrain::read_vectors(&vectors).unwrap();

    let words: Vec<String> = [0, 1, 17, 512, 2999].map(|i| format!("w{i}")).to_vec();
    let query_vectors: Vec<Vec<f32>> = (0..3).map(|s| values(emb.dim(), 100 + s)).collect();
    let analogies: Vec<[String; 3]> = [[3, 40, 77], [5, 6, 7], [1000, 2001, 2500]]
        .map(|t| t.map(|i| format!("w{i}")))
        .to_vec();
    let pairs = [["w0", "w1"], ["w3", "w33"], ["w100", "w2900"]];
    let queries = json!({
        "k": K, "words": words, "vectors": query_vectors, "analogies": analogies, "pairs": pairs,
    });
    let queries_path = dir.path().join("queries.json");
    std::fs::write(&queries_path, queries.to_string()).unwrap();
    let out = python::run_script(
        "gensim_query.py",
        &[vectors.to_str().unwrap(), queries_path.to_str().unwrap()],
    );
    let gensim: Value = serde_json::from_str(&out).unwrap();

    let word_queries: Vec<Query<'_>> = words.iter().map(|w| Query::Word(w)).collect();
    let batch = emb.most_similar_batch(&word_queries, K).unwrap();
    for (i, word) in words.iter().enumerate() {
        let single = emb.most_similar(word.as_str(), K, &[]).unwrap();
        assert_same(
            &format!("most_similar({word})"),
            &single,
            &gensim["words"][i],
        );
        assert_same(&format!("batch({word})"), &batch[i], &gensim["words"][i]);
    }
    for (i, v) in query_vectors.iter().enumerate() {
        let got = emb.most_similar(v.as_slice(), K, &[]).unwrap();
        assert_same(&format!("vector query {i}"), &got, &gensim["vectors"][i]);
    }
    for (i, [a, b, c]) in analogies.iter().enumerate() {
        let add = emb.analogy(a, b, c, K, AnalogyMethod::Add).unwrap();
        assert_same(&format!("3CosAdd {a} {b} {c}"), &add, &gensim["add"][i]);
        let mul = emb.analogy(a, b, c, K, AnalogyMethod::Mul).unwrap();
        assert_same(&format!("3CosMul {a} {b} {c}"), &mul, &gensim["mul"][i]);
    }
    for (i, [a, b]) in pairs.iter().enumerate() {
        let expected = gensim["similarity"][i].as_f64().unwrap() as f32;
        let got = emb.similarity(a, b).unwrap();
        assert!(
            (got - expected).abs() <= TOLERANCE,
            "similarity {a} {b}: {got} vs {expected}"
        );
    }
}
