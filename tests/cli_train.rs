//! `vectrain train` and `vectrain eval` end to end, as a user runs them.

use std::process::Command;

use crate::support::cli::s;

fn vectrain() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vectrain"))
}

#[test]
fn train_on_the_embedded_corpus_then_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("kjv.bin");
    let out = vectrain()
        .args([
            "train", "--epochs", "1", "--dim", "20", "--format", "w2v-bin", "--output",
        ])
        .arg(&vectors)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("data/kjv.txt.gz (embedded)"), "{stderr}");
    assert!(stderr.contains("vocabulary 5278 words"), "{stderr}");
    assert!(stderr.contains("words/s"), "{stderr}");
    let embeddings = vectrain::read_vectors(&vectors).unwrap();
    assert_eq!((embeddings.len(), embeddings.dim()), (5278, 20));
    assert_eq!(embeddings.vocab().word(0), "the");

    let pairs = dir.path().join("pairs.tsv");
    std::fs::write(
        &pairs,
        "god\tlord\t9\ngod\tgold\t2\nking\tqueen\t8\nwater\tsea\t7\nbread\twine\t6\n",
    )
    .unwrap();
    let out = vectrain()
        .args(["eval", "--json", "--vectors"])
        .arg(&vectors)
        .arg("--similarity")
        .arg(&pairs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["similarity"][0]["pairs_used"], 5);
    assert!(
        report["similarity"][0]["spearman"]
            .as_f64()
            .unwrap()
            .is_finite()
    );

    // gensim's case_insensitive=False and dummy4unknown=True: `God` and `Unicorn` are
    // unknown when compared exactly; counted wrong, and correlated at 0.
    let questions = dir.path().join("questions.txt");
    std::fs::write(
        &questions,
        ": s\ngod lord king queen\nGod lord king queen\nUnicorn a b c\n",
    )
    .unwrap();
    let report = crate::support::cli::json(&[
        "eval",
        "--json",
        "--case-sensitive",
        "--dummy4unknown",
        "--vectors",
        s(&vectors),
        "--analogies",
        s(&questions),
        "--similarity",
        s(&pairs),
    ]);
    let analogies = &report["analogies"];
    assert_eq!(
        (
            analogies["covered"].as_u64(),
            analogies["total_questions"].as_u64()
        ),
        (Some(1), Some(3))
    );
    assert_eq!(analogies["unknown_counted_wrong"], 2);
    assert_eq!(
        analogies["sections"][0]["incorrect"].as_u64().unwrap()
            + analogies["correct"].as_u64().unwrap(),
        3
    );
    assert_eq!(report["similarity"][0]["oov_at_zero"], true);
}

#[test]
fn help_shows_defaults() {
    let out = vectrain().args(["train", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for default in [
        "[default: 100]",
        "[default: 5]",
        "[default: 0.001]",
        "[default: vectors.txt]",
    ] {
        assert!(help.contains(default), "missing {default} in:\n{help}");
    }
}

/// `--model` takes three values, and its help names the three and describes skip-gram the
/// way users know it.
#[test]
fn model_help_names_the_three_models() {
    let out = vectrain().args(["train", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("The model: skip-gram, CBOW, or batch skip-gram"),
        "{help}"
    );
    for value in ["- skipgram:", "- cbow:", "- batch-skipgram:"] {
        assert!(help.contains(value), "missing {value} in:\n{help}");
    }
    assert!(
        help.contains("Skip-gram: each word predicts the words around it"),
        "{help}"
    );
    assert!(
        !help.contains("context words predict the centre word"),
        "{help}"
    );
}

#[test]
fn a_bad_option_fails_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("v.txt");
    let out = vectrain()
        .args(["train", "--window", "0", "--output"])
        .arg(&vectors)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--window"));
    assert!(!vectors.exists());
}

/// `--hs` with `--negative 0` and a one-word vocabulary is refused, naming `--hs`, and writes
/// nothing (on the GPU: tests/cli_gpu.rs).
#[test]
fn hierarchical_softmax_refuses_a_one_word_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    // One word: a tree of no inner node would leave the vectors at their random start.
    let one_word = dir.path().join("one.txt");
    std::fs::write(&one_word, "a a a a\na a\n").unwrap();
    let lone = dir.path().join("lone.txt");
    let out = vectrain()
        .args([
            "train",
            "--hs",
            "--negative",
            "0",
            "--min-count",
            "1",
            "--sample",
            "0",
        ])
        .args(["--backend", "cpu", "--input"])
        .arg(&one_word)
        .arg("--output")
        .arg(&lone)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("invalid option --hs: the vocabulary has one word"),
        "{stderr}"
    );
    assert!(!lone.exists());
}

#[test]
fn train_on_the_gpu_names_the_adapter() {
    if std::env::var("VECTRAIN_NO_GPU").as_deref() == Ok("1") {
        eprintln!("SKIPPING GPU test: VECTRAIN_NO_GPU=1");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    let kjv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/kjv.txt"
    ))
    .unwrap();
    std::fs::write(
        &corpus,
        kjv.lines().take(400).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let vectors = dir.path().join("v.txt");
    let out = vectrain()
        .args([
            "train",
            "--backend",
            "gpu",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--min-count",
            "2",
            "--input",
        ])
        .arg(&corpus)
        .arg("--output")
        .arg(&vectors)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let adapter = vectrain::gpu::GpuContext::new(&Default::default())
        .unwrap()
        .describe();
    assert!(
        stderr.contains(&format!("on {adapter} in")),
        "summary should name {adapter}:\n{stderr}"
    );
    let embeddings = vectrain::read_vectors(&vectors).unwrap();
    assert_eq!(embeddings.dim(), 8);
    assert!(embeddings.as_slice().iter().all(|x| x.is_finite()));
}

