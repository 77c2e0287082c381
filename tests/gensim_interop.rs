//! Interoperability with gensim 4: gensim reads the files we write and we read the files gensim
//! writes, with the same words, order and bit-identical values.
//!
//! Needs a Python with gensim and numpy: `$VECTRAIN_PYTHON`, else `.venv/bin/python` in the
//! crate root (`python3 -m venv .venv && .venv/bin/pip install gensim numpy scipy`). Without
//! one the tests fail: they never skip silently.

use crate::support::python;

use std::path::Path;

use vectrain::io::detect_format;
use vectrain::{Embeddings, VectorFormat, Vocab, read_vectors, write_vectors};

const DIMS: [usize; 3] = [1, 3, 100];
const ROWS: usize = 300;

/// Runs tests/python/gensim_io.py with `args` (jobs separated by `--`), failing the test with
/// its stderr if it fails.
fn gensim_io(args: &[String]) {
    python::run_script("gensim_io.py", args);
}

/// A dump written by gensim_io.py: words and float bits.
fn read_dump(prefix: &Path) -> (Vec<String>, Vec<u32>) {
    let words = std::fs::read_to_string(prefix.with_extension("words")).expect("words dump");
    let bytes = std::fs::read(prefix.with_extension("f32")).expect("vectors dump");
    assert_eq!(bytes.len() % 4, 0);
    let bits = bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (words.lines().map(str::to_owned).collect(), bits)
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// SplitMix64: a fixed-seed generator, enough for test data.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A finite f32 of random sign, mantissa and exponent in [2^-40, 2^40).
    fn value(&mut self) -> f32 {
        let r = self.next();
        let exponent = 127 - 40 + (r >> 32) % 80;
        let bits = ((r & 1) << 31) as u32 | (exponent as u32) << 23 | (r >> 8) as u32 & 0x7F_FFFF;
        f32::from_bits(bits)
    }
}

/// `ROWS` words, non-ASCII ones first, with seeded random vectors and awkward values.
fn random_embeddings(seed: u64, dim: usize) -> Embeddings {
    let special = [
        0.0,
        -0.0,
        1e-45,
        f32::MIN_POSITIVE,
        f32::MAX,
        -f32::MAX,
        0.1,
        1.0 / 3.0,
    ];
    let non_ascii = [
        "café",
        "naïve",
        "日本",
        "Ελληνικά",
        "Zürich",
        "straße",
        "😀",
        "ñandú",
    ];
    let words: Vec<String> = non_ascii
        .iter()
        .map(|w| w.to_string())
        .chain((non_ascii.len()..ROWS).map(|i| format!("w{i}")))
        .collect();
    let mut rng = SplitMix(seed);
    let mut data: Vec<f32> = (0..ROWS * dim).map(|_| rng.value()).collect();
    for (slot, value) in data.iter_mut().zip(special) {
        *slot = value;
    }
    let counts = (0..ROWS as u64).rev().map(|c| c + 1).collect();
    Embeddings::new(Vocab::from_ordered(words, counts), dim, data).expect("valid embeddings")
}

/// gensim reads what we write in `format` to files named `*.{extension}` (`vec.gz`:
/// compressed, which gensim decompresses by the name).
fn check_gensim_reads(format: VectorFormat, gensim_name: &str, extension: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut jobs = Vec::new();
    let mut written = Vec::new();
    for dim in DIMS {
        let emb = random_embeddings(42 + dim as u64, dim);
        let path = dir.path().join(format!("ours-{dim}.{extension}"));
        write_vectors(&emb, &path, format).expect("written");
        let dump = dir.path().join(format!("dump-{dim}"));
        jobs.extend(
            ["load", gensim_name, path_str(&path), path_str(&dump), "--"].map(String::from),
        );
        written.push((emb, dump));
    }
    gensim_io(&jobs);
    for (emb, dump) in written {
        let dim = emb.dim();
        let (words, values) = read_dump(&dump);
        assert_eq!(words, emb.vocab().words(), "{format:?} dim {dim}: words");
        assert_eq!(
            values.len(),
            emb.as_slice().len(),
            "{format:?} dim {dim}: size"
        );
        assert_eq!(values, bits(emb.as_slice()), "{format:?} dim {dim}: values");
    }
}

/// We read what gensim writes in `format` to files named `*.{extension}` (`vec.gz`: gensim
/// compresses them by the name, and we find gzip by the first bytes).
fn check_we_read_gensim(format: VectorFormat, gensim_name: &str, extension: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut jobs = Vec::new();
    for dim in DIMS {
        let path = dir.path().join(format!("gensim-{dim}.{extension}"));
        let dump = dir.path().join(format!("dump-{dim}"));
        let (seed, rows) = ((7 + dim).to_string(), ROWS.to_string());
        let args = [
            "save",
            gensim_name,
            path_str(&path),
            path_str(&dump),
            &seed,
            &rows,
        ];
        jobs.extend(args.map(String::from));
        jobs.extend([dim.to_string(), "--".into()]);
    }
    gensim_io(&jobs);
    for dim in DIMS {
        let path = dir.path().join(format!("gensim-{dim}.{extension}"));
        assert_eq!(detect_format(&path).expect("detected"), format, "dim {dim}");
        let emb = read_vectors(&path).expect("read");
        let (words, values) = read_dump(&dir.path().join(format!("dump-{dim}")));
        assert_eq!(emb.vocab().words(), words, "{format:?} dim {dim}: words");
        assert_eq!(emb.dim(), dim);
        assert_eq!(
            emb.as_slice().len(),
            values.len(),
            "{format:?} dim {dim}: size"
        );
        assert_eq!(bits(emb.as_slice()), values, "{format:?} dim {dim}: values");
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn gensim_reads_our_word2vec_text() {
    check_gensim_reads(VectorFormat::Word2VecText, "text", "vec");
}

#[test]
fn gensim_reads_our_word2vec_binary() {
    check_gensim_reads(VectorFormat::Word2VecBinary, "binary", "vec");
}

#[test]
fn gensim_reads_our_glove_text() {
    check_gensim_reads(VectorFormat::GloveText, "glove", "vec");
}

#[test]
fn we_read_gensim_word2vec_text() {
    check_we_read_gensim(VectorFormat::Word2VecText, "text", "vec");
}

#[test]
fn we_read_gensim_word2vec_binary() {
    check_we_read_gensim(VectorFormat::Word2VecBinary, "binary", "vec");
}

#[test]
fn gzipped_files_both_ways() {
    for (format, name) in [
        (VectorFormat::Word2VecText, "text"),
        (VectorFormat::Word2VecBinary, "binary"),
        (VectorFormat::GloveText, "glove"),
    ] {
        check_gensim_reads(format, name, "vec.gz");
    }
    check_we_read_gensim(VectorFormat::Word2VecText, "text", "vec.gz");
    check_we_read_gensim(VectorFormat::Word2VecBinary, "binary", "vec.gz");
}
