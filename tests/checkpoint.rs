//! Checkpoints: the file format (round trip, refusals), resuming in the library, and real
//! processes killed (SIGKILL) or interrupted (SIGINT) mid-run and resumed, bit-identical to a
//! run never interrupted in --deterministic mode.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use vectrain::checkpoint::{self, CorpusFingerprint, Header, RunFiles};
use vectrain::cpu::CpuBackend;
use vectrain::huffman::Ties;
use vectrain::io::VectorFormat;
use vectrain::training::{Control, Every, Outcome, Resume, RunState, Snapshot, TrainingPlan};
use vectrain::{Corpus, ReadOptions, Result, TrainConfig, TrainParams};

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/kjv.txt");
/// Lines of the KJV the process tests train on, and their settings: long enough (about a
/// second) to be killed mid-run, short enough for a test.
const LINES: usize = 6000;
const SETTINGS: [&str; 8] = [
    "--dim",
    "20",
    "--epochs",
    "3",
    "--deterministic",
    "--format",
    "w2v-bin",
    "--seed",
];

fn kjv_head(lines: usize) -> String {
    let text = std::fs::read_to_string(KJV).unwrap_or_else(|e| panic!("cannot read {KJV}: {e}"));
    text.lines().take(lines).map(|l| format!("{l}\n")).collect()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `vectrain train` on `corpus.txt` in `dir` writing `output`, with [`SETTINGS`] and `extra`.
fn train_command(dir: &Path, output: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vectrain"));
    command
        .current_dir(dir)
        .args(["train", "-i", "corpus.txt", "-o", output])
        .args(SETTINGS)
        .arg("7")
        .args(extra);
    command
}

fn run_ok(mut command: Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run vectrain: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    stderr
}

/// A corpus directory with `corpus.txt` of [`LINES`] lines.
fn corpus_dir() -> tempfile::TempDir {
    let dir = temp();
    std::fs::write(dir.path().join("corpus.txt"), kjv_head(LINES))
        .unwrap_or_else(|e| panic!("cannot write the corpus: {e}"));
    dir
}

/// The vectors of a run never interrupted, computed once.
fn uninterrupted() -> &'static [u8] {
    static VECTORS: OnceLock<Vec<u8>> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let dir = corpus_dir();
        run_ok(train_command(dir.path(), "full.bin", &[]));
        read(&dir.path().join("full.bin"))
    })
}

/// Starts a run writing `run.ckpt` in `dir` and kills it (SIGKILL) once a checkpoint exists.
fn killed_after_a_checkpoint(dir: &Path) {
    let checkpoint = dir.join("run.ckpt");
    let mut child = train_command(
        dir,
        "out.bin",
        &["--checkpoint", "run.ckpt", "--checkpoint-every", "20000w"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap_or_else(|e| panic!("cannot start vectrain: {e}"));
    let started = Instant::now();
    while !checkpoint.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no checkpoint after 60 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child
        .kill()
        .unwrap_or_else(|e| panic!("cannot kill vectrain: {e}"));
    let status = child
        .wait()
        .unwrap_or_else(|e| panic!("cannot wait for vectrain: {e}"));
    assert_eq!(
        status.signal(),
        Some(9),
        "the run ended before it was killed: {status:?}"
    );
    assert!(!dir.join("out.bin").exists());
}

#[test]
fn sigkill_then_resume_alone_is_bit_identical() {
    let dir = corpus_dir();
    killed_after_a_checkpoint(dir.path());
    // From another directory, with nothing but the checkpoint: it holds the settings and
    // the corpus and output paths.
    let elsewhere = temp();
    let mut resume = Command::new(env!("CARGO_BIN_EXE_vectrain"));
    resume
        .current_dir(elsewhere.path())
        .args(["train", "--resume"])
        .arg(dir.path().join("run.ckpt"));
    let stderr = run_ok(resume);
    assert!(stderr.contains("resuming from"), "{stderr}");
    assert!(stderr.contains("word2vec-binary"), "{stderr}");
    assert!(
        uninterrupted() == read(&dir.path().join("out.bin")).as_slice(),
        "resumed vectors differ from an uninterrupted run"
    );
    assert!(
        !dir.path().join("run.ckpt").exists(),
        "the finished run left its checkpoint: {stderr}"
    );
    assert!(stderr.contains("removed the checkpoint"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).map(|d| d.count()).ok(),
        Some(0)
    );
}

/// Sends `signal` to a run once training is under way, then resumes it with the command
/// the run printed, and checks the vectors equal an uninterrupted run's.
fn signal_then_resume(signal: &str) {
    let dir = corpus_dir();
    let child = train_command(dir.path(), "out.bin", &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start vectrain: {e}"));
    let started = Instant::now();
    let mut interrupted = false;
    while !interrupted {
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(100));
        // Interrupt once training is under way (the handler is installed just before it):
        // 0.2 s of user CPU time (field 14 of /proc/PID/stat), past reading the corpus.
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap_or_default();
        let ticks: u64 = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(11))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if ticks >= 20 {
            let sent = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
            assert!(sent.success());
            interrupted = true;
        }
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for vectrain: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(130),
        "expected exit 130 after {signal}: {stderr}"
    );
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        stderr.contains("train --resume out.bin.checkpoint"),
        "no resume command: {stderr}"
    );
    assert!(dir.path().join("out.bin.checkpoint").is_file());
    assert!(!dir.path().join("out.bin").exists(), "vectors were written");
    let mut resume = Command::new(env!("CARGO_BIN_EXE_vectrain"));
    resume
        .current_dir(dir.path())
        .args(["train", "--resume", "out.bin.checkpoint"]);
    run_ok(resume);
    assert!(
        uninterrupted() == read(&dir.path().join("out.bin")).as_slice(),
        "resumed vectors differ from an uninterrupted run"
    );
}

