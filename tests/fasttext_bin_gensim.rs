//! fastText `.bin` interoperability with gensim 4: gensim loads the models vectrain writes and
//! vectrain loads the models gensim writes, and both give every word, in the vocabulary or
//! not, the same vector.
//!
//! Vectors are compared within 1e-5 (absolute), not bit for bit: a word's vector is an f32
//! mean of rows, which gensim sums in another order (by n-gram length for unseen words) and
//! divides where vectrain multiplies by the reciprocal. The tables themselves are compared bit
//! for bit.
//!
//! Needs a Python with gensim and numpy: `$VECTRAIN_PYTHON`, else `.venv/bin/python` in the
//! crate root. Without one the tests fail: they never skip silently.

use crate::support::python;

use std::path::Path;

use vectrain::io::fasttext_bin::{read_fasttext_bin, write_fasttext_bin};
use vectrain::subwords::{RecordedArgs, SubwordIndex, SubwordModel, SubwordSettings};

const TOLERANCE: f32 = 1e-5;

/// Unseen words, with non-ASCII ones and one shorter than `minn` between its markers.
const OOV: [&str; 8] = [
    "cafés",
    "naïveté",
    "日本語",
    "Zürichsee",
    "unseen",
    "ab",
    "😀😀",
    "straßen",
];

fn read_f32(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn read_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(str::to_owned).collect()
}

fn write_queries(path: &Path, words: &[String]) {
    std::fs::write(
        path,
        words.iter().map(|w| format!("{w}\n")).collect::<String>(),
    )
    .expect("queries written");
}

/// vectrain's vector of `word`: its own if in the vocabulary, else from its n-grams.
fn vector_of(model: &SubwordModel, word: &str) -> Vec<f32> {
    let mut out = vec![0.0; model.dim];
    match model.words.iter().position(|w| w == word) {
        Some(id) => model.word_vector_by_id(id, &mut out),
        None => {
            model.ngram_vector(word, &mut out);
        }
    }
    out
}

fn assert_close(model: &SubwordModel, words: &[String], theirs: &[f32]) {
    assert_eq!(theirs.len(), words.len() * model.dim);
    let mut largest = 0.0f32;
    for (word, their) in words.iter().zip(theirs.chunks_exact(model.dim)) {
        let ours = vector_of(model, word);
        for (column, (a, b)) in ours.iter().zip(their).enumerate() {
            assert!(
                (a - b).abs() <= TOLERANCE,
                "{word:?} column {column}: vectrain {a}, gensim {b}"
            );
            largest = largest.max((a - b).abs());
        }
        assert!(ours.iter().any(|&v| v != 0.0), "{word:?} has a zero vector");
    }
    eprintln!("largest difference from gensim: {largest:e}");
}

/// 50 words, non-ASCII ones among them, with strictly decreasing counts (the order fastText
/// and gensim keep), random tables, bucket 1000, n-grams of 3 to 6, dim 16.
fn random_model() -> SubwordModel {
    let mut words: Vec<String> = [
        "the",
        "café",
        "naïve",
        "日本",
        "Ελληνικά",
        "Zürich",
        "straße",
        "😀",
        "ñandú",
        "of",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect();
    words.extend((words.len()..50).map(|i| format!("word{i}")));
    let settings = SubwordSettings {
        minn: 3,
        maxn: 6,
        bucket: 1000,
    };
    let index = SubwordIndex::new(&words, settings).expect("index");
    let dim = 16;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut value = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.5
    };
    let input = (0..(words.len() + 1000) * dim).map(|_| value()).collect();
    let output = (0..words.len() * dim).map(|_| value()).collect();
    SubwordModel {
        counts: (0..words.len() as u64).map(|i| 1000 - 10 * i).collect(),
        words,
        dim,
        index,
        input,
        output,
        args: RecordedArgs {
            model: 2,
            window: 5,
            epochs: 5,
            min_count: 1,
            negative: 5,
            word_ngrams: 1,
            loss: 2,
            lr_update_rate: 100,
            sample: 1e-4,
        },
    }
}

#[test]
fn gensim_loads_what_vectrain_writes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let model = random_model();
    let bin = dir.path().join("model.bin");
    write_fasttext_bin(&model, &bin).expect("written");

    let mut queries = model.words.clone();
    queries.extend(OOV.iter().map(|w| w.to_string()));
    let queries_path = dir.path().join("queries.txt");
    write_queries(&queries_path, &queries);
    let dump = dir.path().join("dump");
    python::run_script(
        "gensim_fasttext_bin.py",
        &[
            "load".as_ref(),
            bin.as_os_str(),
            queries_path.as_os_str(),
            dump.as_os_str(),
        ],
    );
    assert_eq!(read_lines(&dump.with_extension("words")), model.words);
    assert_close(&model, &queries, &read_f32(&dump.with_extension("f32")));
}

#[test]
fn vectrain_loads_what_gensim_writes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bin = dir.path().join("gensim.bin");
    let in_vocabulary = ["the", "café", "naïve", "日本", "town", "straße", "Zürich"];
    let queries: Vec<String> = in_vocabulary
        .iter()
        .chain(&OOV)
        .map(|w| w.to_string())
        .collect();
    let queries_path = dir.path().join("queries.txt");
    write_queries(&queries_path, &queries);
    let dump = dir.path().join("dump");
    python::run_script(
        "gensim_fasttext_bin.py",
        &[
            "train".as_ref(),
            bin.as_os_str(),
            queries_path.as_os_str(),
            dump.as_os_str(),
        ],
    );

    let model = read_fasttext_bin(&bin).expect("gensim's .bin read");
    let vocabulary: Vec<(String, u64)> = read_lines(&dump.with_extension("words"))
        .iter()
        .map(|line| {
            let (word, count) = line.rsplit_once(' ').expect("`word count`");
            (word.to_owned(), count.parse().expect("a count"))
        })
        .collect();
    let (words, counts): (Vec<String>, Vec<u64>) = vocabulary.into_iter().unzip();
    assert_eq!(model.words, words);
    assert_eq!(model.counts, counts);
    assert_eq!(model.dim, 8);
    let expected = SubwordSettings {
        minn: 3,
        maxn: 5,
        bucket: 500,
    };
    assert_eq!(model.index.settings, expected);
    assert_eq!((model.args.model, model.args.loss), (2, 2));
    assert_eq!(
        (model.args.window, model.args.epochs, model.args.negative),
        (3, 3, 5)
    );
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&model.input),
        bits(&read_f32(&dump.with_extension("input.f32")))
    );
    assert_eq!(
        bits(&model.output),
        bits(&read_f32(&dump.with_extension("output.f32")))
    );
    assert_close(&model, &queries, &read_f32(&dump.with_extension("f32")));
}
