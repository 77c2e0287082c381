//! `mpirun -np N vectrain train --distributed` end to end, on this machine's Open MPI (the
//! test command installs it and builds with `--features mpi`). Ranks oversubscribe the
//! machine's cores; the GPU case runs every rank on lavapipe.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::gpu;

fn kjv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/kjv.txt")
}

/// A directory of its own for each launch's session files: Open MPI 4 launchers started
/// at the same moment race to create the shared one (`mkdir /tmp/ompi.HOST.UID: File
/// exists`), and the tests run in parallel.
fn session_dir() -> PathBuf {
    static LAUNCHES: AtomicUsize = AtomicUsize::new(0);
    let n = LAUNCHES.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("vectrain-mpi-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes the session directory [`mpirun`] gave `command`, once it has ended.
fn remove_session_dir(command: &Command) {
    let base = std::ffi::OsStr::new("OMPI_MCA_orte_tmpdir_base");
    if let Some((_, Some(dir))) = command.get_envs().find(|(name, _)| *name == base) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `mpirun -np ranks vectrain train --distributed ARGS`, as root where the tests run so.
fn mpirun(ranks: usize, args: &[&str]) -> Command {
    let mut command = Command::new("mpirun");
    command
        .args(["--oversubscribe", "-np", &ranks.to_string()])
        .arg(env!("CARGO_BIN_EXE_vectrain"))
        .args(["train", "--distributed"])
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_orte_tmpdir_base", session_dir())
        .env("XDG_RUNTIME_DIR", std::env::temp_dir());
    command
}

/// Waits for `command` at most `limit`: a hung run fails the test instead of the CI job.
fn run_within(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun starts (is Open MPI installed?)");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("mpirun still running after {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    remove_session_dir(&command);
    child.wait_with_output().expect("output")
}

/// The vocabulary fingerprint each rank printed, by rank.
fn fingerprints(stderr: &str) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("rank ")?;
            let rank = rest.split_whitespace().next()?.parse().ok()?;
            let at = line.find("fingerprint ")? + "fingerprint ".len();
            Some((rank, line[at..].trim_end_matches(')').to_string()))
        })
        .collect();
    found.sort();
    found
}

/// The first `lines` verses of KJV in a file of `dir` (lavapipe trains slowly).
fn kjv_head(dir: &Path, lines: usize) -> PathBuf {
    let text = std::fs::read_to_string(kjv()).unwrap();
    let head: Vec<&str> = text.lines().take(lines).collect();
    let path = dir.join("kjv-head.txt");
    std::fs::write(&path, head.join("\n") + "\n").unwrap();
    path
}

/// What every short test run is told: `corpus` into `output` on `backend`, one thread a
/// rank, one epoch.
fn run_args<'a>(corpus: &'a Path, output: &'a Path, backend: &'a str) -> Vec<&'a str> {
    vec![
        "--input",
        corpus.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--backend",
        backend,
        "--threads",
        "1",
        "--epochs",
        "1",
    ]
}

fn train_on_ranks(ranks: usize, backend: &str, corpus: &Path, dir: &Path) -> (Output, PathBuf) {
    let output = dir.join(format!("v{ranks}{backend}.txt"));
    let mut args = run_args(corpus, &output, backend);
    args.extend(["--dim", "24", "--sync-every", "50000"]);
    let out = run_within(mpirun(ranks, &args), Duration::from_secs(600));
    (out, output)
}

fn check_run(ranks: usize, out: &Output, output: &Path) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{ranks} ranks: {stderr}");
    let prints = fingerprints(&stderr);
    assert_eq!(
        prints.iter().map(|(rank, _)| *rank).collect::<Vec<_>>(),
        (0..ranks).collect::<Vec<_>>(),
        "{stderr}"
    );
    assert!(
        prints.iter().all(|(_, print)| print == &prints[0].1),
        "vocabularies differ: {prints:?}"
    );
    assert!(stderr.contains(&format!("on {ranks} ranks")), "{stderr}");
    let text = std::fs::read_to_string(output).expect("rank 0 wrote the vectors");
    let header: Vec<usize> = text
        .lines()
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(header[1], 24);
    assert_eq!(text.lines().count(), header[0] + 1);
}

#[test]
fn two_and_three_cpu_ranks_train_one_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    for ranks in [2, 3] {
        let (out, output) = train_on_ranks(ranks, "cpu", &kjv(), dir.path());
        check_run(ranks, &out, &output);
    }
}

#[test]
fn two_and_three_gpu_ranks_train_one_vocabulary() {
    if gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = kjv_head(dir.path(), 6_000);
    for ranks in [2, 3] {
        let (out, output) = train_on_ranks(ranks, "gpu", &corpus, dir.path());
        check_run(ranks, &out, &output);
    }
}