#[test]
fn sigint_writes_a_checkpoint_and_resume_is_bit_identical() {
    signal_then_resume("-INT");
}

#[test]
fn sigterm_writes_a_checkpoint_and_resume_is_bit_identical() {
    signal_then_resume("-TERM");
}

#[test]
fn resume_with_other_settings_or_corpus_is_refused() {
    let dir = corpus_dir();
    killed_after_a_checkpoint(dir.path());
    let mut other = train_command(
        dir.path(),
        "out.bin",
        &[
            "--resume",
            "run.ckpt",
            "--window",
            "3",
            "--negative",
            "7",
            "--parts",
            "3",
            "--hs",
        ],
    );
    let output = other.output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for fragment in [
        "run.ckpt was written with other settings",
        "--window 5 (checkpoint) vs 3 (this run)",
        "--negative 5 (checkpoint) vs 7 (this run)",
        "--parts 2 (checkpoint) vs 3 (this run)",
        "--hs false (checkpoint) vs true (this run)",
    ] {
        assert!(stderr.contains(fragment), "lacks {fragment:?}: {stderr}");
    }
    assert!(!dir.path().join("out.bin").exists());
    std::fs::write(dir.path().join("corpus.txt"), kjv_head(LINES / 2))
        .unwrap_or_else(|e| panic!("{e}"));
    let output = train_command(dir.path(), "out.bin", &["--resume", "run.ckpt"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("corpus.txt does not match checkpoint run.ckpt: its vocabulary has"),
        "{stderr}"
    );
    assert!(!dir.path().join("out.bin").exists());
}

// ---- the library ----

fn small_corpus() -> Result<Corpus> {
    let options = ReadOptions {
        lowercase: false,
        min_count: 2,
        max_vocab: None,
        ..ReadOptions::default()
    };
    Corpus::from_reader(kjv_head(1500).as_bytes(), Path::new("kjv"), &options)
}

fn params(threads: usize, deterministic: bool) -> Result<TrainParams> {
    TrainConfig {
        dim: 12,
        epochs: 2,
        threads: Some(threads),
        deterministic,
        ..TrainConfig::default()
    }
    .check()
}

type Saved = (RunState, Vec<f32>, Vec<f32>);

fn save(snapshot: &Snapshot<'_>) -> Saved {
    (
        snapshot.state.clone(),
        snapshot.input.to_vec(),
        snapshot.output.to_vec(),
    )
}

#[test]
fn stopped_and_resumed_twice_equals_uninterrupted() -> Result<()> {
    // One part (corpus order), the default, and more parts than the default: the position a
    // run resumes from is an index in the plan's training order, whatever that order is.
    // Hierarchical softmax alone and beside negative sampling: the output table holds the
    // tree's rows.
    let default_parts = vectrain::config::DEFAULT_PARTS;
    for (parts, hs, negative) in [
        (1, false, 5),
        (default_parts, false, 5),
        (3, false, 5),
        (default_parts, true, 0),
        (default_parts, true, 5),
    ] {
        stopped_and_resumed_twice(parts, hs, negative)?;
    }
    Ok(())
}

fn stopped_and_resumed_twice(parts: usize, hs: bool, negative: usize) -> Result<()> {
    let corpus = small_corpus()?;
    let params = TrainParams {
        parts,
        hs,
        negative,
        ..params(1, true)?
    };
    let reference = vectrain::train_to_end(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        &mut |_| {},
    )?;
    let mut resume = None;
    let mut resumed_from = 0;
    for stop_after in [2, 3] {
        let stop = AtomicBool::new(false);
        let mut saved = None;
        let mut calls = 0;
        let mut callback = |snapshot: &Snapshot<'_>| {
            calls += 1;
            saved = Some(save(snapshot));
            if calls == stop_after - 1 {
                stop.store(true, Ordering::Relaxed);
            }
            Ok(())
        };
        let control = Control {
            resume: resume.take(),
            every: Some(Every::Words(7_000)),
            stop: Some(&stop),
            checkpoint: Some(&mut callback),
            averager: None,
        };
        let outcome = vectrain::train(
            &mut CpuBackend::new(params.threads),
            &corpus,
            &params,
            control,
            &mut |_| {},
        )?;
        let Outcome::Stopped(position) = outcome else {
            panic!("the run was not stopped");
        };
        let Some((state, input, output)) = saved else {
            panic!("no checkpoint taken");
        };
        assert_eq!(state.position, position);
        let plan =
            TrainingPlan::new(&corpus, &params, state.position.chunk_tokens as usize).unwrap();
        resumed_from = state.position.epoch * plan.epoch_positions
            + plan.done_before(state.position.next_chunk as usize);
        resume = Some(Resume {
            state,
            input,
            output,
        });
    }
    let control = Control {
        resume,
        ..Control::default()
    };
    let Outcome::Finished(resumed) = vectrain::train(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        control,
        &mut |_| {},
    )?
    else {
        panic!("the resumed run stopped");
    };
    let same = |a: &[f32], b: &[f32]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    };
    assert!(same(
        resumed.embeddings.as_slice(),
        reference.embeddings.as_slice()
    ));
    assert!(same(&resumed.output, &reference.output));
    // The resumed run trains exactly the positions the stopped runs left.
    assert!(resumed_from > 0);
    assert_eq!(resumed.stats.words + resumed_from, reference.stats.words);
    assert_eq!(resumed.stats.epochs.len(), 2);
    for (a, b) in resumed.stats.epochs.iter().zip(&reference.stats.epochs) {
        assert_eq!(a.loss.to_bits(), b.loss.to_bits());
        assert_eq!(a.examples, b.examples);
    }
    Ok(())
}

