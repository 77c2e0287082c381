//! Every file in `tests/fuzz_cases/<target>/` (the fuzzers' seeds and every case they found)
//! fed to the reader the fuzz target of that name exercises (see `fuzz/`): it must return Ok
//! or Err, never panic.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use vectrain::{Corpus, ReadOptions};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz_cases");

fn cases(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(CASES).join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case in {}", dir.display());
    files
}

/// Feeds every case of `target` to `read`; fails naming each case that panicked.
fn run(target: &str, read: impl Fn(&[u8])) {
    let mut panicked = Vec::new();
    for path in cases(target) {
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| read(&bytes))).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "panicked on {panicked:#?}");
}

#[test]
fn word2vec_text() {
    run("word2vec_text", |data| {
        let _ = vectrain::io::word2vec_text::read(data, Path::new("case"));
    });
}

#[test]
fn word2vec_binary() {
    run("word2vec_binary", |data| {
        let _ = vectrain::io::word2vec_binary::read(data, Path::new("case"));
    });
}

#[test]
fn glove_text() {
    run("glove_text", |data| {
        let _ = vectrain::io::glove_text::read(data, Path::new("case"));
    });
}

#[test]
fn checkpoint() {
    run("checkpoint", |data| {
        let _ = vectrain::checkpoint::read_from(data, data.len() as u64, Path::new("case"));
    });
}

#[test]
fn fasttext_bin() {
    run("fasttext_bin", |data| {
        let _ = vectrain::io::fasttext_bin::read(data, Path::new("case"));
    });
}

/// As `fuzz/fuzz_targets/corpus.rs`: the first byte picks the read options.
#[test]
fn corpus() {
    run("corpus", |data| {
        let (options, text) = match data.split_first() {
            Some((&flags, text)) => (
                ReadOptions {
                    lowercase: flags & 1 != 0,
                    min_count: u64::from(flags >> 1 & 3) + 1,
                    max_vocab: (flags & 8 != 0).then_some(usize::from(flags >> 4) + 1),
                    ..ReadOptions::default()
                },
                text,
            ),
            None => (
                ReadOptions {
                    lowercase: false,
                    min_count: 1,
                    max_vocab: None,
                    ..ReadOptions::default()
                },
                data,
            ),
        };
        if let Ok(corpus) = Corpus::from_reader(text, Path::new("case"), &options) {
            let mut tokens = 0;
            for chunk in corpus.chunks(7) {
                corpus
                    .for_each_sentence_in(&chunk, |words, _| tokens += words.len())
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            assert_eq!(tokens, corpus.len());
        }
    });
}

/// The seeds are read as intended (so the fuzzers start from valid inputs).
#[test]
fn valid_seeds_read() {
    let read = |target: &str, name: &str| Path::new(CASES).join(target).join(name);
    let text = read("word2vec_text", "seed_valid.txt");
    assert!(vectrain::read_vectors(&text).is_ok());
    let binary = read("word2vec_binary", "seed_valid.bin");
    assert!(vectrain::read_vectors(&binary).is_ok());
    let glove = read("glove_text", "seed_valid.txt");
    assert!(vectrain::read_vectors(&glove).is_ok());
    let checkpoint = read("checkpoint", "seed_valid.ckpt");
    assert!(vectrain::checkpoint::read(&checkpoint).is_ok());
    let fasttext = read("fasttext_bin", "seed_valid.bin");
    assert!(vectrain::io::fasttext_bin::read_fasttext_bin(&fasttext).is_ok());
}

/// The fastText seeds that are not valid are refused for the reason their name gives.
#[test]
fn fasttext_bin_seeds_give_named_errors() {
    let cases = [
        (
            "seed_truncated_dictionary.bin",
            "truncated: it ends in the dictionary",
        ),
        (
            "seed_truncated_input.bin",
            "truncated: it ends in the input matrix",
        ),
        ("seed_bad_magic.bin", "magic number 12345"),
        (
            "seed_quantized.bin",
            "quantized .ftz models are not supported",
        ),
        ("seed_pruned.bin", "quantized .ftz models are not supported"),
        ("seed_label.bin", "supervised models are not supported"),
        ("seed_non_utf8.bin", "not UTF-8"),
        ("seed_wrong_rows.bin", "input matrix: 5 x 2"),
        ("seed_huge_dim.bin", "input matrix: 7 x 2"),
    ];
    for (name, expected) in cases {
        let data = std::fs::read(Path::new(CASES).join("fasttext_bin").join(name)).expect(name);
        let error = vectrain::io::fasttext_bin::read(&data[..], Path::new(name))
            .expect_err(name)
            .to_string();
        assert!(error.contains(expected), "{name}: {error}");
    }
}
