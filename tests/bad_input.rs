//! Bad input through the `vectrain` binary: each row of the README's table "input -> what
//! happens" is one test. A refused input gets a non-zero exit, a message naming the problem
//! and the file (and line, where there is one), and leaves no output file behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/kjv.txt");

struct Run {
    code: Option<i32>,
    stderr: String,
    stdout: String,
}

fn vectrain(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run vectrain: {e}"));
    Run {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

fn temp() -> TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
    path
}

/// Files in `dir`, sorted (temporary files included).
/// The files in `dir`, but the encoded-corpus caches (`*.vtc`): a complete cache is kept
/// when training fails after reading the corpus, for the next run to reuse.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".vtc"))
        .collect();
    names.sort();
    names
}

/// A small real corpus: the first `lines` verses of the King James Bible.
fn kjv_head(lines: usize) -> String {
    let text = std::fs::read_to_string(KJV).unwrap_or_else(|e| panic!("cannot read {KJV}: {e}"));
    text.lines().take(lines).map(|l| format!("{l}\n")).collect()
}

/// Runs `vectrain train` on `corpus` (written as `corpus_name` unless `None`) with `extra`
/// options and checks it fails: exit 1 or 2 (clap's usage errors), every `expected` fragment in
/// the message, and no file but the inputs left in the directory.
fn train_fails(corpus: Option<(&str, &[u8])>, input: &str, extra: &[&str], expected: &[&str]) {
    train_fails_env(corpus, input, extra, expected, &[]);
}

fn train_fails_env(
    corpus: Option<(&str, &[u8])>,
    input: &str,
    extra: &[&str],
    expected: &[&str],
    env: &[(&str, &str)],
) {
    let dir = temp();
    if let Some((name, bytes)) = corpus {
        write(dir.path(), name, bytes);
    }
    let before = listing(dir.path());
    let mut args = vec![
        "train", "--input", input, "--output", "out.txt", "--epochs", "1",
    ];
    args.extend_from_slice(extra);
    let run = vectrain(&args, dir.path(), env);
    assert!(
        matches!(run.code, Some(1 | 2)),
        "exit {:?}, stderr:\n{}",
        run.code,
        run.stderr
    );
    let message = run.stderr.to_lowercase();
    for fragment in expected {
        assert!(
            message.contains(&fragment.to_lowercase()),
            "message lacks {fragment:?}:\n{}",
            run.stderr
        );
    }
    assert_eq!(listing(dir.path()), before, "files left behind");
}