#[test]
fn many_threads_checkpoint_often_and_finish() -> Result<()> {
    let options = ReadOptions {
        lowercase: false,
        min_count: 5,
        max_vocab: None,
        ..ReadOptions::default()
    };
    // 16 chunks an epoch: threads pause every few chunks.
    let corpus = Corpus::from_reader(kjv_head(LINES).as_bytes(), Path::new("kjv"), &options)?;
    let params = params(3, false)?;
    let mut positions = Vec::new();
    let mut callback = |snapshot: &Snapshot<'_>| {
        positions.push(snapshot.state.position);
        Ok(())
    };
    let control = Control {
        every: Some(Every::Words(5_000)),
        checkpoint: Some(&mut callback),
        ..Control::default()
    };
    let outcome = vectrain::train(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        control,
        &mut |_| {},
    )?;
    assert!(matches!(outcome, Outcome::Finished(_)));
    assert!(positions.len() >= 5, "{positions:?}");
    assert!(
        positions
            .windows(2)
            .all(|w| (w[0].epoch, w[0].next_chunk) < (w[1].epoch, w[1].next_chunk)),
        "{positions:?}"
    );
    Ok(())
}

#[test]
fn timed_checkpoints_change_nothing_in_a_deterministic_run() -> Result<()> {
    let corpus = small_corpus()?;
    // Enough epochs that the run lasts about a second: the trainer looks at the clock every
    // 50 ms, so a run of a few hundred milliseconds could see a single interval.
    let params = TrainParams {
        epochs: 12,
        ..params(1, true)?
    };
    let reference = vectrain::train_to_end(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        &mut |_| {},
    )?;
    let mut calls = 0;
    let mut callback = |_: &Snapshot<'_>| {
        calls += 1;
        // Slow the run so that several intervals pass.
        std::thread::sleep(Duration::from_millis(30));
        Ok(())
    };
    let control = Control {
        every: Some(Every::Time(Duration::from_millis(1))),
        checkpoint: Some(&mut callback),
        ..Control::default()
    };
    let Outcome::Finished(trained) = vectrain::train(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        control,
        &mut |_| {},
    )?
    else {
        panic!("the run stopped");
    };
    assert!(calls >= 2, "{calls} checkpoints");
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(trained.embeddings.as_slice()),
        bits(reference.embeddings.as_slice())
    );
    Ok(())
}

