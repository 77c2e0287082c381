//! The query subcommands end to end, on a tiny vector file written by each test.
//! `sentences --sequence` output is also read back with numpy (needs the test Python, see
//! `tests/support/python.rs`).

#[path = "support/python.rs"]
mod python;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const VECTORS: &str = "5 3
king 1 1 0.1
queen 1 -1 0.1
man 0.2 1 0
woman 0.2 -1 0
apple 0 0.1 1
";

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.txt");
    std::fs::write(&path, VECTORS).unwrap();
    (dir, path)
}

fn vectrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = vectrain(args);
    assert!(
        out.status.success(),
        "vectrain {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn similar_text_and_json() {
    let (_dir, v) = setup();
    let text = ok(&["similar", s(&v), "king", "-k", "2"]);
    assert!(
        text.starts_with("king:\nrank  word   cosine\n   1  man    0.8300\n"),
        "{text}"
    );
    let out = json(&["similar", s(&v), "king", "woman", "-k", "3", "--json"]);
    assert_eq!(out[0]["word"], "king");
    assert_eq!(out[0]["neighbours"][0]["word"], "man");
    assert_eq!(out[1]["neighbours"][0]["word"], "queen");
    assert_eq!(out[1]["neighbours"].as_array().unwrap().len(), 3);
    let unknown = vectrain(&["similar", s(&v), "pear"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("\"pear\" is not in the vocabulary"));
}

#[test]
fn analogy_both_methods() {
    let (_dir, v) = setup();
    for extra in [&[][..], &["--cosmul"][..]] {
        let mut args = vec!["analogy", s(&v), "man", "king", "woman", "--json"];
        args.extend(extra);
        let out = json(&args);
        assert_eq!(out["answers"][0]["word"], "queen", "{extra:?}");
    }
    let text = ok(&["analogy", s(&v), "man", "king", "woman", "-k", "1"]);
    assert!(text.contains("man is to king as woman is to ? (3CosAdd)"));
    assert!(text.contains("queen"));
}

#[test]
fn lookup_prints_rows() {
    let (_dir, v) = setup();
    assert_eq!(
        ok(&["lookup", s(&v), "queen", "apple"]),
        "queen 1 -1 0.1\napple 0 0.1 1\n"
    );
    assert_eq!(
        ok(&["lookup", s(&v), "pear", "--oov", "zeros"]),
        "pear 0 0 0\n"
    );
    assert_eq!(
        ok(&["lookup", s(&v), "pear", "man", "--oov", "skip"]),
        "man 0.2 1 0\n"
    );
    let out = json(&["lookup", s(&v), "king", "--normalized", "--json"]);
    let x = out[0]["vector"][0].as_f64().unwrap();
    assert!((x - 1.0 / 2.01f64.sqrt()).abs() < 1e-6);
    assert!(!vectrain(&["lookup", s(&v), "pear"]).status.success());
}

#[test]
fn sentences_pool_to_text_and_npy() {
    let (dir, v) = setup();
    let input = dir.path().join("s.txt");
    std::fs::write(&input, "king queen\nman pear apple\n\nwoman\n").unwrap();
    let out = dir.path().join("o.txt");
    ok(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--pool",
        "mean",
        "--output",
        s(&out),
    ]);
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows, "1 0 0.1\n0.1 0.55 0.5\n0 0 0\n0.2 -1 0\n");
    ok(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--pool",
        "max",
        "--output",
        s(&out),
    ]);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().nth(1),
        Some("0.2 1 1")
    );
    let npy = dir.path().join("o.npy");
    let report = json(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--documents",
        "--pool",
        "mean",
        "--output",
        s(&npy),
        "--json",
    ]);
    assert_eq!(
        (report["rows"].as_u64(), report["dim"].as_u64()),
        (Some(3), Some(6))
    );
    let (shape, data) = vectrain::io::npy::read_f32_file(&npy).unwrap();
    assert_eq!(shape, [3, 6]);
    // Sentence 2 of document 1: [man apple ; mean of king queen man apple].
    let expected = [0.1, 0.55, 0.5, 0.55, 0.275, 0.3];
    assert!(
        data[6..12]
            .iter()
            .zip(expected)
            .all(|(a, b)| (a - b).abs() < 1e-6),
        "{data:?}"
    );
    let sif = json(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--pool",
        "sif",
        "--output",
        s(&out),
        "--json",
    ]);
    assert_eq!(sif["rows"], 4);
}