/// Runs `vectrain train` on `corpus` and checks it succeeds and writes the vectors.
fn train_succeeds(bytes: &[u8], extra: &[&str]) -> Run {
    let dir = temp();
    write(dir.path(), "corpus.txt", bytes);
    let mut args = vec![
        "train",
        "-i",
        "corpus.txt",
        "-o",
        "out.txt",
        "--epochs",
        "1",
    ];
    args.extend_from_slice(extra);
    let run = vectrain(&args, dir.path(), &[]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(dir.path().join("out.txt").is_file(), "no output written");
    run
}

// ---- corpus ----

#[test]
fn corpus_missing() {
    train_fails(None, "missing.txt", &[], &["missing.txt", "no such file"]);
}

#[test]
fn corpus_is_a_directory() {
    let dir = temp();
    std::fs::create_dir(dir.path().join("books")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let run = vectrain(&["train", "-i", "books", "-o", "out.txt"], dir.path(), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("books"), "{}", run.stderr);
    assert!(run.stderr.contains("directory"), "{}", run.stderr);
    assert_eq!(listing(dir.path()), ["books"]);
}

#[test]
fn corpus_empty() {
    let corpus = Some(("empty.txt", &b""[..]));
    train_fails(corpus, "empty.txt", &[], &["empty.txt", "holds no words"]);
}

#[test]
fn corpus_only_whitespace() {
    let corpus = Some(("blank.txt", &b"  \n\t\r\n \x0b\x0c\n\n"[..]));
    train_fails(corpus, "blank.txt", &[], &["blank.txt", "holds no words"]);
}

#[test]
fn corpus_all_words_under_min_count() {
    let corpus = Some(("rare.txt", &b"a b c d\ne f g\n"[..]));
    let expected = [
        "rare.txt",
        "at least 5 times",
        "7 distinct words",
        "--min-count",
    ];
    train_fails(corpus, "rare.txt", &[], &expected);
}

#[test]
fn corpus_non_utf8_is_read_lossily() {
    let text: Vec<u8> = b"caf\xe9 au lait \xff\xfe the cat sat on the mat\n".repeat(20);
    let run = train_succeeds(&text, &["--min-count", "1", "--dim", "8"]);
    assert!(
        run.stderr.contains("40 tokens had invalid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn corpus_single_huge_line() {
    let line: String = (0..300_000).map(|i| format!("w{} ", i % 50)).collect();
    let run = train_succeeds(line.as_bytes(), &["--dim", "8"]);
    assert!(
        run.stderr.contains("1 lines had more than 10000 tokens"),
        "{}",
        run.stderr
    );
}

#[test]
fn corpus_truncated_gzip() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, kjv_head(2000).as_bytes())
        .unwrap_or_else(|e| panic!("gzip: {e}"));
    let gz = encoder.finish().unwrap_or_else(|e| panic!("gzip: {e}"));
    let truncated = &gz[..gz.len() / 2];
    train_fails(
        Some(("corpus.txt.gz", truncated)),
        "corpus.txt.gz",
        &[],
        &["cannot read corpus.txt.gz", "deflate"],
    );
}

// ---- training options ----

fn option_fails(extra: &[&str], expected: &[&str]) {
    let corpus = kjv_head(300);
    train_fails(
        Some(("kjv.txt", corpus.as_bytes())),
        "kjv.txt",
        extra,
        expected,
    );
}

#[test]
fn option_dim_zero() {
    option_fails(&["--dim", "0"], &["--dim", "0 is not in 1..=10000"]);
}

#[test]
fn option_dim_absurd() {
    option_fails(&["--dim", "1000000000"], &["--dim", "not in 1..=10000"]);
    option_fails(
        &["--dim", "99999999999999999999999"],
        &["--dim", "too large"],
    );
}

#[test]
fn option_dim_beyond_memory() {
    let corpus = kjv_head(300);
    let env = [("VECTRAIN_MEMORY_AVAILABLE", "1000000")];
    let expected = ["not enough memory", "two tables", "976.6 KiB are available"];
    let input = Some(("kjv.txt", corpus.as_bytes()));
    train_fails_env(input, "kjv.txt", &["--dim", "10000"], &expected, &env);
}

/// A negative value is refused naming the option it was given to, not as an unexpected
/// argument, for every subcommand's numbers.
#[test]
fn option_dim_negative() {
    option_fails(&["--dim", "-5"], &["invalid value '-5' for '--dim <DIM>'"]);
    option_fails(
        &["--window", "-1"],
        &["invalid value '-1' for '--window <WINDOW>'"],
    );
    usage_fails(
        &["similar", "v.txt", "king", "-k", "-2"],
        "invalid value '-2' for '-k <K>'",
    );
}

/// Runs `vectrain ARGS` and checks clap refuses it (exit 2) with `expected` in the message.
fn usage_fails(args: &[&str], expected: &str) {
    let dir = temp();
    write(dir.path(), "v.txt", PLOT_VECTORS);
    let run = vectrain(args, dir.path(), &[]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
}

#[test]
fn option_window_zero() {
    option_fails(&["--window", "0"], &["--window", "0 is not in"]);
}

#[test]
fn option_negative_zero() {
    option_fails(
        &["--negative", "0"],
        &["--negative", "0 leaves nothing to train", "--hs"],
    );
}

#[test]
fn option_alpha_not_positive_finite() {
    for alpha in ["0", "-1", "nan", "inf"] {
        option_fails(
            &["--alpha", alpha],
            &["--alpha", "not a positive finite number"],
        );
    }
}

#[test]
fn option_epochs_zero() {
    let corpus = kjv_head(300);
    let dir = temp();
    write(dir.path(), "kjv.txt", corpus);
    let run = vectrain(
        &["train", "-i", "kjv.txt", "-o", "out.txt", "--epochs", "0"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("--epochs: 0 is not in"),
        "{}",
        run.stderr
    );
    assert_eq!(listing(dir.path()), ["kjv.txt"]);
}

#[test]
fn option_threads_zero() {
    option_fails(&["--threads", "0"], &["--threads", "0 is not allowed"]);
}

#[test]
fn option_sample_negative() {
    option_fails(
        &["--sample", "-0.1"],
        &["--sample", "-0.1 is not a finite number >= 0"],
    );
}

#[test]
fn option_huge_alpha_diverges() {
    option_fails(
        &["--alpha", "1e30", "--dim", "20"],
        &["training diverged in epoch 1", "lower --alpha"],
    );
}

#[test]
fn option_bad_checkpoint_interval() {
    option_fails(
        &["--checkpoint-every", "10x"],
        &["--checkpoint-every", "not an interval"],
    );
}

// ---- vector files for `vectrain eval --vectors` ----

/// Runs `vectrain eval` on a vector file `bytes` and checks it fails with every `expected`
/// fragment in the message, printing no report.
fn eval_fails(bytes: &[u8], expected: &[&str]) {
    let dir = temp();
    write(dir.path(), "vectors.txt", bytes);
    write(dir.path(), "pairs.txt", "a b 1.0\na c 2.0\nb c 3.0\n");
    let before = listing(dir.path());
    let run = vectrain(
        &[
            "eval",
            "--vectors",
            "vectors.txt",
            "--similarity",
            "pairs.txt",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "printed a report:\n{}", run.stdout);
    for fragment in expected {
        assert!(
            run.stderr.contains(fragment),
            "message lacks {fragment:?}:\n{}",
            run.stderr
        );
    }
    assert_eq!(listing(dir.path()), before, "files left behind");
}

#[test]
fn vectors_wrong_header_count() {
    eval_fails(
        b"3 2\na 1 2\nb 3 4\n",
        &[
            "vectors.txt:4",
            "the file ends after 2 rows, the header declares 3",
        ],
    );
    eval_fails(
        b"1 2\na 1 2\nb 3 4\n",
        &["vectors.txt:3", "more rows than the 1 the header declares"],
    );
}

#[test]
fn vectors_wrong_number_of_values() {
    eval_fails(
        b"2 3\na 1 2 3\nb 3 4\n",
        &["vectors.txt:3", "\"b\" has 2 values, expected 3"],
    );
    eval_fails(
        b"a 1 2\nb 3 4 5\n",
        &["vectors.txt:2", "has 3 values, expected 2"],
    );
}

#[test]
fn vectors_first_row_malformed() {
    // Taken for binary by its header and first row, then read as the text it is.
    eval_fails(
        b"2 3\na 1 2\nb 1 2 3\n",
        &["vectors.txt:2: \"a\" has 2 values, expected 3"],
    );
    eval_fails(
        b"2 3\na 1,5 2 3\nb 1 2 3\n",
        &["vectors.txt:2: value 1 of \"a\" is not a number: \"1,5\""],
    );
}

#[test]
fn vectors_not_numbers() {
    eval_fails(
        b"2 2\na 1 2\nb 3 x4\n",
        &["vectors.txt:3", "value 2 of \"b\" is not a number"],
    );
}

#[test]
fn vectors_nan_or_inf() {
    eval_fails(
        b"2 2\na 1 NaN\nb 3 4\n",
        &["vectors.txt:2", "value 2 is NaN"],
    );
    eval_fails(b"a 1 2\nb inf 4\n", &["vectors.txt:2", "value 1 is inf"]);
}

#[test]
fn vectors_truncated_binary() {
    let mut bytes = b"2 3\n".to_vec();
    for word in ["a", "b"] {
        bytes.extend_from_slice(word.as_bytes());
        bytes.push(b' ');
        for v in [1.0f32, 2.0, 3.0] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.push(b'\n');
    }
    bytes.truncate(bytes.len() - 6);
    eval_fails(
        &bytes,
        &[
            "vectors.txt:3",
            "the file is truncated: it ends inside a vector",
        ],
    );
}

#[test]
fn vectors_duplicate_words() {
    eval_fails(
        b"3 2\na 1 2\nb 3 4\na 5 6\n",
        &["vectors.txt:4", "duplicate word \"a\" (first on line 2)"],
    );
}

#[test]
fn vectors_empty_file() {
    eval_fails(b"", &["vectors.txt", "the file is empty"]);
}

#[test]
fn vectors_header_claims_a_trillion_rows() {
    eval_fails(
        b"1000000000000 2\na 1 2\n",
        &[
            "vectors.txt:1",
            "1000000000000 rows: at most 4294967295 are supported",
        ],
    );
    // Within the row limit, a lying header costs no memory: the file simply ends early, or
    // here fails at its first row (text, and not a row of 100 values).
    eval_fails(
        b"4000000000 100\na 1 2\n",
        &["vectors.txt:2", "\"a\" has 2 values, expected 100"],
    );
    let mut binary = b"4000000000 2\na ".to_vec();
    binary.extend_from_slice(&[0, 0, 128, 63, 0, 0, 0, 64]);
    eval_fails(
        &binary,
        &[
            "vectors.txt:3",
            "truncated",
            "declares 4000000000 rows of 2",
        ],
    );
}

// ---- word indices for `vectrain matrix --vocab` ----

/// Runs `vectrain matrix` with the word index `bytes` (written as `name`) and checks it fails
/// with every `expected` fragment in the message, writing no matrix.
fn matrix_fails(name: &str, bytes: &[u8], expected: &[&str], env: &[(&str, &str)]) {
    let dir = temp();
    write(dir.path(), "v.txt", "2 3\ngod 1 0 0\nlord 0 1 0\n");
    write(dir.path(), name, bytes);
    let before = listing(dir.path());
    let args = ["matrix", "v.txt", "--vocab", name, "--output", "m.npy"];
    let run = vectrain(&args, dir.path(), env);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    for fragment in expected {
        assert!(
            run.stderr.contains(fragment),
            "message lacks {fragment:?}:\n{}",
            run.stderr
        );
    }
    assert_eq!(listing(dir.path()), before, "files left behind");
}

#[test]
fn word_index_of_word_count_lines() {
    matrix_fails(
        "vocab.txt",
        b"god\nthe 1234\n",
        &["vocab.txt:2: \"the 1234\" is not a word", "first column"],
        &[],
    );
}

#[test]
fn word_index_empty_object() {
    matrix_fails(
        "w2i.json",
        b"{}",
        &["w2i.json: the word index holds no words"],
        &[],
    );
}

#[test]
fn word_index_two_words_on_one_index() {
    matrix_fails(
        "w2i.json",
        br#"{"god": 1, "lord": 1}"#,
        &["w2i.json", "words \"god\" and \"lord\" both have index 1"],
        &[],
    );
}

#[test]
fn word_index_of_four_billion() {
    // The matrix would be 4000000001 rows of 3 floats (44.7 GiB): refused before allocating,
    // against the free memory (set here, so the test does not depend on the machine).
    matrix_fails(
        "w2i.json",
        br#"{"god": 0, "lord": 4000000000}"#,
        &[
            "cannot build the matrix of w2i.json",
            "the largest index, 4000000000 (\"lord\"), makes a matrix of 4000000001 rows of 3 \
             values (44.7 GiB), but only 953.7 MiB of memory is available",
        ],
        &[("VECTRAIN_MEMORY_AVAILABLE", "1000000000")],
    );
    matrix_fails(
        "w2i.json",
        br#"{"god": 0, "lord": 4294967295}"#,
        &["w2i.json", "indices must be at most 4294967294"],
        &[],
    );
}

/// Runs `vectrain ARGS` in a directory holding `files` and checks it fails with every
/// `expected` fragment in the message, leaving no file but the inputs, and those unchanged.
fn fails_in(files: &[(&str, &[u8])], args: &[&str], expected: &[&str]) {
    let dir = temp();
    for (name, bytes) in files {
        write(dir.path(), name, bytes);
    }
    let before = listing(dir.path());
    let run = vectrain(args, dir.path(), &[]);
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    for fragment in expected {
        assert!(
            run.stderr.contains(fragment),
            "message lacks {fragment:?}:\n{}",
            run.stderr
        );
    }
    assert_eq!(listing(dir.path()), before, "files left behind");
    for (name, bytes) in files {
        let now = std::fs::read(dir.path().join(name)).unwrap_or_default();
        assert!(now == *bytes, "{name} was changed");
    }
}

#[test]
fn metrics_log_in_a_missing_directory() {
    fails_in(
        &[("c.txt", kjv_head(100).as_bytes())],
        &["train", "-i", "c.txt", "--metrics", "missing/run.jsonl"],
        &[
            "error: --metrics missing/run.jsonl: cannot write missing/run.jsonl: missing does not exist",
        ],
    );
}

const PLOT_VECTORS: &[u8] = b"2 2\nking 1 0\nqueen 0.9 0.1\n";

#[test]
fn plot_to_a_jpeg() {
    fails_in(
        &[("v.txt", PLOT_VECTORS)],
        &[
            "plot",
            "--vectors",
            "v.txt",
            "--words",
            "king",
            "--output",
            "map.jpg",
        ],
        &["error: invalid option --output: map.jpg: name a .svg or a .png file"],
    );
}

#[test]
fn plot_with_a_font_that_is_not_one() {
    fails_in(
        &[("v.txt", PLOT_VECTORS)],
        &[
            "plot",
            "--vectors",
            "v.txt",
            "--words",
            "king",
            "--output",
            "map.png",
            "--font",
            "v.txt",
        ],
        &["error: invalid option --font: v.txt is not a TrueType or OpenType font"],
    );
}

#[test]
fn plot_a_word_outside_the_vocabulary() {
    fails_in(
        &[("v.txt", PLOT_VECTORS)],
        &[
            "plot",
            "--vectors",
            "v.txt",
            "--words",
            "king,kiwi",
            "--output",
            "map.png",
        ],
        &["error: word \"kiwi\" is not in the vocabulary"],
    );
}

// ---- outputs that would destroy an input, streams that close ----

#[test]
fn outputs_on_inputs_or_on_each_other() {
    let corpus = kjv_head(100);
    let train: &[(&str, &[u8])] = &[("c.txt", corpus.as_bytes())];
    let queries: &[(&str, &[u8])] = &[("v.txt", PLOT_VECTORS), ("s.txt", b"king queen\n")];
    // The files, the command line, and what the refusal says. The checkpoint is removed when
    // a run completes: on the output it would take the vectors with it.
    let cases = [
        (
            train,
            "train -i c.txt -o ./c.txt",
            "--output: ./c.txt is also the --input: writing it would destroy that file",
        ),
        (
            train,
            "train -i c.txt -o v.txt --checkpoint v.txt",
            "--output: v.txt is also the --checkpoint",
        ),
        (
            train,
            "train -i c.txt --checkpoint c.txt",
            "--checkpoint: c.txt is also the --input",
        ),
        (
            train,
            "train -i c.txt --metrics c.txt",
            "--metrics: c.txt is also the --input",
        ),
        (
            queries,
            "sentences v.txt --input s.txt --output s.txt",
            "--output: s.txt is also the --input",
        ),
        (
            queries,
            "sentences v.txt --input s.txt --output v.txt",
            "--output: v.txt is also the vector file",
        ),
        (
            queries,
            "matrix v.txt --vocab s.txt --output s.txt",
            "--output: s.txt is also the --vocab",
        ),
    ];
    for (files, command, refusal) in cases {
        let args: Vec<&str> = command.split_whitespace().collect();
        fails_in(files, &args, &[&format!("error: invalid option {refusal}")]);
    }
}

#[cfg(unix)]
#[test]
fn train_writes_to_a_device_without_replacing_it() {
    let dir = temp();
    write(dir.path(), "c.txt", kjv_head(200));
    let files_in_dev = || {
        let entries = std::fs::read_dir("/dev").into_iter().flatten().flatten();
        let files = entries.filter(|e| e.file_type().is_ok_and(|t| t.is_file()));
        files.map(|e| e.file_name()).collect::<Vec<_>>()
    };
    let before = files_in_dev();
    let args = ["train", "-i", "c.txt", "-o", "/dev/null", "--epochs", "1"];
    let run = vectrain(&args, dir.path(), &[]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(run.stderr.contains("wrote /dev/null"), "{}", run.stderr);
    // Checkpoints written to the device: a finished run removes its checkpoint, never it.
    write(dir.path(), "c3k.txt", kjv_head(3000));
    let checkpoints: Vec<&str> = "train -i c3k.txt -o v.txt --epochs 1 --no-cache \
         --checkpoint /dev/null --checkpoint-every 20000w"
        .split_whitespace()
        .collect();
    let run = vectrain(&checkpoints, dir.path(), &[]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains("checkpoint written to /dev/null"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("removed the checkpoint"),
        "{}",
        run.stderr
    );
    // Nothing beside it either: no checkpoint or corpus cache was put in /dev.
    assert_eq!(files_in_dev(), before);
    let null = std::fs::metadata("/dev/null").map(|m| m.file_type());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        null.is_ok_and(|t| t.is_char_device()),
        "/dev/null is no longer a device"
    );
}

/// Runs `vectrain ARGS` in `dir` with stdout or stderr a pipe whose reader has gone.
fn with_closed_stream(args: &[&str], dir: &Path, close_stdout: bool) -> (Option<i32>, String) {
    use std::process::Stdio;
    let mut command = Command::new(env!("CARGO_BIN_EXE_vectrain"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    if close_stdout {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run vectrain: {e}"));
    // The closed stream's reader goes at once; the other is read to the end.
    let mut kept = String::new();
    if close_stdout {
        drop(child.stdout.take());
        if let Some(mut stderr) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut kept);
        }
    } else {
        drop(child.stderr.take());
    }
    let status = child
        .wait()
        .unwrap_or_else(|e| panic!("cannot wait for vectrain: {e}"));
    (status.code(), kept)
}

#[test]
fn a_closed_stdout_or_stderr_is_no_panic() {
    let dir = temp();
    write(dir.path(), "c.txt", kjv_head(500));
    // `vectrain similar … | head -1`: the reader leaves, the command ends quietly.
    let vectors = [
        "train",
        "-i",
        "c.txt",
        "-o",
        "v.txt",
        "--epochs",
        "1",
        "--min-count",
        "1",
    ];
    assert_eq!(vectrain(&vectors, dir.path(), &[]).code, Some(0));
    let (code, stderr) =
        with_closed_stream(&["similar", "v.txt", "god", "-k", "100"], dir.path(), true);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // `vectrain train … 2>&1 | head -1`: the notes are lost, the vectors are not.
    let train = ["train", "-i", "c.txt", "-o", "w.txt", "--epochs", "1"];
    let (code, _) = with_closed_stream(&train, dir.path(), false);
    assert_eq!(code, Some(0));
    assert!(dir.path().join("w.txt").is_file(), "no vectors written");
}

// ---- runs that would do nothing useful, and evaluation files ----

#[test]
fn train_that_sees_no_example() {
    // Two two-word lines: subsampling at 1e-3 drops every token of so small a corpus.
    train_fails(
        Some(("two.txt", b"x y\nx y\n")),
        "two.txt",
        &["--min-count", "1"],
        &["training saw no example", "--sample 0 keeps them"],
    );
    // Without subsampling, one-word lines have no pair to train: no advice about --sample.
    train_fails(
        Some(("one.txt", b"x\ny\nx\ny\n")),
        "one.txt",
        &["--min-count", "1", "--sample", "0"],
        &[
            "training saw no example, so the vectors would be their random start: no sentence kept two words\n",
        ],
    );
}

#[test]
fn option_threads_count_limit_maxn_out_of_range() {
    option_fails(
        &["--threads", "100000"],
        &["invalid option --threads: 100000 is not in 1..=4096"],
    );
    option_fails(
        &["--count-limit", "0"],
        &["'0' for '--count-limit <WORDS>'"],
    );
    option_fails(
        &["--subwords", "--maxn", "100"],
        &["invalid option --maxn: 100 is above the 64 characters vectrain supports"],
    );
}

/// Runs `vectrain eval` on three good vectors with `args` after them.
fn eval_files_fail(files: &[(&str, &[u8])], args: &[&str], expected: &[&str]) {
    let mut all = vec![("v.txt", b"3 2\na 1 0\nb 0 1\nc 1 1\n".as_slice())];
    all.extend_from_slice(files);
    let mut command = vec!["eval", "--vectors", "v.txt"];
    command.extend_from_slice(args);
    fails_in(&all, &command, expected);
}

#[test]
fn eval_word_pairs_with_a_score_not_finite() {
    eval_files_fail(
        &[("p.tsv", b"a\tb\tnan\na\tc\t2\n")],
        &["--similarity", "p.tsv"],
        &["p.tsv:1: the score \"nan\" is not a finite number"],
    );
}

#[test]
fn eval_files_holding_nothing() {
    eval_files_fail(
        &[("p.tsv", b"word1\tword2\tscore\n")],
        &["--similarity", "p.tsv"],
        &["p.tsv: holds no word pair"],
    );
    eval_files_fail(
        &[("q.txt", b": empty section\n")],
        &["--analogies", "q.txt"],
        &["q.txt: holds no analogy question"],
    );
    // Training that scores analogies at its epoch ends refuses such a file before it trains.
    let corpus = kjv_head(100);
    fails_in(
        &[
            ("c.txt", corpus.as_bytes()),
            ("q.txt", b": empty section\n"),
        ],
        &["train", "-i", "c.txt", "--analogies", "q.txt"],
        &["q.txt: holds no analogy question"],
    );
    eval_files_fail(
        &[("p.tsv", b"a b 1\n")],
        &["--similarity", "p.tsv", "--restrict", "0"],
        &["invalid option --restrict: 0 would leave no word"],
    );
}

#[test]
fn sentences_sif_a_not_positive() {
    for a in ["nan", "-1", "0"] {
        let command =
            format!("sentences v.txt --input s.txt --output o.npy --pool sif --sif-a={a}");
        fails_in(
            &[("v.txt", PLOT_VECTORS), ("s.txt", b"king queen\n")],
            &command.split_whitespace().collect::<Vec<_>>(),
            &["invalid option --sif-a:", "is not a positive finite number"],
        );
    }
}

#[test]
fn queries_asking_for_no_answer() {
    let zero = "invalid value '0' for '-k <K>'";
    usage_fails(&["similar", "v.txt", "king", "-k", "0"], zero);
    usage_fails(
        &["analogy", "v.txt", "king", "queen", "king", "-k", "0"],
        zero,
    );
}

#[test]
fn text_inputs_not_utf8_name_their_line() {
    let files: &[(&str, &[u8])] = &[("v.txt", PLOT_VECTORS), ("s.txt", b"king\nqueen \xff\n")];
    for command in [
        "sentences v.txt --input s.txt --output o.npy",
        "matrix v.txt --vocab s.txt --output m.npy",
    ] {
        let args: Vec<&str> = command.split_whitespace().collect();
        fails_in(files, &args, &["error: s.txt:2: not valid UTF-8"]);
    }
}