/// The files a checkpoint in `dir` records: every field set to something other than a
/// default, so that the round trip checks each.
fn example_files(dir: &Path) -> RunFiles {
    RunFiles {
        corpus: Some(dir.join("corpus with spaces.txt")),
        output: dir.join("out.bin"),
        format: VectorFormat::Word2VecBinary,
        every: Some(Every::Words(7_000)),
    }
}

/// Writes a checkpoint of `corpus` mid-run to `dir/ckpt` and returns its path.
fn written_checkpoint(dir: &Path, corpus: &Corpus, params: &TrainParams) -> Result<PathBuf> {
    let path = dir.join("ckpt");
    let stop = AtomicBool::new(true);
    let fingerprint = CorpusFingerprint::of(corpus);
    let files = example_files(dir);
    let mut callback = |snapshot: &Snapshot<'_>| {
        let header = Header {
            trainer: "cpu",
            params,
            files: &files,
            vocab: &corpus.vocab,
            corpus: fingerprint,
            state: snapshot.state,
        };
        checkpoint::write(&path, &header, snapshot.input, snapshot.output)
    };
    let control = Control {
        stop: Some(&stop),
        checkpoint: Some(&mut callback),
        ..Control::default()
    };
    vectrain::train(
        &mut CpuBackend::new(params.threads),
        corpus,
        params,
        control,
        &mut |_| {},
    )?;
    Ok(path)
}

