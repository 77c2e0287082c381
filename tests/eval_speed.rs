//! The analogy evaluation at full scale must stay fast: every one of the 19,544 questions of
//! `questions-words.txt` against a 56,828-word, 100-dimension vocabulary (the size of the
//! `mix8m` reference vocabulary) is about 111 G multiply-adds, and must take well under a
//! minute on two cores.

use std::path::Path;
use std::time::Instant;

use vectrain::{Embeddings, Vocab, eval};

const QUESTIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/questions-words.txt"
);

#[test]
fn full_size_analogy_evaluation_is_fast() {
    let (dim, size) = (100, 56_828);
    let text = std::fs::read_to_string(QUESTIONS).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut words: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(": "))
        .flat_map(str::split_whitespace)
        .map(str::to_lowercase)
        .filter(|w| seen.insert(w.clone()))
        .collect();
    while words.len() < size {
        words.push(format!("filler{}", words.len()));
    }
    // A linear congruential generator is plenty for filler vectors.
    let mut state = 1u64;
    let data = (0..size * dim)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect();
    let emb = Embeddings::new(Vocab::from_ordered(words, vec![1; size]), dim, data).unwrap();

    let started = Instant::now();
    let report =
        eval::evaluate_analogies(&emb, Path::new(QUESTIONS), eval::DEFAULT_RESTRICT).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{} questions against {size} words of {dim} dimensions in {seconds:.1} s",
        report.covered
    );
    assert_eq!(report.covered, 19_544);
    assert!(seconds < 60.0, "took {seconds:.1} s");
}