#[test]
fn matrix_writes_npy_vocab_and_coverage() {
    let (dir, v) = setup();
    let vocab = dir.path().join("w2i.json");
    std::fs::write(&vocab, r#"{"king": 1, "pear": 2, "woman": 3, "fig": 4}"#).unwrap();
    let out = dir.path().join("m.npy");
    let report = json(&[
        "matrix",
        s(&v),
        "--vocab",
        s(&vocab),
        "--output",
        s(&out),
        "--oov",
        "mean",
        "--json",
    ]);
    assert_eq!(report["found"], 2);
    assert_eq!(report["missing_words"], serde_json::json!(["pear", "fig"]));
    assert_eq!(report["padding"], 1);
    let (shape, data) = vectrain::io::npy::read_f32_file(&out).unwrap();
    assert_eq!(shape, [5, 3]);
    assert_eq!(&data[..6], [0.0, 0.0, 0.0, 1.0, 1.0, 0.1]);
    assert!((data[6] - 0.48).abs() < 1e-6);
    let words = std::fs::read_to_string(dir.path().join("m.vocab.txt")).unwrap();
    assert_eq!(words, "\nking\npear\nwoman\nfig\n");
    let lines = dir.path().join("words.txt");
    std::fs::write(&lines, "apple\nkiwi\n").unwrap();
    let text = ok(&[
        "matrix",
        s(&v),
        "--vocab",
        s(&lines),
        "--output",
        s(&out),
        "--oov",
        "random",
    ]);
    assert!(
        text.contains("found 1 of 2 words (50.0%), missing 1"),
        "{text}"
    );
    assert!(
        text.contains("first missing (vocabulary order): kiwi"),
        "{text}"
    );
}

#[test]
fn convert_round_trips() {
    let (dir, v) = setup();
    let bin = dir.path().join("v.bin");
    let glove = dir.path().join("v.glove");
    ok(&["convert", s(&v), s(&bin), "--format", "w2v-bin"]);
    let report = json(&["convert", s(&bin), s(&glove), "--format", "glove", "--json"]);
    assert_eq!(report["input_format"], "word2vec-binary");
    assert_eq!(report["words"], 5);
    let back = dir.path().join("back.txt");
    ok(&["convert", s(&glove), s(&back), "--format", "w2v-text"]);
    assert_eq!(std::fs::read_to_string(&back).unwrap(), VECTORS);
}

#[test]
fn sentences_sequence_npy_and_mask_in_numpy() {
    let (dir, v) = setup();
    let emb = vectrain::read_vectors(&v).unwrap();
    let input = dir.path().join("s.txt");
    std::fs::write(&input, "king queen\nman pear apple\n\nwoman\n").unwrap();
    let out = dir.path().join("tokens.npy");
    let report = json(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--sequence",
        "--oov",
        "zeros",
        "--output",
        s(&out),
        "--json",
    ]);
    let mask = dir.path().join("tokens.mask.npy");
    assert_eq!(report["mask"], s(&mask));
    assert_eq!(
        (
            report["sentences"].as_u64(),
            report["max_len"].as_u64(),
            report["dim"].as_u64()
        ),
        (Some(4), Some(3), Some(3))
    );
    // Unknown "pear" is a zero vector that the mask keeps (--oov zeros).
    let sentences: [&[&str]; 4] = [
        &["king", "queen"],
        &["man", "pear", "apple"],
        &[],
        &["woman"],
    ];
    let (batch, max_len, dim) = (4, 3, 3);
    let mut expected = vec![0.0f32; batch * max_len * dim];
    let mut expected_mask = vec![0u64; batch * max_len];
    for (b, words) in sentences.iter().enumerate() {
        for (t, word) in words.iter().enumerate() {
            expected_mask[b * max_len + t] = 1;
            if let Some(row) = emb.get(word) {
                expected[(b * max_len + t) * dim..][..dim].copy_from_slice(row);
            }
        }
    }
    let seen: Value = serde_json::from_str(&python::run_script(
        "numpy_check.py",
        &["sequence", s(&out), s(&mask)],
    ))
    .unwrap();
    assert_eq!(seen["shape"], serde_json::json!([batch, max_len, dim]));
    assert_eq!(seen["dtype"], "float32");
    assert_eq!(seen["mask_shape"], serde_json::json!([batch, max_len]));
    assert_eq!(seen["mask_dtype"], "uint8");
    let seen_mask: Vec<u64> = serde_json::from_value(seen["mask"].clone()).unwrap();
    assert_eq!(seen_mask, expected_mask);
    let bits: Vec<u32> = serde_json::from_value(seen["bits"].clone()).unwrap();
    let expected_bits: Vec<u32> = expected.iter().map(|x| x.to_bits()).collect();
    assert_eq!(bits, expected_bits);
    assert_eq!(seen["padding_is_zero"], true);

    // The default --oov skip drops "pear": max_len 2, and the Rust reader agrees.
    ok(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--sequence",
        "--output",
        s(&out),
    ]);
    let (shape, data) = vectrain::io::npy::read_f32_file(&out).unwrap();
    assert_eq!(shape, [4, 2, 3]);
    assert_eq!(
        &data[6..12],
        [emb.get("man").unwrap(), emb.get("apple").unwrap()].concat()
    );
    let mask_bytes = std::fs::read(&mask).unwrap();
    assert_eq!(
        &mask_bytes[mask_bytes.len() - 8..],
        [1, 1, 1, 1, 0, 0, 1, 0]
    );

    // Text output, pooling options and documents do not apply to per-token output.
    let text = dir.path().join("tokens.txt");
    let refused = vectrain(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--sequence",
        "--output",
        s(&text),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains(".npy"));
    for extra in [["--pool", "max"], ["--documents", "--json"]] {
        let mut args = vec![
            "sentences",
            s(&v),
            "--input",
            s(&input),
            "--sequence",
            "--output",
            s(&out),
        ];
        args.extend(extra);
        assert!(!vectrain(&args).status.success(), "{extra:?}");
    }
}