#[test]
fn auto_backend_never_trains_on_a_software_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("v.txt");
    let out = vectrain()
        .args([
            "train",
            "--epochs",
            "1",
            "--dim",
            "4",
            "--max-vocab",
            "50",
            "--output",
        ])
        .arg(&vectors)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let hardware = vectrain::gpu::list_adapters()
        .unwrap()
        .iter()
        .any(|a| a.device_type != wgpu::DeviceType::Cpu);
    if !hardware {
        assert!(stderr.contains("training on the CPU"), "{stderr}");
        assert!(stderr.contains(" on cpu ("), "{stderr}");
    }
}

/// No adapter (DX12 does not exist on Linux): `gpu` fails naming what to install, `auto`
/// falls back to the CPU with a notice.
#[cfg(target_os = "linux")]
#[test]
fn no_adapter_is_a_clear_error_or_a_cpu_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("v.txt");
    let run = |backend: &str| {
        vectrain()
            .args([
                "train",
                "--epochs",
                "1",
                "--dim",
                "4",
                "--max-vocab",
                "30",
                "--backend",
                backend,
                "--output",
            ])
            .arg(&vectors)
            .env("WGPU_BACKEND", "dx12")
            .output()
            .unwrap()
    };
    let gpu = run("gpu");
    let stderr = String::from_utf8_lossy(&gpu.stderr);
    assert!(!gpu.status.success());
    assert!(
        stderr.contains("no GPU adapter") && stderr.contains("mesa-vulkan-drivers"),
        "{stderr}"
    );
    assert!(!vectors.exists());
    let auto = run("auto");
    let stderr = String::from_utf8_lossy(&auto.stderr);
    assert!(auto.status.success(), "{stderr}");
    assert!(stderr.contains("training on the CPU"), "{stderr}");
    assert!(vectors.exists());
}

/// A bad output path is refused before the corpus is read, naming the path the user gave:
/// a missing directory, a directory, and a checkpoint path in a missing directory.
#[test]
fn bad_output_paths_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("outdir")).unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["-o", "nodir/sub/v.txt"],
            "cannot write nodir/sub/v.txt: nodir/sub does not exist",
        ),
        (&["-o", "outdir/"], "cannot write outdir/"),
        (
            &["-o", "v.txt", "--checkpoint", "gone/run.ckpt"],
            "cannot write gone/run.ckpt: gone does not exist",
        ),
    ];
    for (args, expected) in cases {
        let out = vectrain()
            .current_dir(dir.path())
            // A corpus that does not exist: the path check must come before reading it.
            .args(["train", "--input", "missing-corpus.txt"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains(".tmp"),
            "{args:?} names a temporary file: {stderr}"
        );
        assert!(!stderr.contains("missing-corpus"), "{args:?}: {stderr}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["outdir"], "files left behind");
}

/// Without --format, the output's extension picks it, and the summary names it.
#[test]
fn output_format_follows_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("v.bin", vectrain::VectorFormat::Word2VecBinary),
        ("v.vec", vectrain::VectorFormat::Word2VecText),
        ("v.txt", vectrain::VectorFormat::Word2VecText),
    ] {
        let path = dir.path().join(name);
        let out = vectrain()
            .args([
                "train",
                "--epochs",
                "1",
                "--dim",
                "4",
                "--max-vocab",
                "40",
                "--backend",
                "cpu",
                "--output",
            ])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains(&format!("({})", format.name())), "{stderr}");
        assert_eq!(
            vectrain::io::detect_format(&path).unwrap(),
            format,
            "{name}"
        );
        assert_eq!(vectrain::read_vectors(&path).unwrap().len(), 40);
    }
}

#[test]
fn save_vocab_writes_the_counts_of_the_vectors_words_in_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    // "a" 6 times, "b" 4, "c" 3, "d" 2, "e" once: min-count 2 keeps a to d.
    std::fs::write(&corpus, "a b a c a\nb a d c\na b c d e\na b\n").unwrap();
    let (vectors, vocab) = (dir.path().join("v.txt"), dir.path().join("vocab.txt"));
    let out = vectrain()
        .args(["train", "--dim", "4", "--epochs", "1", "--min-count", "2"])
        .args(["--sample", "0", "--backend", "cpu", "--input"])
        .arg(&corpus)
        .arg("--output")
        .arg(&vectors)
        .arg("--save-vocab")
        .arg(&vocab)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("and the vocabulary to"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&vocab).unwrap(),
        "a 6\nb 4\nc 3\nd 2\n"
    );
    let read = vectrain::read_vectors(&vectors).unwrap();
    assert_eq!(read.vocab().words(), ["a", "b", "c", "d"]);
    let pairs = vectrain::io::vocab_counts::read(&vocab).unwrap();
    let counted = vectrain::io::vocab_counts::with_counts(read, &pairs, &vocab).unwrap();
    assert_eq!(counted.vocab().counts(), [6, 4, 3, 2]);

    // The vocabulary may not overwrite the corpus, nor the vectors.
    for (clash, named) in [(&corpus, "--input"), (&vectors, "--save-vocab")] {
        let out = vectrain()
            .args([
                "train",
                "--dim",
                "4",
                "--epochs",
                "1",
                "--min-count",
                "2",
                "--input",
            ])
            .arg(&corpus)
            .arg("--output")
            .arg(&vectors)
            .arg("--save-vocab")
            .arg(clash)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(named), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&corpus).unwrap().lines().count(), 4);
}
