//! Word classes (k-means, `vectrain classes`): against word2vec.c's method on vectors
//! trained on real text, and the command line's output and refusals.

use crate::support::cli::{self, json, ok, s};
use crate::support::python;

use vectrain::embeddings::ClassOptions;
use vectrain::{Corpus, Embeddings, ReadOptions, TrainConfig};

/// Vectors trained on the King James Bible: small and quick, but real text.
fn kjv_vectors() -> Embeddings {
    let corpus = Corpus::read(&python::shared_data("kjv.txt"), &ReadOptions::default()).unwrap();
    let params = TrainConfig {
        dim: 32,
        epochs: 3,
        deterministic: true,
        ..TrainConfig::default()
    }
    .check()
    .unwrap();
    let mut backend = vectrain::cpu::CpuBackend::new(params.threads);
    vectrain::train_to_end(&mut backend, &corpus, &params, &mut |_| {})
        .unwrap()
        .embeddings
}

/// word2vec.c's `-classes` k-means, as its source does it: class `i mod k` first, then each
/// pass sums the raw rows of a class, normalises the sum, and gives every word the class of
/// highest dot product with its raw row.
fn word2vec_c_classes(emb: &Embeddings, k: usize, passes: usize) -> Vec<usize> {
    let dim = emb.dim();
    let mut classes: Vec<usize> = (0..emb.len()).map(|i| i % k).collect();
    for _ in 0..passes {
        let mut centroids = vec![0.0f64; k * dim];
        for (id, &class) in classes.iter().enumerate() {
            for (c, &x) in centroids[class * dim..].iter_mut().zip(emb.row(id as u32)) {
                *c += f64::from(x);
            }
        }
        for centroid in centroids.chunks_exact_mut(dim) {
            let norm = centroid.iter().map(|c| c * c).sum::<f64>().sqrt();
            centroid
                .iter_mut()
                .for_each(|c| *c /= norm.max(f64::MIN_POSITIVE));
        }
        for (id, class) in classes.iter_mut().enumerate() {
            let row = emb.row(id as u32);
            let score = |j: usize| -> f64 {
                let c = &centroids[j * dim..(j + 1) * dim];
                c.iter().zip(row).map(|(c, &x)| c * f64::from(x)).sum()
            };
            *class = (0..k).fold(0, |best, j| if score(j) > score(best) { j } else { best });
        }
    }
    classes
}

/// The objective of spherical k-means for a partition: the mean cosine of each word's unit
/// row to the normalised sum of its class's unit rows.
fn mean_cosine(emb: &Embeddings, classes: &[usize], k: usize) -> f64 {
    let dim = emb.dim();
    let mut sums = vec![0.0f64; k * dim];
    for (id, &class) in classes.iter().enumerate() {
        for (c, &x) in sums[class * dim..].iter_mut().zip(emb.unit_row(id as u32)) {
            *c += f64::from(x);
        }
    }
    let norms: Vec<f64> = sums
        .chunks_exact(dim)
        .map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let total: f64 = classes
        .iter()
        .enumerate()
        .map(|(id, &class)| {
            let c = &sums[class * dim..(class + 1) * dim];
            let dot: f64 = c
                .iter()
                .zip(emb.unit_row(id as u32))
                .map(|(c, &x)| c * f64::from(x))
                .sum();
            dot / norms[class]
        })
        .sum();
    total / classes.len() as f64
}

