//! The picture features of the command line: `convert --format projector`, `train
//! --metrics` and `plot`, end to end.

use crate::support::cli;

use std::path::{Path, PathBuf};

use cli::{json, ok, refused, s};

/// A small vector file: eight words of four values, two groups.
const VECTORS: &str = "8 4
king 1 0.9 0.1 0
queen 0.9 1 0 0.1
prince 1 0.8 0 0.1
princess 0.8 1 0.1 0
apple 0 0.1 1 0.9
pear 0.1 0 0.9 1
plum 0 0.1 1 0.8
cherry 0.1 0 0.8 1
";

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.txt");
    std::fs::write(&path, VECTORS).unwrap();
    (dir, path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn projector_files_hold_every_row_and_word() {
    let (dir, v) = setup();
    let stem = dir.path().join("proj");
    let report = json(&[
        "convert",
        s(&v),
        s(&stem),
        "--format",
        "projector",
        "--json",
    ]);
    assert_eq!(report["output_format"], "projector");
    assert_eq!(
        (report["words"].as_u64(), report["dim"].as_u64()),
        (Some(8), Some(4))
    );
    let vectors = read(&dir.path().join("proj.vectors.tsv"));
    let metadata = read(&dir.path().join("proj.metadata.tsv"));
    let expected: Vec<(&str, Vec<f32>)> = VECTORS
        .lines()
        .skip(1)
        .map(|line| {
            let mut fields = line.split(' ');
            let word = fields.next().unwrap();
            (word, fields.map(|f| f.parse().unwrap()).collect())
        })
        .collect();
    let rows: Vec<&str> = vectors.lines().collect();
    let words: Vec<&str> = metadata.lines().collect();
    assert_eq!(rows.len(), expected.len());
    assert_eq!(words.len(), expected.len());
    for ((row, word), (expected_word, expected_values)) in rows.iter().zip(&words).zip(&expected) {
        assert_eq!(word, expected_word);
        let values: Vec<f32> = row.split('\t').map(|f| f.parse().unwrap()).collect();
        assert_eq!(&values, expected_values, "row of {word}");
    }
    // A directory gets the projector's own file names.
    let out_dir = dir.path().join("projector");
    std::fs::create_dir(&out_dir).unwrap();
    ok(&["convert", s(&v), s(&out_dir), "--format", "projector"]);
    assert_eq!(read(&out_dir.join("vectors.tsv")), vectors);
    assert_eq!(read(&out_dir.join("metadata.tsv")), metadata);
}

#[test]
fn projector_into_a_missing_directory_is_refused() {
    let (dir, v) = setup();
    let stem = dir.path().join("missing").join("proj");
    refused(
        &["convert", s(&v), s(&stem), "--format", "projector"],
        "does not exist",
    );
}

/// A small corpus with some structure: royal and fruit sentences, 24000 words.
fn corpus(dir: &Path) -> PathBuf {
    let royal = ["king", "queen", "prince", "princess", "crown", "throne"];
    let fruit = ["apple", "pear", "plum", "cherry", "orchard", "basket"];
    let mut text = String::new();
    for i in 0..2000 {
        let group = if i % 2 == 0 { royal } else { fruit };
        let pick = |k: usize| group[(i * 7 + k * 3) % group.len()];
        text.push_str(&format!(
            "the {} and the {} of {}\n",
            pick(0),
            pick(1),
            pick(2)
        ));
        text.push_str(&format!("{} with {}\n", pick(3), pick(4)));
    }
    let path = dir.join("corpus.txt");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn train_writes_a_metrics_log_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let questions = dir.path().join("questions.txt");
    std::fs::write(
        &questions,
        ": royal\nking queen prince princess\napple pear plum cherry\n",
    )
    .unwrap();
    let log = dir.path().join("run.jsonl");
    let vectors = dir.path().join("v.txt");
    let args = [
        "train",
        "--input",
        s(&input),
        "--output",
        s(&vectors),
        "--backend",
        "cpu",
        "--dim",
        "16",
        "--epochs",
        "3",
        "--min-count",
        "1",
        "--metrics",
        s(&log),
        "--analogies",
        s(&questions),
    ];
    ok(&args);
    let text = read(&log);
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let kinds = |kind: &str| records.iter().filter(|r| r["kind"] == kind).count();
    assert_eq!(kinds("epoch"), 3, "{text}");
    assert!(kinds("interval") >= 3, "{text}");
    assert_eq!(kinds("epoch") + kinds("interval"), records.len(), "{text}");
    let mut words_done = 0;
    let mut epochs = Vec::new();
    for record in &records {
        let done = record["words_done"].as_u64().unwrap();
        assert!(done >= words_done, "words done went back: {text}");
        words_done = done;
        assert!(record["seconds"].as_f64().is_some(), "{record}");
        if record["kind"] == "interval" {
            assert!(
                record["learning_rate"].as_f64().is_some_and(|a| a > 0.0),
                "{record}"
            );
            assert!(record["words_total"].as_u64() >= Some(done), "{record}");
            for key in ["loss", "words_per_second"] {
                let value = &record[key];
                assert!(
                    value.is_null() || value.as_f64().is_some_and(|v| v > 0.0),
                    "{record}"
                );
            }
        } else {
            epochs.push(record["epoch"].as_u64().unwrap());
            assert!(record["loss"].as_f64().is_some_and(|l| l > 0.0), "{record}");
            let accuracy = record["analogy_accuracy"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&accuracy), "{record}");
        }
    }
    assert_eq!(epochs, [1, 2, 3]);
    assert!(
        records
            .iter()
            .any(|r| r["words_per_second"].as_f64().is_some()),
        "no interval measured a speed: {text}"
    );
    // The library reads back what training wrote.
    assert_eq!(
        vectrain::metrics::read_metrics(&log).unwrap().len(),
        records.len()
    );
}

