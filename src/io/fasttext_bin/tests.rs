//! Round trips, truncations and corrupted headers of `.bin` files.

use std::path::Path;

use super::*;
use crate::io::{VectorFormat, detect_format, read_vectors, write_vectors};
use crate::subwords::{RecordedArgs, SubwordIndex, SubwordSettings};

/// Byte offsets of fields of a file written by [`write()`].
const VERSION_AT: usize = 4;
const MODEL_AT: usize = 36;
const DIM_AT: usize = 8;
const MAXN_AT: usize = 48;
const NLABELS_AT: usize = 72;
const PRUNEIDX_AT: usize = 84;
const FIRST_WORD_AT: usize = 92;

fn small_model(dim: usize, bucket: u32) -> SubwordModel {
    let settings = SubwordSettings {
        minn: 2,
        maxn: 4,
        bucket,
    };
    model_with(dim, settings)
}

fn model_with(dim: usize, settings: SubwordSettings) -> SubwordModel {
    let words: Vec<String> = ["</s>", "the", "café", "naïve", "日本", "x"]
        .iter()
        .map(|w| w.to_string())
        .collect();
    let bucket = settings.bucket;
    let index = SubwordIndex::new(&words, settings).unwrap();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut value = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.25
    };
    let input = (0..(words.len() + bucket as usize) * dim)
        .map(|_| value())
        .collect();
    let output = (0..words.len() * dim).map(|_| value()).collect();
    SubwordModel {
        counts: vec![60, 50, 40, 3, 2, 1],
        words,
        dim,
        index,
        input,
        output,
        args: RecordedArgs {
            model: 2,
            window: 5,
            epochs: 7,
            min_count: 1,
            negative: 5,
            word_ngrams: 1,
            loss: 2,
            lr_update_rate: 100,
            sample: 1e-4,
        },
    }
}

fn bytes_of(model: &SubwordModel) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(model, &mut bytes, Path::new("mem")).unwrap();
    bytes
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

fn assert_same(a: &SubwordModel, b: &SubwordModel) {
    assert_eq!(a.words, b.words);
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.dim, b.dim);
    assert_eq!(a.index, b.index);
    assert_eq!(a.args, b.args);
    assert_eq!(bits(&a.input), bits(&b.input));
    assert_eq!(bits(&a.output), bits(&b.output));
}

fn error_of(bytes: &[u8]) -> String {
    match read(bytes, Path::new("case.bin")) {
        Ok(_) => panic!("read a corrupt file"),
        Err(e) => e.to_string(),
    }
}

fn patched(bytes: &[u8], at: usize, new: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[at..at + new.len()].copy_from_slice(new);
    bytes
}

