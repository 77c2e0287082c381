//! Runs that start from vectors trained before (`train --pretrained-vectors`,
//! `Resume::fresh_from_vectors`).

use crate::support::cli::{self, s};
use crate::support::python;

use vectrain::cpu::CpuBackend;
use vectrain::training::{Backend, Control, Outcome, Resume};
use vectrain::vocab::Vocab;
use vectrain::{Corpus, Embeddings, Error, Model, ReadOptions, TrainConfig, TrainParams};

fn kjv() -> Corpus {
    Corpus::read(&python::shared_data("kjv.txt"), &ReadOptions::default()).unwrap()
}

fn cbow(dim: usize) -> TrainParams {
    TrainConfig {
        model: Model::Cbow,
        dim,
        epochs: 1,
        deterministic: true,
        ..TrainConfig::default()
    }
    .check()
    .unwrap()
}

#[test]
fn known_words_start_from_their_vectors_and_the_rest_as_usual() {
    let corpus = kjv();
    let params = cbow(4);
    // Two words of the corpus, and one it does not have.
    let words = vec!["lord".to_string(), "zzzz".to_string(), "bread".to_string()];
    let rows = vec![
        1.0, 2.0, 3.0, 4.0, 9.0, 9.0, 9.0, 9.0, -1.0, -2.0, -3.0, -4.0,
    ];
    let vectors = Embeddings::new(Vocab::from_ordered(words, vec![3, 2, 1]), 4, rows).unwrap();
    let (start, found) = Resume::fresh_from_vectors(&corpus, &params, 1000, &vectors).unwrap();
    let fresh = Resume::fresh(&corpus, &params, 1000);
    assert_eq!(found, 2);
    let lord = corpus.vocab.id("lord").unwrap() as usize;
    let bread = corpus.vocab.id("bread").unwrap() as usize;
    for (row, (ours, theirs)) in start
        .input
        .chunks_exact(4)
        .zip(fresh.input.chunks_exact(4))
        .enumerate()
    {
        match row {
            _ if row == lord => assert_eq!(ours, [1.0, 2.0, 3.0, 4.0]),
            _ if row == bread => assert_eq!(ours, [-1.0, -2.0, -3.0, -4.0]),
            _ => assert_eq!(ours, theirs, "row {row}"),
        }
    }
    assert_eq!(start.output, fresh.output);
    assert_eq!(start.state, fresh.state);
    match Resume::fresh_from_vectors(&corpus, &cbow(5), 1000, &vectors) {
        Err(Error::InvalidOption {
            option: "dim",
            reason,
        }) => {
            assert!(reason.contains("give --dim 4"), "{reason}")
        }
        other => panic!("{:?}", other.map(|(_, found)| found)),
    }
}

fn one_epoch(corpus: &Corpus, params: &TrainParams, pretrained: Option<&Embeddings>) -> f64 {
    let mut backend = CpuBackend::new(params.threads);
    let resume = pretrained.map(|vectors| {
        Resume::fresh_from_vectors(corpus, params, backend.chunk_tokens(), vectors)
            .unwrap()
            .0
    });
    let control = Control {
        resume,
        ..Control::default()
    };
    match vectrain::training::train(&mut backend, corpus, params, control, &mut |_| {}).unwrap() {
        Outcome::Finished(trained) => trained.stats.epochs[0].loss,
        Outcome::Stopped(_) => unreachable!("nothing stops the run"),
    }
}

/// On real text, an epoch that starts from vectors trained on the same text ends with a
/// lower loss than an epoch from random vectors: the start carries what was learnt.
#[test]
fn an_epoch_from_trained_vectors_beats_one_from_scratch_on_kjv() {
    let corpus = kjv();
    let params = cbow(32);
    let mut backend = CpuBackend::new(params.threads);
    let first = vectrain::train_to_end(&mut backend, &corpus, &params, &mut |_| {}).unwrap();
    let scratch = one_epoch(&corpus, &params, None);
    let continued = one_epoch(&corpus, &params, Some(&first.embeddings));
    // Measured 2.216 against 2.437 (d32, CBOW, one deterministic epoch each); the
    // difference is a deterministic run's, so a tenth is slack, not noise.
    assert!(
        continued < scratch - 0.1,
        "from trained vectors {continued}, from scratch {scratch}"
    );
}

#[test]
fn command_line_starts_from_a_vector_file() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(
        &corpus,
        "the cat sat on the mat\nthe dog sat on the log\n".repeat(20),
    )
    .unwrap();
    let start = dir.path().join("start.txt");
    std::fs::write(&start, "3 4\ncat 1 2 3 4\ndog 0.5 0.25 -1 2\nemu 7 7 7 7\n").unwrap();
    let output = dir.path().join("vectors.txt");
    let args = [
        "train",
        "--input",
        s(&corpus),
        "--output",
        s(&output),
        "--min-count",
        "1",
        "--dim",
        "4",
        "--epochs",
        "1",
        "--backend",
        "cpu",
        "--pretrained-vectors",
        s(&start),
        // So small a rate that the vectors stay where they started, to 1e-6.
        "--alpha",
        "1e-9",
        "--min-alpha",
        "1e-9",
    ];
    let out = cli::vectrain(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("starting 2 of 7 words (28.6%) from"),
        "{stderr}"
    );
    let trained = vectrain::read_vectors(&output).unwrap();
    for (word, expected) in [
        ("cat", [1.0, 2.0, 3.0, 4.0]),
        ("dog", [0.5, 0.25, -1.0, 2.0]),
    ] {
        let row = trained.get(word).unwrap();
        for (a, b) in row.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{word}: {row:?}");
        }
    }
    // The others start small, as in any run (|x| < 1/dim).
    assert!(trained.get("sat").unwrap().iter().all(|x| x.abs() < 0.25));

    let mut wrong_dim = args.to_vec();
    wrong_dim[8] = "5";
    cli::refused(
        &wrong_dim,
        "holds vectors of 4 dimensions and the run trains 5: give --dim 4",
    );
    let mut overwrite = args.to_vec();
    overwrite[4] = s(&start);
    cli::refused(&overwrite, "is also the --pretrained-vectors");
    let mut missing = args.to_vec();
    let gone = dir.path().join("gone.txt");
    missing[12] = s(&gone);
    cli::refused(&missing, "gone.txt");
    std::fs::write(&start, "3 4\ncat 1 2 3\n").unwrap();
    cli::refused(&args, "start.txt");
}