/// On real vectors, k-means++ and spherical passes group the words as tightly as
/// word2vec.c's method with the same number of passes, and the objective the classes report
/// is the one measured here.
#[test]
fn kjv_classes_are_as_tight_as_word2vec_c_s() {
    let emb = kjv_vectors();
    for k in [7, 40, 150] {
        let found = emb.word_classes(&ClassOptions::new(k)).unwrap();
        let ours: Vec<usize> = found.classes().iter().map(|&c| c as usize).collect();
        let theirs = word2vec_c_classes(&emb, k, 10);
        let (ours_score, theirs_score) =
            (mean_cosine(&emb, &ours, k), mean_cosine(&emb, &theirs, k));
        // Both end in a local optimum of the same objective, not the same one: measured
        // 0.8872 / 0.8864 (k 7), 0.9170 / 0.9171 (k 40), 0.9356 / 0.9347 (k 150), so a
        // thousandth of slack, not a claim of always winning.
        assert!(
            ours_score >= theirs_score - 1e-3,
            "{k} classes: {ours_score} against word2vec.c's {theirs_score}"
        );
        assert!(
            (found.mean_cosine() - ours_score).abs() < 1e-4,
            "{k} classes"
        );
        assert!(found.sizes().iter().all(|&size| size > 0), "{k} classes");
    }
}

/// Three bunches of words around three directions, named by bunch.
fn bunched_vectors(dir: &std::path::Path) -> std::path::PathBuf {
    let directions = [[1.0, 0.1, 0.0], [0.0, 1.0, 0.2], [0.1, 0.0, -1.0]];
    let mut text = String::from("30 3\n");
    for i in 0..30 {
        let d = directions[i % 3];
        let wobble = 0.01 * (i as f32);
        text += &format!(
            "b{}w{i} {} {} {}\n",
            i % 3,
            d[0] + wobble,
            d[1] - wobble,
            d[2]
        );
    }
    let path = dir.join("bunches.txt");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn classes_command_writes_word_class_lines() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = bunched_vectors(dir.path());
    let lines = ok(&["classes", s(&vectors), "-k", "3"]);
    let pairs: Vec<(&str, &str)> = lines.lines().map(|l| l.split_once(' ').unwrap()).collect();
    assert_eq!(pairs.len(), 30);
    // File order, and one class per bunch.
    for (i, (word, _)) in pairs.iter().enumerate() {
        assert_eq!(*word, format!("b{}w{i}", i % 3));
    }
    for bunch in 0..3 {
        let classes: std::collections::BTreeSet<&str> = pairs
            .iter()
            .skip(bunch)
            .step_by(3)
            .map(|&(_, c)| c)
            .collect();
        assert_eq!(classes.len(), 1, "bunch {bunch}: {classes:?}");
    }
    let output = dir.path().join("classes.txt");
    let summary = json(&[
        "classes",
        s(&vectors),
        "-k",
        "3",
        "--by-class",
        "-o",
        s(&output),
        "--json",
    ]);
    assert_eq!(summary["words"], 30);
    assert_eq!(summary["converged"], true);
    assert_eq!(summary["sizes"], serde_json::json!([10, 10, 10]));
    let written = std::fs::read_to_string(&output).unwrap();
    let classes: Vec<u32> = written
        .lines()
        .map(|l| l.split_once(' ').unwrap().1.parse().unwrap())
        .collect();
    assert!(classes.is_sorted(), "--by-class orders the lines by class");
    assert_eq!(classes.len(), 30);
}

#[test]
fn classes_command_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = bunched_vectors(dir.path());
    let output = dir.path().join("classes.txt");
    cli::refused(
        &["classes", s(&vectors), "-k", "31", "-o", s(&output)],
        "invalid option --classes: 31 classes need as many words with a non-zero vector, and there are 30",
    );
    assert!(!output.exists(), "no output file after a refusal");
    cli::refused(&["classes", s(&vectors), "-k", "0"], "--classes");
    cli::refused(
        &["classes", s(&dir.path().join("missing.txt")), "-k", "2"],
        "missing.txt",
    );
    cli::refused(
        &["classes", s(&vectors), "-k", "2", "-o", s(&vectors)],
        "is also the vector file",
    );
    std::fs::write(dir.path().join("cut.txt"), "3 2\na 1 0\nb 0\n").unwrap();
    cli::refused(
        &["classes", s(&dir.path().join("cut.txt")), "-k", "2"],
        "cut.txt",
    );
}
