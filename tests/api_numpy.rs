//! Sentence vectors and the `.npy` writer against numpy itself.
//!
//! SIF pooling must equal a numpy implementation (`tests/python/numpy_check.py sif`) within
//! 1e-5; a written `.npy` must load in numpy with the same shape, dtype float32, C order and
//! bit-identical values. Needs the test Python (see `tests/support/python.rs`).

use crate::support::python;

use std::fmt::Write as _;

use serde_json::Value;
use vectrain::embeddings::Oov;
use vectrain::io::npy;
use vectrain::matrix::{self, OovInit, WordIndex};
use vectrain::sentences::{self, Component, Frequencies, Pooling, SifConfig};

fn values(n: usize, seed: u32) -> Vec<f32> {
    vectrain::rng::uniform_values(n, seed)
}

/// A word2vec text file of 200 words `w0..` of 16 values.
fn vector_file(dir: &std::path::Path) -> std::path::PathBuf {
    let (n, dim) = (200, 16);
    let data = values(n * dim, 11);
    let mut text = format!("{n} {dim}\n");
    for i in 0..n {
        write!(text, "w{i}").unwrap();
        for x in &data[i * dim..(i + 1) * dim] {
            write!(text, " {x}").unwrap();
        }
        text.push('\n');
    }
    let path = dir.join("vectors.txt");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn sif_agrees_with_numpy() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = vector_file(dir.path());
    let emb = vectrain::read_vectors(&vectors).unwrap();
    // Sentences of known and unknown words, one without any known word.
    let picks = values(400, 5);
    let mut sentences: Vec<Vec<String>> = (0..40)
        .map(|s| {
            let len = 1 + s % 9;
            (0..len)
                .map(|t| format!("w{}", ((picks[s * 9 + t] + 0.5) * 230.0) as usize))
                .collect()
        })
        .collect();
    sentences.push(vec!["unknown".into(), "w9999".into()]);
    let text: String = sentences.iter().map(|s| s.join(" ") + "\n").collect();
    let sentences_path = dir.path().join("sentences.txt");
    std::fs::write(&sentences_path, text).unwrap();

    let a = 1e-3;
    let config = SifConfig {
        a,
        frequencies: Frequencies::Zipf,
        component: Component::Batch,
    };
    let got = sentences::pool(&emb, &sentences, &Pooling::Sif(config), Oov::Skip).unwrap();
    let out = python::run_script(
        "numpy_check.py",
        &[
            "sif",
            vectors.to_str().unwrap(),
            sentences_path.to_str().unwrap(),
            &a.to_string(),
        ],
    );
    let expected: Vec<Vec<f64>> = serde_json::from_str(&out).unwrap();
    assert_eq!(expected.len(), got.rows);
    for (i, row) in expected.iter().enumerate() {
        assert_eq!(row.len(), got.dim);
        for (k, &e) in row.iter().enumerate() {
            let g = f64::from(got.row(i)[k]);
            assert!(
                (g - e).abs() <= 1e-5,
                "sentence {i} value {k}: {g} vs numpy {e}"
            );
        }
    }
}

#[test]
fn npy_loads_in_numpy_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let emb = vectrain::read_vectors(&vector_file(dir.path())).unwrap();
    let index = WordIndex::from_words(["w3", "nope", "w0", "w199"].map(String::from));
    let m = matrix::build(&emb, &index, OovInit::Random { seed: 1 }).unwrap();
    let mut data = m.data.clone();
    // Values that test the encoding: signed zero, subnormal, extremes (one row of 16).
    let special = [
        -0.0,
        1e-40,
        f32::MAX,
        f32::MIN_POSITIVE,
        -1.5,
        0.1,
        3.0,
        1e30,
    ];
    data.extend(special.repeat(2));
    for shape in [vec![m.rows + 1, m.dim], vec![data.len()]] {
        let path = dir.path().join("m.npy");
        npy::write_f32_file(&path, &shape, &data).unwrap();
        let out = python::run_script("numpy_check.py", &["npy", path.to_str().unwrap()]);
        let seen: Value = serde_json::from_str(&out).unwrap();
        let seen_shape: Vec<usize> = serde_json::from_value(seen["shape"].clone()).unwrap();
        assert_eq!(seen_shape, shape);
        assert_eq!(seen["dtype"], "float32");
        assert_eq!(seen["c_contiguous"], true);
        let bits: Vec<u32> = serde_json::from_value(seen["bits"].clone()).unwrap();
        assert_eq!(bits.len(), data.len());
        assert!(bits.iter().zip(&data).all(|(b, x)| *b == x.to_bits()));
        assert_eq!(npy::read_f32_file(&path).unwrap(), (shape, data.clone()));
    }
}