/// `--read-vocab` on two ranks: nothing is counted, each rank reads its equal byte range with
/// the given vocabulary, and they add up what they read: every rank names the whole file's
/// tokens and the given vocabulary's size, and rank 0 writes a vector for each given word.
#[test]
fn ranks_train_with_a_given_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = kjv_head(dir.path(), 3_000);
    let vocab = dir.path().join("kjv.vocab");
    std::fs::write(
        &vocab,
        "the 5000\nlord 900\nmoses 300\nnever_in_the_text 40\n",
    )
    .unwrap();
    let output = dir.path().join("given.txt");
    let mut args = run_args(&corpus, &output, "cpu");
    args.extend(["--dim", "24", "--sync-every", "20000"]);
    args.extend(["--read-vocab", vocab.to_str().unwrap()]);
    let out = run_within(mpirun(2, &args), Duration::from_secs(300));
    check_run(2, &out, &output);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(&corpus).unwrap();
    let tokens = text.split_whitespace().count();
    for rank in 0..2 {
        let said = format!("of {tokens} tokens kept, vocabulary 4 words");
        let prefix = format!("rank {rank} of 2: ");
        assert!(
            stderr
                .lines()
                .any(|line| line.starts_with(&prefix) && line.contains(&said)),
            "{prefix}{said:?} missing:\n{stderr}"
        );
    }
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(written.starts_with("4 24\n"), "{written}");
    assert!(written.contains("\nnever_in_the_text "), "{written}");
}

#[test]
fn subword_ranks_write_a_fasttext_bin_that_gives_unseen_words_vectors() {
    subword_ranks_write_a_bin("cpu");
}

#[test]
fn subword_gpu_ranks_write_a_fasttext_bin_that_gives_unseen_words_vectors() {
    if gpu().is_none() {
        return;
    }
    subword_ranks_write_a_bin("gpu");
}

/// Two subword ranks on `backend` train the first verses of KJV into a fastText `.bin`, and a
/// word the corpus never has gets its vector from the buckets they trained.
fn subword_ranks_write_a_bin(backend: &str) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = kjv_head(dir.path(), 1_500);
    let output = dir.path().join("model.bin");
    let mut args = run_args(&corpus, &output, backend);
    args.extend(["--dim", "16", "--sync-every", "10000", "--subwords"]);
    args.extend(["--bucket", "20000", "--format", "fasttext-bin"]);
    let out = run_within(mpirun(2, &args), Duration::from_secs(600));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{backend}: {stderr}");
    assert!(stderr.contains("on 2 ranks"), "{stderr}");
    let lookup = Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(["lookup", output.to_str().unwrap(), "moseses", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&lookup.stdout);
    assert!(lookup.status.success(), "{text}");
    assert!(text.contains("\"from_ngrams\":true"), "{text}");
}

#[test]
fn a_rank_without_memory_for_the_tables_and_their_copy_refuses_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = kjv_head(dir.path(), 1_500);
    let output = dir.path().join("v.txt");
    let mut args = run_args(&corpus, &output, "cpu");
    args.extend(["--dim", "300"]);
    let mut command = mpirun(2, &args);
    // The 733 words' two tables take 1.8 MB and one process would fit in 3 MB; a rank also
    // keeps their copy as of the last synchronisation, 3.6 MB.
    command.env("VECTRAIN_MEMORY_AVAILABLE", "3000000");
    let out = run_within(command, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    // Both ranks refuse; the first to do so ends the job, so either may be the one named.
    let refusal = stderr
        .lines()
        .find(|line| line.contains("not enough memory"))
        .unwrap_or_else(|| panic!("no refusal: {stderr}"));
    assert!(
        ["rank 0 of 2: ", "rank 1 of 2: "]
            .iter()
            .any(|rank| refusal.contains(rank)),
        "{refusal}"
    );
    assert!(refusal.contains("MiB for the two tables, "), "{refusal}");
    assert!(refusal.contains("MiB for their copy"), "{refusal}");
    assert!(!output.exists());
}

#[test]
fn a_killed_rank_ends_the_run_with_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("v.txt");
    let mut command = mpirun(
        2,
        &[
            "--input",
            kjv().to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--backend",
            "cpu",
            "--threads",
            "1",
            "--dim",
            "16",
        ],
    );
    command.env("VECTRAIN_TEST_KILL_RANK", "1");
    let out = run_within(command, Duration::from_secs(300));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{said}");
    // Open MPI's launcher names the rank that died and ends the others.
    assert!(said.contains("process rank 1"), "{said}");
    assert!(!output.exists(), "no vectors from a failed run");
}

