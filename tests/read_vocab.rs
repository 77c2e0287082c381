//! A vocabulary given instead of counted (`train --read-vocab`, `ReadOptions::vocab`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::support::cli::{self, s};
use crate::support::python;

use vectrain::{Corpus, Error, GivenVocab, ReadOptions};

fn given(counts: &[(&str, u64)]) -> Option<Arc<GivenVocab>> {
    Some(Arc::new(GivenVocab {
        source: PathBuf::from("given.vocab"),
        counts: counts.iter().map(|&(w, c)| (w.to_string(), c)).collect(),
    }))
}

fn sentences(corpus: &Corpus) -> Vec<Vec<&str>> {
    let mut all = Vec::new();
    corpus
        .for_each_sentence(|ids| all.push(ids.to_vec()))
        .unwrap();
    all.iter()
        .map(|ids| ids.iter().map(|&id| corpus.vocab.word(id)).collect())
        .collect()
}

const TEXT: &str = "a b c a\nd d e\nf\n";

fn read_given(counts: &[(&str, u64)], min_count: u64) -> vectrain::Result<Corpus> {
    let options = ReadOptions {
        min_count,
        max_vocab: Some(3),
        vocab: given(counts),
        ..ReadOptions::default()
    };
    Corpus::from_reader(TEXT.as_bytes(), Path::new("text"), &options)
}

#[test]
fn the_given_counts_make_the_vocabulary_and_the_text_is_encoded_with_it() {
    // "z" never occurs but is kept, with its count, as word2vec.c keeps it; "e" is under
    // min-count; "b" falls past max-vocab (ties by word).
    let corpus = read_given(&[("a", 9), ("b", 4), ("d", 4), ("e", 1), ("z", 20)], 2).unwrap();
    assert_eq!(corpus.vocab.words(), ["z", "a", "b"]);
    assert_eq!(corpus.vocab.counts(), [20, 9, 4]);
    assert_eq!(sentences(&corpus), [vec!["a", "b", "a"]]);
    // What reading saw comes from the one pass there was.
    assert_eq!(corpus.stats.lines, 3);
    assert_eq!(corpus.stats.raw_tokens, 8);
    assert_eq!(corpus.stats.distinct_words, 5);
}

#[test]
fn a_given_vocabulary_that_keeps_nothing_is_refused() {
    match read_given(&[("a", 1)], 2) {
        Err(Error::EmptyVocabulary { path, .. }) => assert_eq!(path, Path::new("given.vocab")),
        other => panic!("{other:?}"),
    }
    match read_given(&[("q", 7)], 1) {
        Err(Error::Mismatch(message)) => assert_eq!(
            message,
            "none of the 8 tokens of corpus text is a word of vocabulary given.vocab"
        ),
        other => panic!("{other:?}"),
    }
    let options = ReadOptions {
        vocab: given(&[("a", 7)]),
        ..ReadOptions::default()
    };
    assert!(matches!(
        Corpus::from_reader(" \n\n".as_bytes(), Path::new("blank"), &options),
        Err(Error::EmptyCorpus { .. })
    ));
}

/// The counted vocabulary given back gives the same corpus, in memory and in a cache file,
/// and the cache file made with a given vocabulary holds the stats of its one pass.
#[test]
fn the_counted_vocabulary_given_back_reads_the_same_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let kjv = python::shared_data("kjv.txt");
    let counted = Corpus::read(&kjv, &ReadOptions::default()).unwrap();
    let pairs: Vec<(String, u64)> = counted
        .vocab
        .words()
        .iter()
        .cloned()
        .zip(counted.vocab.counts().iter().copied())
        .collect();
    let vocab = Some(Arc::new(GivenVocab {
        source: PathBuf::from("kjv.vocab"),
        counts: pairs,
    }));
    let in_memory = ReadOptions {
        vocab: vocab.clone(),
        ..ReadOptions::default()
    };
    let cached = ReadOptions {
        vocab,
        cache_dir: Some(dir.path().to_path_buf()),
        ..ReadOptions::default()
    };
    let made = Corpus::read(&kjv, &cached).unwrap();
    let reused = Corpus::read(&kjv, &cached).unwrap();
    assert_eq!(
        (
            made.cache.as_ref().unwrap().1,
            reused.cache.as_ref().unwrap().1
        ),
        (true, false)
    );
    for corpus in [Corpus::read(&kjv, &in_memory).unwrap(), made, reused] {
        assert_eq!(corpus.vocab, counted.vocab);
        assert_eq!(corpus.len(), counted.len());
        assert_eq!(corpus.blocks(), counted.blocks());
        assert_eq!(sentences(&corpus), sentences(&counted));
        let mut stats = corpus.stats.clone();
        // The given vocabulary's size, not the text's distinct words.
        assert_eq!(stats.distinct_words, counted.vocab.len());
        stats.distinct_words = counted.stats.distinct_words;
        assert_eq!(stats, counted.stats);
    }
    // Other counts are another cache file.
    let other = ReadOptions {
        vocab: given(&[("the", 5), ("lord", 5)]),
        cache_dir: Some(dir.path().to_path_buf()),
        ..ReadOptions::default()
    };
    let corpus = Corpus::read(&kjv, &other).unwrap();
    assert!(corpus.cache.as_ref().unwrap().1, "a new cache file");
    assert_eq!(corpus.vocab.words(), ["lord", "the"]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// A deterministic run given the vocabulary that `--save-vocab` wrote trains the same bits
/// as the run that counted it.
#[test]
fn train_with_read_vocab_is_the_counting_run() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    let kjv = std::fs::read_to_string(python::shared_data("kjv.txt")).unwrap();
    let head: String = kjv.lines().take(2000).map(|l| format!("{l}\n")).collect();
    std::fs::write(&corpus, head).unwrap();
    let (counted, given, vocab) = (
        dir.path().join("counted.txt"),
        dir.path().join("given.txt"),
        dir.path().join("vocab.txt"),
    );
    let run = |output: &Path, extra: &[&str]| {
        let mut args = vec![
            "train",
            "--input",
            s(&corpus),
            "--output",
            s(output),
            "--dim",
            "16",
            "--epochs",
            "1",
            "--deterministic",
            "--backend",
            "cpu",
            "--no-cache",
        ];
        args.extend_from_slice(extra);
        cli::vectrain(&args)
    };
    assert!(run(&counted, &["--save-vocab", s(&vocab)]).status.success());
    let out = run(&given, &["--read-vocab", s(&vocab)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("vocabulary file {}", vocab.display())),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&counted).unwrap(),
        std::fs::read(&given).unwrap()
    );

    let refused = |extra: &[&str], expected: &str| {
        let mut args = vec!["train", "--input", s(&corpus), "--output", s(&given)];
        args.extend_from_slice(extra);
        cli::refused(&args, expected);
    };
    refused(
        &["--read-vocab", s(&vocab), "--save-vocab", s(&vocab)],
        "is also the --read-vocab",
    );
    refused(
        &["--read-vocab", s(&dir.path().join("none.txt"))],
        "none.txt",
    );
    std::fs::write(&vocab, "the 10\nthe 4\n").unwrap();
    refused(&["--read-vocab", s(&vocab)], "vocab.txt");
}
