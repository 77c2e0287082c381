//! Option checking.

use vectrain::{Error, Model, TrainConfig};

fn refused(config: TrainConfig, option: &str) {
    match config.check() {
        Err(Error::InvalidOption { option: o, .. }) => assert_eq!(o, option),
        other => panic!("--{option}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn bad_options_are_refused_by_name() {
    let d = TrainConfig::default;
    refused(TrainConfig { dim: 0, ..d() }, "dim");
    refused(
        TrainConfig {
            dim: 1 << 40,
            ..d()
        },
        "dim",
    );
    refused(TrainConfig { window: 0, ..d() }, "window");
    refused(TrainConfig { negative: 0, ..d() }, "negative");
    // Hierarchical softmax trains without negatives, and subwords (fastText's -loss hs), but
    // not batch skip-gram.
    let hs_alone = TrainConfig {
        negative: 0,
        hs: true,
        ..d()
    };
    assert_eq!(
        hs_alone.check().map(|p| (p.negative, p.hs)).ok(),
        Some((0, true))
    );
    refused(
        TrainConfig {
            model: Model::BatchSkipGram,
            ..hs_alone.clone()
        },
        "hs",
    );
    let with_subwords = TrainConfig {
        subwords: Some(vectrain::subwords::SubwordSettings::default()),
        ..hs_alone.clone()
    };
    assert!(
        with_subwords
            .check()
            .is_ok_and(|p| p.hs && p.subwords.is_some())
    );
    // The tree gives ties to leaves (gensim's) for words, to inner nodes (fastText's, which
    // its .bin rebuilds) with subwords, where leaves are refused.
    use vectrain::huffman::Ties;
    assert_eq!(hs_alone.check().map(|p| p.hs_ties).ok(), Some(Ties::Leaves));
    assert_eq!(
        with_subwords.check().map(|p| p.hs_ties).ok(),
        Some(Ties::Nodes)
    );
    let nodes = TrainConfig {
        hs_ties: Some(Ties::Nodes),
        ..hs_alone.clone()
    };
    assert_eq!(nodes.check().map(|p| p.hs_ties).ok(), Some(Ties::Nodes));
    refused(
        TrainConfig {
            hs_ties: Some(Ties::Leaves),
            ..with_subwords.clone()
        },
        "hs-ties",
    );
    refused(TrainConfig { parts: 0, ..d() }, "parts");
    refused(
        TrainConfig {
            parts: vectrain::config::MAX_PARTS + 1,
            ..d()
        },
        "parts",
    );
    refused(
        TrainConfig {
            alpha: Some(0.0),
            ..d()
        },
        "alpha",
    );
    refused(
        TrainConfig {
            alpha: Some(f32::NAN),
            ..d()
        },
        "alpha",
    );
    refused(
        TrainConfig {
            alpha: Some(f32::INFINITY),
            ..d()
        },
        "alpha",
    );
    refused(
        TrainConfig {
            alpha: Some(-1.0),
            ..d()
        },
        "alpha",
    );
    refused(
        TrainConfig {
            min_alpha: 1.0,
            ..d()
        },
        "min-alpha",
    );
    refused(TrainConfig { epochs: 0, ..d() }, "epochs");
    refused(
        TrainConfig {
            threads: Some(0),
            ..d()
        },
        "threads",
    );
    refused(
        TrainConfig {
            sample: -1e-3,
            ..d()
        },
        "sample",
    );
    refused(
        TrainConfig {
            min_count: 0,
            ..d()
        },
        "min-count",
    );
}

#[test]
fn defaults_follow_word2vec() {
    let sg = TrainConfig::default().check().unwrap();
    assert_eq!(
        (sg.dim, sg.window, sg.negative, sg.epochs, sg.min_count),
        (100, 5, 5, 5, 5)
    );
    assert_eq!(sg.alpha, 0.025);
    let cbow = TrainConfig {
        model: Model::Cbow,
        ..TrainConfig::default()
    }
    .check()
    .unwrap();
    assert_eq!(cbow.alpha, 0.05);
    let det = TrainConfig {
        deterministic: true,
        threads: Some(8),
        ..TrainConfig::default()
    }
    .check()
    .unwrap();
    assert_eq!(det.threads, 1);
}

#[test]
fn learning_rate_decays_linearly() {
    let p = TrainConfig {
        alpha: Some(0.1),
        min_alpha: 0.0,
        ..TrainConfig::default()
    }
    .check()
    .unwrap();
    assert_eq!(p.alpha_at(0, 100), 0.1);
    assert!((p.alpha_at(50, 100) - 0.05).abs() < 1e-7);
    assert_eq!(p.alpha_at(100, 100), 0.0);
}