#[test]
fn an_error_on_the_ranks_is_reported_with_the_rank() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let out = run_within(
        mpirun(
            2,
            &[
                "--input",
                missing.to_str().unwrap(),
                "--output",
                dir.path().join("v.txt").to_str().unwrap(),
                "--backend",
                "cpu",
            ],
        ),
        Duration::from_secs(120),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("error: rank"), "{stderr}");
    assert!(stderr.contains("missing.txt"), "{stderr}");
}

/// `--metrics`, `--analogies` and `--save-vocab` on ranks: rank 0 alone logs and scores,
/// every epoch, and writes the vocabulary of the whole corpus.
#[test]
fn rank_zero_logs_metrics_and_scores_analogies_at_each_epoch_end() {
    use vectrain::metrics::{Record, read_metrics};

    let dir = tempfile::tempdir().unwrap();
    let corpus = kjv_head(dir.path(), 4_000);
    let output = dir.path().join("v.txt");
    let metrics = dir.path().join("m.jsonl");
    let vocab = dir.path().join("vocab.txt");
    let questions = kjv().with_file_name("questions-words.txt");
    let mut args = run_args(&corpus, &output, "cpu");
    let epochs = args.iter().position(|a| *a == "--epochs").unwrap() + 1;
    args[epochs] = "2";
    args.extend([
        "--dim",
        "24",
        "--sync-every",
        "50000",
        "--metrics",
        metrics.to_str().unwrap(),
        "--analogies",
        questions.to_str().unwrap(),
        "--save-vocab",
        vocab.to_str().unwrap(),
    ]);
    let out = run_within(mpirun(2, &args), Duration::from_secs(300));
    check_run(2, &out, &output);
    // The counts are the whole corpus's, not rank 0's share, in the vectors' order.
    let pairs = vectrain::io::vocab_counts::read(&vocab).expect("rank 0 wrote the vocabulary");
    let vectors = vectrain::read_vectors(&output).unwrap();
    let words: Vec<&str> = pairs.iter().map(|(word, _)| word.as_str()).collect();
    assert_eq!(words, vectors.vocab().words());
    let text = std::fs::read_to_string(&corpus).unwrap();
    let the = text
        .split_ascii_whitespace()
        .filter(|w| *w == "the")
        .count() as u64;
    assert_eq!(pairs[0], ("the".to_string(), the));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for epoch in 1..=2 {
        let said = format!("epoch {epoch}: analogy accuracy");
        assert_eq!(stderr.matches(&said).count(), 1, "{stderr}");
    }
    let records = read_metrics(&metrics).expect("rank 0 wrote the log");
    let epochs: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Epoch(e) => Some(e),
            Record::Interval(_) => None,
        })
        .collect();
    assert_eq!(
        epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(),
        [1, 2],
        "{records:?}"
    );
    for epoch in &epochs {
        let accuracy = epoch.analogy_accuracy.expect("scored at the epoch's end");
        assert!((0.0..=1.0).contains(&accuracy), "{epoch:?}");
        assert!(epoch.loss.is_finite() && epoch.examples > 0, "{epoch:?}");
    }
    assert!(epochs[1].loss < epochs[0].loss, "{epochs:?}");
    assert!(
        records.iter().any(|r| matches!(r, Record::Interval(_))),
        "{records:?}"
    );
}

/// Where the checkpoint tests train: the CPU, one thread a rank, on KJV.
const CPU_RANKS: [&str; 4] = ["--backend", "cpu", "--threads", "1"];
/// Where the GPU checkpoint test trains: the adapter, one centre in flight on the second
/// kernel (deterministic: no two updates race), on the first 6,000 verses of KJV.
const GPU_RANKS: [&str; 6] = [
    "--backend",
    "gpu",
    "--gpu-kernel",
    "v2",
    "--gpu-in-flight",
    "1",
];