#[test]
fn subword_training_scores_each_epoch_on_its_word_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let questions = dir.path().join("questions.txt");
    std::fs::write(&questions, ": royal\nking queen prince princess\n").unwrap();
    let log = dir.path().join("run.jsonl");
    ok(&[
        "train",
        "--input",
        s(&input),
        "--output",
        s(&dir.path().join("v.txt")),
        "--backend",
        "cpu",
        "--dim",
        "16",
        "--epochs",
        "2",
        "--min-count",
        "1",
        "--subwords",
        "--metrics",
        s(&log),
        "--analogies",
        s(&questions),
    ]);
    let epochs: Vec<serde_json::Value> = read(&log)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|r: &serde_json::Value| r["kind"] == "epoch")
        .collect();
    assert_eq!(epochs.len(), 2);
    for epoch in &epochs {
        assert!(epoch["analogy_accuracy"].as_f64().is_some(), "{epoch}");
    }
}

#[test]
fn a_metrics_log_that_cannot_be_opened_stops_training_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let log = dir.path().join("missing").join("run.jsonl");
    let vectors = dir.path().join("v.txt");
    refused(
        &[
            "train",
            "--input",
            s(&input),
            "--output",
            s(&vectors),
            "--min-count",
            "1",
            "--metrics",
            s(&log),
        ],
        "missing does not exist",
    );
    assert!(!vectors.exists());
    // A run refused after the check (here: no corpus) leaves no log behind.
    let log = dir.path().join("run.jsonl");
    let missing = dir.path().join("none.txt");
    refused(
        &[
            "train",
            "--input",
            s(&missing),
            "--output",
            s(&vectors),
            "--metrics",
            s(&log),
        ],
        "none.txt",
    );
    assert!(!log.exists());
}

/// A decoded PNG: width, height and RGB(A) pixels.
struct Picture {
    width: u32,
    height: u32,
    pixels: Vec<[u8; 3]>,
}

