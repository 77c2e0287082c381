//! `vectrain::eval` against gensim 4.4 itself, on the same vectors.
//!
//! Each test writes vectors as word2vec text (f32 `{}` formatting round-trips exactly), runs
//! `tests/python/gensim_eval.py` on them and compares: per-section analogy counts and the
//! covered count must be equal, the accuracy within 0.1 point; Spearman and Pearson within
//! 0.001 and the out-of-vocabulary pair count equal.
//!
//! Python is `$VECTRAIN_PYTHON` if set, else `.venv/bin/python` in the crate; it needs
//! gensim 4.4, numpy and scipy. Without it these tests fail, saying how to set it up.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::support::python;

use serde_json::Value;
use vectrain::eval::{self, AnalogyReport, SimilarityReport};
use vectrain::{Corpus, Embeddings, ReadOptions, TrainConfig, Vocab};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn data(name: &str) -> PathBuf {
    Path::new(MANIFEST).join("../shared/data").join(name)
}

/// Runs gensim's evaluation of the vectors in `vectors` and returns its JSON.
fn gensim(vectors: &Path, restrict: usize) -> Value {
    let args = [
        vectors.as_os_str().to_owned(),
        data("questions-words.txt").into_os_string(),
        data("wordsim353.tsv").into_os_string(),
        restrict.to_string().into(),
    ];
    let stdout = python::run_script("gensim_eval.py", &args);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("gensim_eval.py printed no JSON ({e}): {stdout}"))
}

/// word2vec text format: a `rows dim` header, then `word v1 v2 ...` per row.
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

fn as_usize(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}")) as usize
}

fn as_f64(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Evaluates with vectrain and gensim and asserts that they agree; returns vectrain's reports.
fn compare(emb: &Embeddings, restrict: usize, label: &str) -> (AnalogyReport, SimilarityReport) {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("vectors.txt");
    write_word2vec(emb, &vectors);

    let started = Instant::now();
    let analogies = eval::evaluate_analogies(emb, &data("questions-words.txt"), restrict).unwrap();
    let pairs = eval::evaluate_word_pairs(emb, &data("wordsim353.tsv"), restrict).unwrap();
    let ours = started.elapsed();
    let started = Instant::now();
    let theirs = gensim(&vectors, restrict);
    eprintln!(
        "{label}: vectrain {:.2} s, gensim {:.2} s\n{analogies}\n{pairs}",
        ours.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );

    assert_eq!(
        as_usize(&theirs["vocab"]),
        emb.len(),
        "{label}: gensim read another vocabulary"
    );
    let g = &theirs["analogy"];
    let sections = g["sections"].as_array().unwrap();
    assert_eq!(
        sections.len(),
        analogies.sections.len(),
        "{label}: sections"
    );
    for (ours, theirs) in analogies.sections.iter().zip(sections) {
        assert_eq!(ours.name, theirs["name"].as_str().unwrap(), "{label}");
        assert_eq!(
            (ours.correct, ours.incorrect),
            (as_usize(&theirs["correct"]), as_usize(&theirs["incorrect"])),
            "{label}: section {} (correct, incorrect) differs from gensim",
            ours.name
        );
    }
    assert_eq!(
        analogies.covered,
        as_usize(&g["covered"]),
        "{label}: covered"
    );
    assert_eq!(
        analogies.correct,
        as_usize(&g["correct"]),
        "{label}: correct"
    );
    assert_eq!(
        analogies.total_questions,
        as_usize(&g["questions"]),
        "{label}: questions"
    );
    let (acc, gacc) = (100.0 * analogies.accuracy(), 100.0 * as_f64(&g["score"]));
    assert!(
        (acc - gacc).abs() <= 0.1,
        "{label}: accuracy {acc}% vs gensim {gacc}%"
    );

    let g = &theirs["pairs"];
    assert_eq!(
        pairs.oov_pairs,
        as_usize(&g["oov_pairs"]),
        "{label}: OOV pairs"
    );
    assert_eq!(
        pairs.pairs_used + pairs.oov_pairs,
        as_usize(&g["pairs_total"]),
        "{label}"
    );
    let oov_pct = 100.0 * pairs.oov_ratio();
    assert!(
        (oov_pct - as_f64(&g["oov_ratio"])).abs() < 1e-9,
        "{label}: OOV ratio"
    );
    for (name, ours, theirs) in [
        ("Spearman", pairs.spearman, as_f64(&g["spearman"])),
        ("Pearson", pairs.pearson, as_f64(&g["pearson"])),
    ] {
        assert!(
            (ours - theirs).abs() <= 1e-3,
            "{label}: {name} {ours} vs gensim {theirs}"
        );
    }
    (analogies, pairs)
}

/// Vectors trained on the King James Bible: few analogy questions (about 900) are covered,
/// but they are real vectors with real near-misses.
#[test]
fn kjv_vectors_match_gensim() {
    let options = ReadOptions {
        lowercase: false,
        min_count: 5,
        max_vocab: None,
        ..ReadOptions::default()
    };
    let corpus = Corpus::read(&data("kjv.txt"), &options).unwrap();
    let params = TrainConfig {
        dim: 50,
        epochs: 2,
        min_count: 5,
        deterministic: true,
        seed: 7,
        ..TrainConfig::default()
    }
    .check()
    .unwrap();
    let started = Instant::now();
    let trained = vectrain::train_to_end(
        &mut vectrain::cpu::CpuBackend::new(params.threads),
        &corpus,
        &params,
        &mut |_| {},
    )
    .unwrap();
    eprintln!("trained on KJV in {:.1} s", started.elapsed().as_secs_f64());
    let emb = trained.embeddings;

    let (analogies, pairs) = compare(&emb, eval::DEFAULT_RESTRICT, "kjv");
    assert!(analogies.covered > 500, "{analogies}");
    assert!(analogies.correct > 0, "{analogies}");
    assert!(pairs.pairs_used > 20, "{pairs}");
    // A restriction that drops part of the covered questions and pairs.
    let (restricted, _) = compare(&emb, 1500, "kjv, first 1500 words");
    assert!(restricted.covered < analogies.covered);
    assert!(restricted.covered > 0);
}

/// splitmix64: a tiny deterministic generator for the synthetic vectors.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal (sum of uniforms), mean 0, deviation 1.
    fn normal(&mut self) -> f32 {
        ((0..12).map(|_| self.uniform()).sum::<f64>() - 6.0) as f32
    }

    fn vector(&mut self, dim: usize, scale: f32) -> Vec<f32> {
        (0..dim).map(|_| scale * self.normal()).collect()
    }
}

