//! A model trained by fastText itself, read and written back by vectrain.
//!
//! `tests/data/fasttext/skipgram.bin` was made by fastText's command-line tool (built from
//! facebookresearch/fastText at commit 1142dc4, file version 12) on a 400-line corpus of
//! random sentences over 18 words, some non-ASCII:
//!
//! ```sh
//! fasttext skipgram -input corpus.txt -output skipgram -dim 8 -minCount 1 -bucket 300 \
//!     -epoch 2 -thread 1 -minn 3 -maxn 6
//! fasttext print-word-vectors skipgram.bin < queries.txt > skipgram.vectors
//! ```
//!
//! `skipgram.vectors` holds fastText's vectors of vocabulary words and unseen ones, printed
//! to 5 significant digits, hence the tolerance of 1e-5.

use std::path::Path;

use vectrain::io::fasttext_bin::{read_fasttext_bin, write_fasttext_bin};
use vectrain::subwords::SubwordModel;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fasttext");
const TOLERANCE: f32 = 1e-5;

fn fasttext_model() -> SubwordModel {
    read_fasttext_bin(&Path::new(DATA).join("skipgram.bin")).expect("fastText's .bin read")
}

/// fastText's printed vectors: `word v1 .. vD` per line.
fn fasttext_vectors() -> Vec<(String, Vec<f32>)> {
    let text = std::fs::read_to_string(Path::new(DATA).join("skipgram.vectors")).expect("read");
    text.lines()
        .map(|line| {
            let mut fields = line.split_whitespace();
            let word = fields.next().expect("a word").to_owned();
            (word, fields.map(|v| v.parse().expect("a float")).collect())
        })
        .collect()
}

#[test]
fn header_and_dictionary_are_fasttexts() {
    let model = fasttext_model();
    assert_eq!(model.words.len(), 18);
    assert!(model.words.iter().any(|w| w == "</s>"));
    assert!(model.words.iter().any(|w| w == "日本"));
    assert!(model.counts.windows(2).all(|pair| pair[0] >= pair[1]));
    assert_eq!(model.dim, 8);
    let settings = model.index.settings;
    assert_eq!((settings.minn, settings.maxn, settings.bucket), (3, 6, 300));
    let args = &model.args;
    assert_eq!(
        (args.model, args.loss, args.epochs, args.window),
        (2, 2, 2, 5)
    );
    assert_eq!(
        (args.negative, args.word_ngrams, args.lr_update_rate),
        (5, 1, 100)
    );
    assert_eq!(args.sample, 1e-4);
}

#[test]
fn written_back_byte_for_byte() {
    // Byte-identical because with -minCount 1 fastText's token count equals the counts' sum,
    // which is what vectrain writes there.
    let original = std::fs::read(Path::new(DATA).join("skipgram.bin")).expect("read");
    let dir = tempfile::tempdir().expect("temporary directory");
    let copy = dir.path().join("copy.bin");
    write_fasttext_bin(&fasttext_model(), &copy).expect("written");
    assert!(std::fs::read(&copy).expect("read") == original);
}

#[test]
fn vectors_match_fasttexts() {
    let model = fasttext_model();
    let mut ours = vec![0.0; model.dim];
    let mut unseen = 0;
    for (word, theirs) in fasttext_vectors() {
        match model.words.iter().position(|w| *w == word) {
            // Its end-of-sentence word "</s>" too: fastText gives it no n-grams, nor does
            // vectrain (gensim does).
            Some(id) => model.word_vector_by_id(id, &mut ours),
            None => {
                model.ngram_vector(&word, &mut ours);
                unseen += 1;
            }
        }
        for (column, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!(
                (a - b).abs() <= TOLERANCE,
                "{word:?} column {column}: vectrain {a}, fastText {b}"
            );
        }
    }
    assert_eq!(unseen, 5, "the queries hold five unseen words");
}

#[test]
fn read_gzip_compressed_as_fasttext_ships_its_models() {
    use std::io::Write;
    let original = std::fs::read(Path::new(DATA).join("skipgram.bin")).expect("read");
    let dir = tempfile::tempdir().expect("temporary directory");
    let compressed = dir.path().join("skipgram.bin.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&original).expect("compressed");
    std::fs::write(&compressed, encoder.finish().expect("compressed")).expect("written");
    assert_eq!(
        vectrain::io::detect_format(&compressed).expect("detected"),
        vectrain::VectorFormat::FastTextBin
    );
    let model = vectrain::io::read_model(&compressed).expect("read compressed");
    // The same model: written back, the bytes of the uncompressed file.
    let copy = dir.path().join("copy.bin");
    write_fasttext_bin(&model, &copy).expect("written");
    assert!(std::fs::read(&copy).expect("read") == original);
    let words = vectrain::read_vectors(&compressed).expect("vectors read");
    assert_eq!(words.len(), fasttext_model().words.len());
}