fn decode_png(path: &Path) -> Picture {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels = buffer[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    Picture {
        width: info.width,
        height: info.height,
        pixels,
    }
}

impl Picture {
    /// Pixels that are not white.
    fn inked(&self) -> usize {
        self.pixels
            .iter()
            .filter(|p| **p != [255, 255, 255])
            .count()
    }

    /// Distinct strong colours (saturated, not grey): what clusters and curves are drawn in.
    fn strong_colours(&self) -> usize {
        let mut colours: Vec<[u8; 3]> = self
            .pixels
            .iter()
            .filter(|p| {
                let max = *p.iter().max().unwrap() as i32;
                let min = *p.iter().min().unwrap() as i32;
                max - min > 80
            })
            // Coarse bins: anti-aliased edges are not colours of their own.
            .map(|p| [p[0] / 32, p[1] / 32, p[2] / 32])
            .collect();
        colours.sort();
        colours.dedup();
        colours.len()
    }
}

#[test]
fn a_map_is_drawn_as_png_and_svg() {
    let (dir, v) = setup();
    let png = dir.path().join("map.png");
    let report = json(&[
        "plot",
        "--vectors",
        s(&v),
        "--words",
        "king,apple",
        "--neighbours",
        "3",
        "--output",
        s(&png),
        "--width",
        "640",
        "--height",
        "480",
        "--json",
    ]);
    assert_eq!(report["words"], 8);
    assert_eq!(report["method"], "PCA");
    let picture = decode_png(&png);
    assert_eq!((picture.width, picture.height), (640, 480));
    let total = picture.pixels.len();
    assert!(
        picture.inked() > total / 200,
        "{} inked pixels",
        picture.inked()
    );
    assert!(
        picture.inked() < total / 2,
        "{} inked pixels",
        picture.inked()
    );
    assert!(
        picture.strong_colours() >= 2,
        "{} colours",
        picture.strong_colours()
    );

    let svg = dir.path().join("map.svg");
    ok(&[
        "plot",
        "--vectors",
        s(&v),
        "--words",
        "king,apple",
        "--neighbours",
        "3",
        "--method",
        "tsne",
        "--perplexity",
        "2",
        "--output",
        s(&svg),
    ]);
    let text = read(&svg);
    assert!(text.starts_with("<svg"), "{}", &text[..100.min(text.len())]);
    for word in [
        "king", "queen", "prince", "princess", "apple", "pear", "plum", "cherry",
    ] {
        // plotters writes each label on a line of its own inside its <text> element.
        assert!(
            text.contains(&format!(">\n{word}\n<")),
            "{word} has no label"
        );
    }
}

#[test]
fn curves_are_drawn_from_a_training_log() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let log = dir.path().join("run.jsonl");
    ok(&[
        "train",
        "--input",
        s(&input),
        "--output",
        s(&dir.path().join("v.txt")),
        "--backend",
        "cpu",
        "--dim",
        "16",
        "--epochs",
        "4",
        "--min-count",
        "1",
        "--metrics",
        s(&log),
    ]);
    let png = dir.path().join("curves.png");
    let report = json(&["plot", "--metrics", s(&log), "--output", s(&png), "--json"]);
    assert_eq!(report["panels"], 2);
    let picture = decode_png(&png);
    assert_eq!((picture.width, picture.height), (1200, 600));
    assert!(
        picture.inked() > picture.pixels.len() / 100,
        "{} inked",
        picture.inked()
    );
    assert!(
        picture.strong_colours() >= 2,
        "{} colours",
        picture.strong_colours()
    );
    // The same curves as SVG: lines and axis titles as text.
    let svg = dir.path().join("curves.svg");
    ok(&["plot", "--metrics", s(&log), "--output", s(&svg)]);
    let text = read(&svg);
    assert!(text.matches("<polyline").count() >= 2, "no curves drawn");
    for title in ["words done", "words/s", "loss"] {
        assert!(text.contains(title), "no {title:?} in the SVG");
    }
}

#[test]
fn plot_refusals_are_clear() {
    let (dir, v) = setup();
    let out = dir.path().join("map.png");
    refused(
        &[
            "plot",
            "--vectors",
            s(&v),
            "--words",
            "king,kiwi",
            "--output",
            s(&out),
        ],
        "\"kiwi\" is not in the vocabulary",
    );
    refused(
        &[
            "plot",
            "--vectors",
            s(&v),
            "--words",
            "king",
            "--output",
            s(&dir.path().join("m.jpg")),
        ],
        ".svg or a .png",
    );
    refused(
        &[
            "plot",
            "--vectors",
            s(&v),
            "--words",
            "king",
            "--output",
            s(&out),
            "--font",
            s(&v),
        ],
        "not a TrueType or OpenType font",
    );
    refused(
        &[
            "plot",
            "--vectors",
            s(&v),
            "--words",
            "king",
            "--output",
            s(&out),
            "--font",
            s(&dir.path().join("none.ttf")),
        ],
        "cannot read the font",
    );
    refused(
        &["plot", "--metrics", s(&v), "--output", s(&out)],
        "not JSON",
    );
    assert!(!out.exists());
}
