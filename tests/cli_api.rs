//! The query subcommands end to end, on a tiny vector file written by each test.
//! `sentences --sequence` output is also read back with numpy (needs the test Python, see
//! `tests/support/python.rs`).

use crate::support::cli;
use crate::support::python;

use std::path::{Path, PathBuf};

use cli::{json, ok, s, vectrain};
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

/// One unknown word does not sink the query: the known words are answered, each unknown one
/// is reported (with its case-folded spelling when that is known), and the exit is non-zero.
#[test]
fn similar_answers_known_words_and_reports_unknown_ones() {
    let (_dir, v) = setup();
    let out = vectrain(&["similar", s(&v), "king", "King", "pear", "-k", "1"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.starts_with("king:\nrank  word  cosine\n   1  man   0.8300\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("King") && !stdout.contains("pear"),
        "{stdout}"
    );
    assert!(
        stderr.contains("\"King\" is not in the vocabulary; did you mean \"king\"?\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"pear\" is not in the vocabulary\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 2 of 3 words are not in the vocabulary"),
        "{stderr}"
    );

    let out = vectrain(&["similar", s(&v), "King", "queen", "-k", "1", "--json"]);
    assert!(!out.status.success());
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        listed[0],
        serde_json::json!({"word": "King", "unknown": true, "suggestion": "king"})
    );
    assert_eq!(listed[1]["word"], "queen");
    assert_eq!(listed[1]["neighbours"][0]["word"], "woman");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: \"King\" is not in the vocabulary; did you mean \"king\"?"),
        "{stderr}"
    );
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

/// Unknown tokens keep their positions in `--sequence` output (8 tokens, 3 unknown: length 8,
/// mask sum 5) and the coverage is reported, naming the line that has no known word.
#[test]
fn sentences_report_coverage_and_keep_positions() {
    let (dir, v) = setup();
    let input = dir.path().join("s.txt");
    std::fs::write(
        &input,
        "king pear queen fig man woman kiwi apple\npear fig\n",
    )
    .unwrap();
    let out = dir.path().join("tokens.npy");
    let args = [
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--sequence",
        "--output",
        s(&out),
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let report = json(&with_json);
    assert_eq!(report["max_len"], 8);
    assert_eq!(
        (report["tokens"].as_u64(), report["found"].as_u64()),
        (Some(10), Some(5))
    );
    assert_eq!(
        report["unknown_words"],
        serde_json::json!(["pear", "fig", "kiwi"])
    );
    assert_eq!(report["lines_without_known_word"], serde_json::json!([2]));
    let mask = std::fs::read(dir.path().join("tokens.mask.npy")).unwrap();
    let first_line = &mask[mask.len() - 16..mask.len() - 8];
    assert_eq!(first_line, [1, 0, 1, 0, 1, 1, 0, 1]);
    assert_eq!(first_line.iter().map(|&m| u32::from(m)).sum::<u32>(), 5);
    assert_eq!(&mask[mask.len() - 8..], [0; 8]);

    // --oov zeros: the unknown tokens count, mask 1; the report is the same.
    let mut zeros = with_json.clone();
    zeros.extend(["--oov", "zeros"]);
    let report = json(&zeros);
    assert_eq!(report["max_len"], 8);
    let mask = std::fs::read(dir.path().join("tokens.mask.npy")).unwrap();
    assert_eq!(
        &mask[mask.len() - 16..],
        [[1; 8], [1, 1, 0, 0, 0, 0, 0, 0]].concat()
    );

    let text = ok(&args);
    assert!(
        text.contains("found 5 of 10 tokens (50.0%), 3 distinct unknown words"),
        "{text}"
    );
    assert!(
        text.contains("first unknown (input order): pear fig kiwi"),
        "{text}"
    );
    assert!(text.contains("1 lines without a known word: 2"), "{text}");
    // Pooled output reports the same, with line numbers of the input under --documents.
    std::fs::write(&input, "king\n\npear fig\nqueen\n\n\nkiwi\n").unwrap();
    let pooled = dir.path().join("pooled.npy");
    let report = json(&[
        "sentences",
        s(&v),
        "--input",
        s(&input),
        "--documents",
        "--output",
        s(&pooled),
        "--json",
    ]);
    assert_eq!(report["rows"], 4);
    assert_eq!(
        report["lines_without_known_word"],
        serde_json::json!([3, 7])
    );
    let (shape, data) = vectrain::io::npy::read_f32_file(&pooled).unwrap();
    assert_eq!(shape, [4, 6]);
    // "kiwi" is a document of its own with no known word: zeros under --oov skip.
    assert_eq!(&data[18..], [0.0; 6]);
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

/// The readings of `--vocab` beside a JSON object: a JSON list is index-ordered words, a
/// UTF-8 byte-order mark is skipped, and gaps in the indices are zero padding rows.
#[test]
fn matrix_reads_a_json_list_a_bom_and_gaps() {
    let (dir, v) = setup();
    let out = dir.path().join("m.npy");
    let matrix = |vocab: &Path| {
        let report = json(&[
            "matrix",
            s(&v),
            "--vocab",
            s(vocab),
            "--output",
            s(&out),
            "--json",
        ]);
        let (shape, data) = vectrain::io::npy::read_f32_file(&out).unwrap();
        let words = std::fs::read_to_string(dir.path().join("m.vocab.txt")).unwrap();
        (report, shape, data, words)
    };
    let list = dir.path().join("words.json");
    std::fs::write(&list, r#"["<pad>", "king", "apple"]"#).unwrap();
    let (report, shape, data, words) = matrix(&list);
    assert_eq!(
        (report["found"].as_u64(), report["padding"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(shape, [3, 3]);
    assert_eq!(data, [0.0, 0.0, 0.0, 1.0, 1.0, 0.1, 0.0, 0.1, 1.0]);
    assert_eq!(words, "<pad>\nking\napple\n");

    let bom = dir.path().join("w2i.json");
    std::fs::write(&bom, "\u{feff}{\"apple\": 0, \"queen\": 3}").unwrap();
    let (report, shape, data, words) = matrix(&bom);
    assert_eq!(
        (report["found"].as_u64(), report["padding"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(shape, [4, 3]);
    assert_eq!(&data[..3], [0.0, 0.1, 1.0]);
    assert!(data[3..9].iter().all(|&x| x == 0.0));
    assert_eq!(&data[9..], [1.0, -1.0, 0.1]);
    assert_eq!(words, "apple\n\n\nqueen\n");
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

    // The default --oov skip keeps "pear" in place as a zero row with mask 0, and the Rust
    // reader agrees.
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
    assert_eq!(shape, [4, 3, 3]);
    assert_eq!(data, expected);
    let mask_bytes = std::fs::read(&mask).unwrap();
    assert_eq!(
        &mask_bytes[mask_bytes.len() - 12..],
        [1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0]
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