/// Vectors over every word of the test sets, built so that analogies partly hold: the second
/// word of a pair is the first plus a per-section offset plus noise. Case variants (a word
/// in file case and lower case, at different rows, with different vectors), missing words
/// and fillers exercise the case-folding, coverage and restriction rules; the restriction
/// leaves out some question words and some case variants.
#[test]
fn structured_random_vectors_match_gensim() {
    let dim = 50;
    let mut rng = Rng(42);
    let questions = std::fs::read_to_string(data("questions-words.txt")).unwrap();
    let mut vectors: HashMap<String, Vec<f32>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut offset = rng.vector(dim, 1.0);
    for line in questions.lines() {
        if line.starts_with(": ") {
            offset = rng.vector(dim, 1.0);
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.chunks(2) {
            let [first, second] = [pair[0], pair[1]].map(str::to_lowercase);
            if !vectors.contains_key(&first) {
                vectors.insert(first.clone(), rng.vector(dim, 1.0));
                order.push(first.clone());
            }
            if !vectors.contains_key(&second) {
                let base = vectors[&first].clone();
                let noise = rng.vector(dim, 0.9);
                let v = (0..dim).map(|i| base[i] + offset[i] + noise[i]).collect();
                vectors.insert(second.clone(), v);
                order.push(second);
            }
        }
    }
    let pairs = std::fs::read_to_string(data("wordsim353.tsv")).unwrap();
    for line in pairs.lines().filter(|l| !l.starts_with('#')) {
        for word in line.split('\t').take(2) {
            let word = word.to_lowercase();
            if !vectors.contains_key(&word) {
                vectors.insert(word.clone(), rng.vector(dim, 1.0));
                order.push(word);
            }
        }
    }
    let mut words: Vec<(String, Vec<f32>)> = Vec::new();
    for word in order {
        let v = vectors.remove(&word).unwrap();
        let draw = rng.uniform();
        if draw < 0.03 {
            continue; // missing: its questions and pairs are not covered
        }
        if draw < 0.13 {
            // A capitalised twin with another vector, placed anywhere.
            let mut twin = word.clone();
            twin[..1].make_ascii_uppercase();
            words.push((twin, rng.vector(dim, 1.0)));
        }
        words.push((word, v));
    }
    for i in 0..6000 {
        words.push((format!("filler{i}"), rng.vector(dim, 1.0)));
    }
    // Fisher-Yates with the test's generator: vocabulary order is frequency order.
    for i in (1..words.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        words.swap(i, j);
    }
    let n = words.len();
    let (names, rows): (Vec<String>, Vec<Vec<f32>>) = words.into_iter().unzip();
    let emb = Embeddings::new(
        Vocab::from_ordered(names, vec![1; n]),
        dim,
        rows.into_iter().flatten().collect(),
    )
    .unwrap();

    let (all, pairs) = compare(&emb, eval::DEFAULT_RESTRICT, "synthetic");
    assert!(all.covered > 15_000, "{all}");
    assert!(all.correct > 1000 && all.correct < all.covered, "{all}");
    assert!(pairs.oov_pairs > 0 && pairs.pairs_used > 300, "{pairs}");
    let (restricted, _) = compare(&emb, n - 1200, "synthetic, restricted");
    assert!(restricted.covered < all.covered, "{restricted}");
}
