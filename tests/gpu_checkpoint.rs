//! The GPU trainer stops, checkpoints and resumes like the CPU trainer, continues a CPU
//! checkpoint, and turns a lost device into an error.

use crate::common;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use common::gpu;
use vectrain::cpu::CpuBackend;
use vectrain::gpu::{GpuBackend, GpuContext, GpuOptions, centres_in_flight};
use vectrain::training::{
    Control, Every, Outcome, Resume, RunState, Snapshot, Trained, initial_input_table,
};
use vectrain::{Corpus, Error, ReadOptions, TrainConfig, TrainParams};

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/kjv.txt");

fn corpus() -> Corpus {
    let text = std::fs::read_to_string(KJV).unwrap();
    let head: String = text.lines().take(1500).map(|l| format!("{l}\n")).collect();
    let options = ReadOptions {
        lowercase: false,
        min_count: 2,
        max_vocab: None,
        ..ReadOptions::default()
    };
    Corpus::from_reader(head.as_bytes(), Path::new("kjv-head"), &options).unwrap()
}

fn params() -> TrainParams {
    TrainConfig {
        dim: 16,
        epochs: 2,
        ..TrainConfig::default()
    }
    .check()
    .unwrap()
}

/// A fresh start in chunks of 4,000 tokens (the corpus is smaller than one default GPU
/// chunk, and a stop needs chunk boundaries).
fn fresh(corpus: &Corpus, params: &TrainParams) -> Resume {
    let cells = corpus.vocab.len() * params.dim;
    Resume {
        state: RunState::start(4_000),
        input: initial_input_table(corpus.vocab.len(), params.dim, params.seed),
        output: vec![0.0; cells],
    }
}

fn finished(outcome: Outcome) -> Trained {
    match outcome {
        Outcome::Finished(trained) => *trained,
        Outcome::Stopped(position) => panic!("stopped at {position:?}"),
    }
}

fn saved(snapshot: &Snapshot<'_>) -> Resume {
    Resume {
        state: snapshot.state.clone(),
        input: snapshot.input.to_vec(),
        output: snapshot.output.to_vec(),
    }
}

fn final_loss(trained: &Trained) -> f64 {
    trained.stats.epochs.last().unwrap().loss
}

#[test]
fn gpu_run_stopped_and_resumed_ends_like_an_uninterrupted_one() {
    let Some(ctx) = gpu() else { return };
    let (corpus, params) = (corpus(), params());
    let whole = finished(
        vectrain::train(
            &mut GpuBackend::new(ctx, centres_in_flight(&params)),
            &corpus,
            &params,
            Control {
                resume: Some(fresh(&corpus, &params)),
                ..Control::default()
            },
            &mut |_| {},
        )
        .unwrap(),
    );

    // Stop requested from the start: the trainer finishes one chunk, checkpoints, stops.
    let stop = AtomicBool::new(true);
    let mut checkpoint = None;
    let mut keep = |snapshot: &Snapshot<'_>| {
        checkpoint = Some(saved(snapshot));
        Ok(())
    };
    let control = Control {
        resume: Some(fresh(&corpus, &params)),
        stop: Some(&stop),
        checkpoint: Some(&mut keep),
        ..Control::default()
    };
    let outcome = vectrain::train(
        &mut GpuBackend::new(ctx, centres_in_flight(&params)),
        &corpus,
        &params,
        control,
        &mut |_| {},
    )
    .unwrap();
    let Outcome::Stopped(position) = outcome else {
        panic!("the run did not stop")
    };
    assert_eq!((position.epoch, position.next_chunk), (0, 1));
    let resume = checkpoint.expect("a checkpoint was taken");
    assert_eq!(resume.state.position, position);

    // Resumed with checkpoints every 5,000 words on the way.
    let mut taken = 0;
    let mut count = |_: &Snapshot<'_>| {
        taken += 1;
        Ok(())
    };
    let control = Control {
        resume: Some(resume),
        every: Some(Every::Words(5_000)),
        checkpoint: Some(&mut count),
        ..Control::default()
    };
    let resumed = finished(
        vectrain::train(
            &mut GpuBackend::new(ctx, centres_in_flight(&params)),
            &corpus,
            &params,
            control,
            &mut |_| {},
        )
        .unwrap(),
    );
    assert!(taken >= 3, "{taken} checkpoints");
    assert_eq!(resumed.stats.epochs.len(), params.epochs);
    assert_eq!(
        resumed.stats.epochs[0].examples, whole.stats.epochs[0].examples,
        "the resumed epoch counts every update once"
    );
    // GPU workgroups race (Hogwild), so runs differ in rounding: the losses agree closely.
    let (a, b) = (final_loss(&whole), final_loss(&resumed));
    assert!((a - b).abs() <= 0.02 * a, "uninterrupted {a}, resumed {b}");
}

#[test]
fn gpu_continues_a_cpu_checkpoint() {
    let Some(ctx) = gpu() else { return };
    let (corpus, params) = (corpus(), params());
    let stop = AtomicBool::new(true);
    let mut checkpoint = None;
    let mut keep = |snapshot: &Snapshot<'_>| {
        checkpoint = Some(saved(snapshot));
        Ok(())
    };
    let control = Control {
        stop: Some(&stop),
        checkpoint: Some(&mut keep),
        ..Control::default()
    };
    let outcome = vectrain::train(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        control,
        &mut |_| {},
    )
    .unwrap();
    assert!(matches!(outcome, Outcome::Stopped(_)));
    let resume = checkpoint.expect("a checkpoint was taken");
    let control = Control {
        resume: Some(resume),
        ..Control::default()
    };
    let trained = finished(
        vectrain::train(
            &mut GpuBackend::new(ctx, centres_in_flight(&params)),
            &corpus,
            &params,
            control,
            &mut |_| {},
        )
        .unwrap(),
    );
    assert_eq!(trained.stats.epochs.len(), params.epochs);
    assert!(
        trained
            .stats
            .epochs
            .iter()
            .all(|e| e.loss.is_finite() && e.examples > 0)
    );
    let cpu = vectrain::train_to_end(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        &mut |_| {},
    )
    .unwrap();
    let (a, b) = (final_loss(&cpu), final_loss(&trained));
    assert!((a - b).abs() <= 0.05 * a, "cpu {a}, cpu then gpu {b}");
}

#[test]
fn a_lost_device_is_an_error_not_a_panic() {
    if gpu().is_none() {
        return;
    }
    // A context of its own: destroying it must not disturb the other tests.
    let ctx = GpuContext::new(&GpuOptions::default()).unwrap();
    let (corpus, params) = (corpus(), params());
    let mut calls = 0;
    let mut lose = |_: &vectrain::training::Progress| {
        calls += 1;
        if calls == 1 {
            ctx.device.destroy();
        }
    };
    let control = Control {
        resume: Some(fresh(&corpus, &params)),
        ..Control::default()
    };
    let result = vectrain::train(
        &mut GpuBackend::new(&ctx, centres_in_flight(&params)),
        &corpus,
        &params,
        control,
        &mut lose,
    );
    match result {
        Err(Error::Gpu { .. }) => {}
        Err(other) => panic!("expected a GPU error, got {other}"),
        Ok(_) => panic!("training went on after the device was destroyed"),
    }
    assert!(calls >= 1);
}