/// The settings of the checkpoint tests' runs on `corpus` where `backend` says, writing
/// `output`.
fn checkpointed_run(output: &Path, corpus: &Path, backend: &[&str]) -> Vec<String> {
    let mut words = vec![
        "--input",
        corpus.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    words.extend(backend);
    words.extend(["--dim", "16", "--epochs", "1", "--sync-every", "50000"]);
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn a_run_whose_rank_dies_after_a_checkpoint_resumes_from_it_as_if_never_stopped() {
    killed_after_a_checkpoint_and_resumed(&kjv(), &CPU_RANKS, "200000w");
}

#[test]
fn gpu_ranks_killed_after_a_checkpoint_resume_from_it_as_if_never_stopped() {
    if gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = kjv_head(dir.path(), 6_000);
    killed_after_a_checkpoint_and_resumed(&corpus, &GPU_RANKS, "60000w");
}

/// Two ranks on `backend`, rank 1 killed right after the first checkpoint (due every
/// `checkpoint_every`), then resumed with the command the run printed: the vectors of a run
/// never stopped, byte for byte.
fn killed_after_a_checkpoint_and_resumed(corpus: &Path, backend: &[&str], checkpoint_every: &str) {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.txt");
    let args = checkpointed_run(&reference, corpus, backend);
    let out = run_within(
        mpirun(2, &args.iter().map(String::as_str).collect::<Vec<_>>()),
        Duration::from_secs(300),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Rank 1 dies (SIGKILL) right after the first checkpoint.
    let output = dir.path().join("v.txt");
    let checkpoint = dir.path().join("run.ckpt");
    let mut args = checkpointed_run(&output, corpus, backend);
    args.extend(["--checkpoint", checkpoint.to_str().unwrap()].map(String::from));
    args.extend(["--checkpoint-every", checkpoint_every].map(String::from));
    let mut command = mpirun(2, &args.iter().map(String::as_str).collect::<Vec<_>>());
    command.env("VECTRAIN_TEST_KILL_RANK", "1");
    command.env("VECTRAIN_TEST_KILL_AFTER_CHECKPOINTS", "1");
    let out = run_within(command, Duration::from_secs(300));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("process rank 1"), "{said}");
    assert!(!output.exists(), "no vectors from a failed run");
    // The checkpoint rank 0 wrote is whole: it reads back, with both ranks' places.
    let saved = vectrain::checkpoint::read(&checkpoint).expect("the checkpoint reads back");
    let run = saved.distributed.expect("a distributed checkpoint");
    assert_eq!(run.ranks.len(), 2);
    assert!(run.syncs > 0);
    // In one process it is refused, with the command that continues it.
    let single = Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(["train", "--resume", checkpoint.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&single.stderr);
    assert!(!single.status.success());
    assert!(
        stderr.contains("is of a distributed run of 2 ranks: continue it with `mpirun -np 2"),
        "{stderr}"
    );

    // The resume command it printed, under the test's launcher: the same vectors, bit for
    // bit (2 ranks add in either order alike; one thread a rank).
    let printed = said
        .lines()
        .find_map(|line| line.split("this continues it: ").nth(1))
        .unwrap_or_else(|| panic!("no resume command: {said}"));
    let words: Vec<&str> = printed.split_whitespace().collect();
    assert_eq!(&words[..3], ["mpirun", "-np", "2"], "{printed}");
    let at = words.iter().position(|w| *w == "train").unwrap() + 1;
    let resume: Vec<&str> = words[at..]
        .iter()
        .copied()
        .filter(|w| *w != "--distributed")
        .collect();
    assert_eq!(&resume[..2], ["--resume", checkpoint.to_str().unwrap()]);
    let out = run_within(mpirun(2, &resume), Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("resuming from"), "{stderr}");
    assert_eq!(
        std::fs::read(&output).unwrap(),
        std::fs::read(&reference).unwrap(),
        "resumed vectors differ from the run never stopped"
    );
    assert!(
        !checkpoint.exists(),
        "the finished run removes its checkpoint"
    );
}

#[test]
fn sigterm_to_mpirun_stops_every_rank_with_a_checkpoint_that_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("v.txt");
    let log = dir.path().join("stderr.txt");
    let mut args = checkpointed_run(&output, &kjv(), &CPU_RANKS);
    // Long enough (a few seconds) to be under way when the signal comes.
    for (option, value) in [("--epochs", "3"), ("--dim", "32")] {
        let at = args.iter().position(|a| a == option).unwrap();
        args[at + 1] = value.into();
    }
    let mut command = mpirun(2, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let mut child = command
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("mpirun starts (is Open MPI installed?)");
    let started = Instant::now();
    let said = || std::fs::read_to_string(&log).unwrap_or_default();
    while !(said().contains("rank 0: training on") && said().contains("rank 1: training on")) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended early: {}",
            said()
        );
        assert!(started.elapsed() < Duration::from_secs(120), "{}", said());
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "a hang: {}",
            said()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    remove_session_dir(&command);
    let stderr = said();
    assert!(
        stderr.contains("interrupted: every rank stopped after synchronisation"),
        "{stderr}"
    );
    assert!(!output.exists(), "no vectors from an interrupted run");
    let checkpoint = PathBuf::from(format!("{}.checkpoint", output.display()));
    let saved = vectrain::checkpoint::read(&checkpoint).expect("the checkpoint reads back");
    assert_eq!(saved.distributed.map(|run| run.ranks.len()), Some(2));
    let resume = ["--resume", checkpoint.to_str().unwrap()];
    let out = run_within(mpirun(2, &resume), Duration::from_secs(300));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(output.exists());
}
