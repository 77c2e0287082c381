//! Vector files: round trips, format detection, and a clear error for each kind of bad input.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use vectrain::io::atomic::AtomicFile;
use vectrain::io::detect_format;
use vectrain::{
    Embeddings, Error, VectorFormat, Vocab, read_vectors, read_vectors_as, write_vectors,
};

const TEXT: VectorFormat = VectorFormat::Word2VecText;
const BINARY: VectorFormat = VectorFormat::Word2VecBinary;
const GLOVE: VectorFormat = VectorFormat::GloveText;

fn tempdir() -> TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn embeddings(words: &[&str], dim: usize, data: Vec<f32>) -> Embeddings {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let counts = (0..words.len() as u64).rev().map(|c| c + 1).collect();
    Embeddings::new(Vocab::from_ordered(words, counts), dim, data).expect("valid embeddings")
}

/// Writes `bytes` to a file and reads it as `format` (detected if `None`).
fn read_bytes(
    bytes: &[u8],
    format: Option<VectorFormat>,
) -> (TempDir, PathBuf, vectrain::Result<Embeddings>) {
    let dir = tempdir();
    let path = dir.path().join("vectors");
    fs::write(&path, bytes).expect("test file written");
    let result = match format {
        Some(format) => read_vectors_as(&path, format),
        None => read_vectors(&path),
    };
    (dir, path, result)
}

/// Reads `bytes` as `format`, expects a format error on `line` whose message has `needle`.
fn expect_error(bytes: &[u8], format: Option<VectorFormat>, line: Option<u64>, needle: &str) {
    let (_dir, path, result) = read_bytes(bytes, format);
    let error = match result {
        Ok(emb) => panic!(
            "{format:?} accepted bad input ({} rows): {bytes:?}",
            emb.len()
        ),
        Err(error) => error,
    };
    let message = error.to_string();
    match &error {
        Error::Format {
            path: p, line: l, ..
        } => {
            assert_eq!(p, &path, "{message}");
            assert_eq!(*l, line, "{message}");
        }
        other => panic!("expected a format error, got {other:?}"),
    }
    let place = match line {
        Some(line) => format!("{}:{line}: ", path.display()),
        None => format!("{}: ", path.display()),
    };
    assert!(
        message.starts_with(&place),
        "{message:?} does not start with {place:?}"
    );
    assert!(
        message.contains(needle),
        "{message:?} does not contain {needle:?}"
    );
}

fn binary_file(header: &str, rows: &[(&[u8], &[f32])], newline: bool) -> Vec<u8> {
    let mut bytes = header.as_bytes().to_vec();
    for (word, values) in rows {
        bytes.extend_from_slice(word);
        bytes.push(b' ');
        for v in *values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        if newline {
            bytes.push(b'\n');
        }
    }
    bytes
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn round_trip_is_bit_exact_in_every_format() {
    let special = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        0.1,
        1.0 / 3.0,
        f32::MIN_POSITIVE,
        1e-45,
        -3.4028235e38,
        f32::EPSILON,
        123456.79,
        7.0e-10,
    ];
    let words = ["the", "café", "naïve", "日本", "x"];
    let data: Vec<f32> = (0..words.len() * special.len())
        .map(|i| special[i % special.len()] * if i % 7 == 0 { -1.0 } else { 1.0 })
        .collect();
    let emb = embeddings(&words, special.len(), data);
    let dir = tempdir();
    for format in VectorFormat::ALL {
        let path = dir.path().join(format.name());
        write_vectors(&emb, &path, format).expect("written");
        assert_eq!(detect_format(&path).expect("detected"), format);
        let back = read_vectors(&path).expect("read back");
        assert_eq!(back.vocab().words(), emb.vocab().words(), "{format:?}");
        assert_eq!(back.vocab().counts(), [5, 4, 3, 2, 1], "{format:?}");
        assert_eq!(back.dim(), emb.dim());
        assert_eq!(bits(back.as_slice()), bits(emb.as_slice()), "{format:?}");
    }
}

#[test]
fn empty_embeddings_round_trip_with_a_header() {
    let emb = embeddings(&[], 4, Vec::new());
    let dir = tempdir();
    for format in [TEXT, BINARY] {
        let path = dir.path().join(format.name());
        write_vectors(&emb, &path, format).expect("written");
        let back = read_vectors_as(&path, format).expect("read back");
        assert_eq!((back.len(), back.dim()), (0, 4));
    }
}