#[test]
fn round_trip_through_bytes_and_files_is_identical() {
    let model = small_model(3, 17);
    let bytes = bytes_of(&model);
    assert_same(&model, &read(&bytes[..], Path::new("mem")).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    write_fasttext_bin(&model, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_same(&model, &read_fasttext_bin(&path).unwrap());
}

#[test]
fn a_model_without_ngrams_round_trips() {
    let settings = SubwordSettings {
        minn: 3,
        maxn: 0,
        bucket: 0,
    };
    let model = model_with(2, settings);
    assert_eq!(model.index.rows.len(), model.words.len());
    assert_same(
        &model,
        &read(&bytes_of(&model)[..], Path::new("mem")).unwrap(),
    );
}

#[test]
fn detected_and_read_as_the_vocabulary_vectors() {
    let model = small_model(4, 11);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    write_fasttext_bin(&model, &path).unwrap();
    assert_eq!(detect_format(&path).unwrap(), VectorFormat::FastTextBin);
    let emb = read_vectors(&path).unwrap();
    assert_eq!(emb.vocab().words(), model.words);
    assert_eq!(emb.vocab().counts(), model.counts);
    assert_eq!(bits(emb.as_slice()), bits(&model.word_vectors()));
    let error = write_vectors(&emb, &path, VectorFormat::FastTextBin).unwrap_err();
    assert!(error.to_string().contains("--format"), "{error}");
}

#[test]
fn every_truncation_is_an_error() {
    let model = small_model(2, 5);
    let bytes = bytes_of(&model);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.bin");
    for length in 0..bytes.len() {
        let message = error_of(&bytes[..length]);
        let expected = if length == 0 { "empty" } else { "truncated" };
        assert!(message.contains(expected), "{length}: {message}");
        std::fs::write(&path, &bytes[..length]).unwrap();
        let message = read_fasttext_bin(&path).unwrap_err().to_string();
        assert!(message.contains(expected), "{length}: {message}");
    }
}

#[test]
fn truncation_names_the_part() {
    let bytes = bytes_of(&small_model(2, 5));
    assert!(error_of(&bytes[..6]).contains("magic number and version"));
    assert!(error_of(&bytes[..20]).contains("training arguments"));
    assert!(error_of(&bytes[..70]).contains("dictionary header"));
    assert!(error_of(&bytes[..FIRST_WORD_AT + 2]).contains("entry 1 of 6"));
    assert!(error_of(&bytes[..bytes.len() - 30]).contains("output matrix"));
}

#[test]
fn corrupted_headers_give_named_errors() {
    let bytes = bytes_of(&small_model(2, 5));
    let int = |v: i32| v.to_le_bytes();
    let mut cases: Vec<(Vec<u8>, &str)> = vec![
        (patched(&bytes, 0, &int(12345)), "magic number 12345"),
        (
            patched(&bytes, VERSION_AT, &int(13)),
            "unsupported version 13",
        ),
        (patched(&bytes, MODEL_AT, &int(3)), "supervised models"),
        (patched(&bytes, MODEL_AT, &int(9)), "unknown model code 9"),
        (patched(&bytes, DIM_AT, &int(0)), "dim 0"),
        (patched(&bytes, MAXN_AT, &int(65)), "maxn 65 is above"),
        (patched(&bytes, DIM_AT, &int(3)), "input matrix: 11 x 2"),
        (patched(&bytes, NLABELS_AT, &int(2)), "supervised models"),
        (
            patched(&bytes, PRUNEIDX_AT, &0i64.to_le_bytes()),
            "quantized .ftz",
        ),
        (patched(&bytes, FIRST_WORD_AT, &[0xFF]), "not UTF-8"),
        // "</s>\0" then the count: the type byte of entry 1.
        (patched(&bytes, FIRST_WORD_AT + 13, &[1]), "is a label"),
    ];
    // "日本" and "naïve" have the same length in bytes.
    let at = bytes
        .windows(6)
        .position(|w| w == "日本".as_bytes())
        .unwrap();
    cases.push((patched(&bytes, at, "naïve".as_bytes()), "duplicate word"));
    for (case, expected) in cases {
        let message = error_of(&case);
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
    }
}

#[test]
fn quantized_nan_and_trailing_bytes_are_refused() {
    let model = small_model(2, 5);
    let bytes = bytes_of(&model);
    // The input matrix's flag is the byte after the dictionary.
    let flag_at = bytes.len() - 1 - 16 - model.input.len() * 4 - 1 - 16 - model.output.len() * 4;
    let message = error_of(&patched(&bytes, flag_at, &[1]));
    assert!(
        message.contains("quantized .ftz models are not supported"),
        "{message}"
    );
    let nan_at = bytes.len() - 4;
    let message = error_of(&patched(&bytes, nan_at, &f32::NAN.to_le_bytes()));
    assert!(
        message.contains("output matrix: row 5, column 1 holds NaN"),
        "{message}"
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(error_of(&longer).contains("more data after the output matrix"));
}

#[test]
fn huge_declared_sizes_fail_without_allocating() {
    let bytes = bytes_of(&small_model(2, 5));
    // A dim of 2^31 - 1 with 2^31 - 1 buckets: the matrix shape then disagrees, but first the
    // dictionary must not reserve for a huge word count.
    let many_words = patched(
        &bytes,
        64,
        &[i32::MAX.to_le_bytes(), i32::MAX.to_le_bytes()].concat(),
    );
    assert!(read(&many_words[..], Path::new("mem")).is_err());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.bin");
    std::fs::write(&path, &many_words).unwrap();
    let message = read_fasttext_bin(&path).unwrap_err().to_string();
    assert!(message.contains("but only"), "{message}");
}

#[test]
fn write_refuses_what_cannot_be_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    let mut nan = small_model(2, 5);
    nan.input[7] = f32::NAN;
    let message = write_fasttext_bin(&nan, &path).unwrap_err().to_string();
    assert!(
        message.contains("input table holds NaN at row 3, column 1"),
        "{message}"
    );
    assert!(!path.exists());

    let mut nul = small_model(2, 5);
    nul.words[1] = "a\0b".into();
    assert!(
        write_fasttext_bin(&nul, &path)
            .unwrap_err()
            .to_string()
            .contains("NUL")
    );
    let mut supervised = small_model(2, 5);
    supervised.args.model = 3;
    assert!(write_fasttext_bin(&supervised, &path).is_err());
    let mut short = small_model(2, 5);
    short.output.pop();
    assert!(matches!(
        write_fasttext_bin(&short, &path),
        Err(Error::Mismatch(_))
    ));
    assert!(!path.exists());
}

#[test]
fn every_single_byte_corruption_is_handled() {
    let bytes = bytes_of(&small_model(2, 3));
    for at in 0..bytes.len() {
        for new in [0x00, 0x01, 0x7F, 0x80, 0xFF, bytes[at] ^ 0x10] {
            let case = patched(&bytes, at, &[new]);
            // Any result, but no panic, and a model read is consistent.
            if let Ok(model) = read(&case[..], Path::new("mem")) {
                assert_eq!(model.input.len(), model.index.table_rows() * model.dim);
                assert_eq!(model.output.len(), model.words.len() * model.dim);
            }
        }
    }
}