#[test]
fn file_round_trip_and_refusals() -> Result<()> {
    let dir = temp();
    let corpus = small_corpus()?;
    let params = params(1, true)?;
    let path = written_checkpoint(dir.path(), &corpus, &params)?;
    let saved = checkpoint::read(&path)?;
    assert_eq!(saved.trainer, "cpu");
    assert_eq!(saved.params, params);
    assert_eq!(saved.files, example_files(dir.path()));
    assert_eq!(saved.vocab, corpus.vocab);
    assert_eq!(saved.corpus, CorpusFingerprint::of(&corpus));
    assert_eq!(saved.input.len(), corpus.vocab.len() * 12);
    saved.verify(&params, &corpus, &path)?;

    let bytes = read(&path);
    let refused = |name: &str, bytes: &[u8], expected: &str| {
        let bad = dir.path().join(name);
        std::fs::write(&bad, bytes).unwrap_or_else(|e| panic!("{e}"));
        let message = checkpoint::read(&bad).err().map(|e| e.to_string());
        assert!(
            message.as_deref().is_some_and(|m| m.contains(expected)),
            "{name}: {message:?}"
        );
    };
    let mut version = bytes.clone();
    version[8..12].copy_from_slice(&1u32.to_le_bytes());
    refused(
        "version",
        &version,
        "checkpoint format version 1 is not supported: this vectrain reads versions 4 to 7",
    );
    // Version 5 is version 6 (version 7 without a flag of 2) without the hierarchical-softmax
    // flag (one byte, 0, after
    // magic, version, the trainer's name, model, dim, window and negative); version 4 is
    // version 5 without the distributed section (one byte, 0, before the checksum). Both
    // are still read.
    let hs_flag = 8 + 4 + (4 + "cpu".len()) + 1 + 3 * 8;
    assert_eq!(bytes[hs_flag], 0);
    for (version, cut_end) in [(5u32, 4), (4, 5)] {
        let mut older = bytes[..bytes.len() - cut_end].to_vec();
        older.remove(hs_flag);
        older[8..12].copy_from_slice(&version.to_le_bytes());
        let crc = crc32fast::hash(&older);
        older.extend(crc.to_le_bytes());
        let older_path = dir.path().join(format!("version{version}"));
        std::fs::write(&older_path, &older).unwrap_or_else(|e| panic!("{e}"));
        let old = checkpoint::read(&older_path)?;
        assert!(old.distributed.is_none());
        assert_eq!(old.params, saved.params);
        assert_eq!(old.state, saved.state);
        assert_eq!(old.input, saved.input);
        assert_eq!(old.output, saved.output);
    }
    assert!(saved.distributed.is_none());
    // With hierarchical softmax the flag is set, 2 for a tree giving ties to leaves, and the
    // output table holds the tree's rows after the words'.
    let hs_params = TrainParams {
        hs: true,
        hs_ties: Ties::Leaves,
        ..params.clone()
    };
    let hs_dir = temp();
    let hs_path = written_checkpoint(hs_dir.path(), &corpus, &hs_params)?;
    let hs_bytes = read(&hs_path);
    assert_eq!(hs_bytes[hs_flag], 2);
    // Flag 1 is the tree of version 6, ties to inner nodes; a version-6 file says 1 or 0.
    let mut nodes_first = hs_bytes[..hs_bytes.len() - 4].to_vec();
    nodes_first[hs_flag] = 1;
    for version in [7u32, 6] {
        nodes_first[8..12].copy_from_slice(&version.to_le_bytes());
        let mut file = nodes_first.clone();
        file.extend(crc32fast::hash(&nodes_first).to_le_bytes());
        let nodes_path = hs_dir.path().join(format!("nodes{version}"));
        std::fs::write(&nodes_path, &file).unwrap_or_else(|e| panic!("{e}"));
        let nodes = checkpoint::read(&nodes_path)?;
        assert!(nodes.params.hs && nodes.params.hs_ties == Ties::Nodes);
        let message = nodes.verify(&hs_params, &corpus, &nodes_path).err();
        let message = message.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("--hs-ties nodes (checkpoint) vs leaves (this run)"),
            "{message}"
        );
    }
    let mut version6 = hs_bytes[..hs_bytes.len() - 4].to_vec();
    version6[8..12].copy_from_slice(&6u32.to_le_bytes());
    let crc = crc32fast::hash(&version6);
    version6.extend(crc.to_le_bytes());
    refused(
        "version 6, flag 2",
        &version6,
        "unknown hierarchical-softmax flag 2",
    );
    let hs_saved = checkpoint::read(&hs_path)?;
    assert_eq!(hs_saved.params, hs_params);
    let words = corpus.vocab.len();
    assert_eq!(hs_saved.output.len(), (2 * words - 1) * 12);
    hs_saved.verify(&hs_params, &corpus, &hs_path)?;
    let message = hs_saved
        .verify(&params, &corpus, &hs_path)
        .err()
        .map(|e| e.to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("--hs true (checkpoint) vs false (this run)")),
        "{message:?}"
    );
    refused(
        "magic",
        b"not a checkpoint at all",
        "not a vectrain checkpoint",
    );
    refused("empty", b"", "not a vectrain checkpoint");
    refused("truncated", &bytes[..bytes.len() - 100], "truncated");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    refused("flipped", &flipped, "checksum mismatch");
    let mut longer = bytes.clone();
    longer.push(0);
    refused("longer", &longer, "1 bytes after the checksum");

    let other = TrainConfig {
        dim: 13,
        seed: 9,
        sample: 0.0,
        epochs: 2,
        threads: Some(3),
        ..TrainConfig::default()
    }
    .check()?;
    let message = saved
        .verify(&other, &corpus, &path)
        .err()
        .map(|e| e.to_string());
    let message = message.unwrap_or_default();
    for fragment in [
        "--dim 12 (checkpoint) vs 13 (this run)",
        "--seed 1 (checkpoint) vs 9 (this run)",
        "--sample 0.001 (checkpoint) vs 0.0 (this run)",
    ] {
        assert!(message.contains(fragment), "lacks {fragment:?}: {message}");
    }
    assert!(!message.contains("threads"), "{message}");
    Ok(())
}