#[test]
fn binary_without_row_newlines_as_gensim_writes_it() {
    let bytes = binary_file("2 2\n", &[(b"a", &[1.0, 2.0]), (b"b", &[3.0, -4.0])], false);
    let (_dir, path, result) = read_bytes(&bytes, None);
    assert_eq!(detect_format(&path).expect("detected"), BINARY);
    let emb = result.expect("read");
    assert_eq!(emb.vocab().words(), ["a", "b"]);
    assert_eq!(emb.as_slice(), [1.0, 2.0, 3.0, -4.0]);
}

#[test]
fn text_accepts_trailing_spaces_and_crlf() {
    let (_dir, _path, result) = read_bytes(b"2 2\r\na 1 2 \r\nb 3 4 \r\n\n", None);
    let emb = result.expect("read");
    assert_eq!(emb.vocab().words(), ["a", "b"]);
    assert_eq!(emb.as_slice(), [1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn empty_file() {
    expect_error(b"", None, None, "empty");
    for format in VectorFormat::ALL {
        expect_error(b"", Some(format), None, "empty");
    }
}

#[test]
fn header_not_two_integers() {
    for header in ["3\n", "a b\n", "3 4 5\n", "3 x\n", "-1 3\n", "3 2.5\n"] {
        expect_error(header.as_bytes(), Some(TEXT), Some(1), "two integers");
        expect_error(header.as_bytes(), Some(BINARY), Some(1), "two integers");
    }
    expect_error(b"hello world\n", None, Some(1), "neither a word2vec header");
    // Detected as a header (two integers), then refused as one.
    expect_error(b"1000000000000 3\n", None, Some(1), "at most 4294967295");
    expect_error(b"5 0\n", None, Some(1), "dimension 0");
}

#[test]
fn dim_zero() {
    expect_error(b"2 0\na\nb\n", Some(TEXT), Some(1), "dimension 0");
    expect_error(b"2 0\na b ", Some(BINARY), Some(1), "dimension 0");
    expect_error(b"a\nb\n", Some(GLOVE), Some(1), "at least one value");
}

#[test]
fn fewer_rows_than_header() {
    expect_error(
        b"3 2\na 1 2\nb 3 4\n",
        Some(TEXT),
        Some(4),
        "ends after 2 rows",
    );
    let bytes = binary_file("3 2\n", &[(b"a", &[1.0, 2.0]), (b"b", &[3.0, 4.0])], true);
    expect_error(&bytes, Some(BINARY), Some(4), "ends after 2 rows");
}

#[test]
fn more_rows_than_header() {
    expect_error(b"1 2\na 1 2\nb 3 4\n", Some(TEXT), Some(3), "more rows");
    let bytes = binary_file("1 2\n", &[(b"a", &[1.0, 2.0]), (b"b", &[3.0, 4.0])], true);
    expect_error(&bytes, Some(BINARY), Some(3), "more data");
}

#[test]
fn row_with_wrong_number_of_values() {
    expect_error(
        b"2 3\na 1 2 3\nb 3 4\n",
        Some(TEXT),
        Some(3),
        "\"b\" has 2 values, expected 3",
    );
    expect_error(
        b"2 2\na 1 2\nb 3 4 5\n",
        Some(TEXT),
        Some(3),
        "\"b\" has 3 values, expected 2",
    );
    expect_error(
        b"a 1 2\nb 3\n",
        Some(GLOVE),
        Some(2),
        "\"b\" has 1 values, expected 2",
    );
    expect_error(b"2 2\na 1 2\n\nb 3 4\n", Some(TEXT), Some(3), "empty line");
    expect_error(b"a 1 2\n\nb 3 4\n", Some(GLOVE), Some(2), "blank line");
}

#[test]
fn values_that_are_not_numbers() {
    expect_error(
        b"1 3\na 1 x2 3\n",
        Some(TEXT),
        Some(2),
        "value 2 of \"a\" is not a number",
    );
    expect_error(
        b"a 1 2\nb 3 0x4\n",
        Some(GLOVE),
        Some(2),
        "value 2 of \"b\" is not a number",
    );
}

#[test]
fn nan_and_infinity_are_refused() {
    for value in ["nan", "NaN", "inf", "-inf", "infinity", "1e39"] {
        let text = format!("2 2\na 1 2\nb 3 {value}\n");
        expect_error(text.as_bytes(), Some(TEXT), Some(3), "value 2 is");
        let glove = format!("a {value} 2\n");
        expect_error(glove.as_bytes(), Some(GLOVE), Some(1), "value 1 is");
    }
    let bytes = binary_file(
        "2 2\n",
        &[(b"a", &[1.0, 2.0]), (b"b", &[f32::NAN, 4.0])],
        true,
    );
    expect_error(&bytes, Some(BINARY), Some(3), "value 1 is NaN");
    let bytes = binary_file("1 1\n", &[(b"a", &[f32::NEG_INFINITY])], true);
    expect_error(&bytes, Some(BINARY), Some(2), "value 1 is -inf");
}

#[test]
fn truncated_binary_file() {
    let bytes = binary_file(
        "2 3\n",
        &[(b"a", &[1.0, 2.0, 3.0]), (b"b", &[3.0, 4.0, 5.0])],
        true,
    );
    // Cut inside the last vector, then inside the last word.
    expect_error(
        &bytes[..bytes.len() - 3],
        Some(BINARY),
        Some(3),
        "ends inside a vector",
    );
    let word_end = 4 + 1 + 1 + 12 + 1 + 1;
    expect_error(
        &bytes[..word_end],
        Some(BINARY),
        Some(3),
        "ends inside a word",
    );
    expect_error(
        &bytes[..4 + 1 + 1 + 12 + 1],
        Some(BINARY),
        Some(3),
        "ends after 1 rows",
    );
}

#[test]
fn duplicate_words_are_refused() {
    let needle = "duplicate word \"b\" (first on line 3)";
    expect_error(b"3 1\na 1\nb 2\nb 3\n", Some(TEXT), Some(4), needle);
    let needle = "duplicate word \"b\" (first on line 2)";
    expect_error(b"a 1\nb 2\nc 3\nb 3\n", Some(GLOVE), Some(4), needle);
    let rows: [(&[u8], &[f32]); 3] = [(b"a", &[1.0]), (b"b", &[2.0]), (b"b", &[3.0])];
    let needle = "duplicate word \"b\" (first on line 3)";
    expect_error(
        &binary_file("3 1\n", &rows, true),
        Some(BINARY),
        Some(4),
        needle,
    );
}

#[test]
fn huge_header_does_not_preallocate() {
    // 10^9 rows of 300 would be 1.2 TB: the reader must reserve little and fail at the end.
    expect_error(
        b"1000000000 300\na 1",
        Some(TEXT),
        Some(2),
        "\"a\" has 1 values, expected 300",
    );
    let row = format!("a{}\n", " 0.5".repeat(300));
    let text = format!("1000000000 300\n{row}");
    expect_error(text.as_bytes(), Some(TEXT), Some(3), "ends after 1 rows");
    let bytes = binary_file("1000000000 300\n", &[(b"a", &[0.5; 300])], true);
    expect_error(&bytes, Some(BINARY), Some(3), "ends after 1 rows");
    let bytes = binary_file("1 1000000000000\n", &[(b"a", &[0.5; 3])], true);
    expect_error(&bytes, Some(BINARY), Some(2), "ends inside a vector");
    // Beyond 32-bit row ids: refused from the header.
    expect_error(
        b"1000000000000 3\n",
        Some(TEXT),
        Some(1),
        "at most 4294967295",
    );
    expect_error(
        b"1000000000000 3\n",
        Some(BINARY),
        Some(1),
        "at most 4294967295",
    );
    expect_error(b"4000000000 99999999999999\n", Some(BINARY), Some(1), "");
}

#[test]
fn binary_without_spaces_is_refused_early() {
    let mut bytes = b"1 1\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 200_000));
    expect_error(&bytes, Some(BINARY), Some(2), "no space within");
}

#[test]
fn non_utf8_words() {
    // Text formats refuse invalid UTF-8.
    expect_error(
        b"1 1\ncaf\xe9 1\n",
        Some(TEXT),
        Some(2),
        "invalid UTF-8 at byte 4",
    );
    expect_error(b"a 1\ncaf\xe9 1\n", Some(GLOVE), Some(2), "invalid UTF-8");
    // Binary decodes lossily: word2vec.c may cut a word inside a character.
    let bytes = binary_file("2 1\n", &[(b"caf\xc3", &[1.0]), (b"ok", &[2.0])], true);
    let (_dir, _path, result) = read_bytes(&bytes, Some(BINARY));
    let emb = result.expect("lossy read");
    assert_eq!(emb.vocab().words(), ["caf\u{FFFD}", "ok"]);
}

#[test]
fn write_refuses_what_cannot_be_read_back() {
    let dir = tempdir();
    for format in VectorFormat::ALL {
        let path = dir.path().join(format.name());
        for word in ["two words", "", "tab\there", "new\nline"] {
            let emb = embeddings(&["ok", word], 1, vec![1.0, 2.0]);
            let error = write_vectors(&emb, &path, format).expect_err("refused");
            assert!(error.to_string().contains("cannot be written"), "{error}");
        }
        let emb = embeddings(&["ok", "nan"], 2, vec![1.0, 2.0, 3.0, f32::NAN]);
        let error = write_vectors(&emb, &path, format).expect_err("refused");
        assert!(error.to_string().contains("value 2 is NaN"), "{error}");
        assert!(!path.exists(), "{format:?} left a file behind");
    }
}

#[test]
fn write_into_missing_directory_errors() {
    let dir = tempdir();
    let path = dir.path().join("missing").join("vectors.txt");
    let emb = embeddings(&["a"], 1, vec![1.0]);
    for format in VectorFormat::ALL {
        match write_vectors(&emb, &path, format) {
            Err(
                error @ Error::Io {
                    action: "write", ..
                },
            ) => {
                // Names the path the caller gave and what is wrong, not a temporary file.
                let message = format!("{:#}", anyhow::Error::from(error));
                assert!(message.contains("missing/vectors.txt"), "{message}");
                assert!(message.contains("does not exist"), "{message}");
            }
            other => panic!("expected an I/O error on write, got {other:?}"),
        }
    }
    assert!(!dir.path().join("missing").exists());
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("listed")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn failed_write_leaves_destination_untouched_and_no_temporary() {
    let dir = tempdir();
    let path = dir.path().join("vectors.txt");
    fs::write(&path, "old contents").expect("written");
    // Many good rows are written (more than the writer's buffer) before the bad last one.
    let n = 50_000;
    let words: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut data = vec![0.25f32; n * 4];
    data[n * 4 - 1] = f32::INFINITY;
    let emb = embeddings(&words, 4, data);
    for format in VectorFormat::ALL {
        let error = write_vectors(&emb, &path, format).expect_err("refused");
        assert!(error.to_string().contains("value 4 is inf"), "{error}");
        assert_eq!(fs::read_to_string(&path).expect("read"), "old contents");
        assert_eq!(entries(dir.path()), ["vectors.txt"]);
    }
}

#[test]
fn dropped_atomic_file_is_removed() {
    let dir = tempdir();
    let path = dir.path().join("out.bin");
    {
        use std::io::Write;
        let mut file = AtomicFile::create(&path).expect("created");
        file.write_all(&[1; 1 << 21]).expect("written");
        assert!(file.temporary().is_some_and(std::path::Path::exists));
        assert_eq!(entries(dir.path()).len(), 1);
        // Dropped here, as when an error returns early.
    }
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_byte_order_mark_before_text_is_skipped() {
    // Notepad's UTF-8 puts U+FEFF first: before a word2vec header, or before GloVe's first word.
    for (bytes, format) in [
        (&b"\xef\xbb\xbf2 2\na 1 0\nb 0 1\n"[..], TEXT),
        (&b"\xef\xbb\xbfa 1 0\nb 0 1\n"[..], GLOVE),
    ] {
        let (_dir, path, result) = read_bytes(bytes, None);
        assert_eq!(detect_format(&path).expect("detected"), format);
        let emb = result.expect("read");
        assert_eq!(emb.vocab().words(), ["a", "b"]);
        assert_eq!(emb.as_slice(), [1.0, 0.0, 0.0, 1.0]);
    }
}
