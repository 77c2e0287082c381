//! Reading corpora: tokens, sentences, vocabulary, bad input.

use std::io::Write;
use std::path::Path;

use vectrain::corpus::{BLOCK_TOKENS, MAX_SENTENCE_TOKENS, MAX_TOKEN_BYTES};
use vectrain::{Corpus, Error, ReadOptions};

fn options(min_count: u64) -> ReadOptions {
    ReadOptions {
        min_count,
        ..ReadOptions::default()
    }
}

fn read(text: &[u8], min_count: u64) -> vectrain::Result<Corpus> {
    Corpus::from_reader(text, Path::new("test"), &options(min_count))
}

fn sentences(corpus: &Corpus) -> Vec<Vec<u32>> {
    let mut all = Vec::new();
    corpus
        .for_each_sentence(|words| all.push(words.to_vec()))
        .unwrap();
    all
}

fn words_of(corpus: &Corpus, sentence: usize) -> Vec<&str> {
    sentences(corpus)[sentence]
        .iter()
        .map(|&id| corpus.vocab.word(id))
        .collect()
}

#[test]
fn lines_become_sentences_and_rare_words_are_dropped() {
    let corpus = read(b"a b c a\n\n  b a \t d\r\nrare\n", 2).unwrap();
    assert_eq!(corpus.vocab.words(), ["a", "b"]);
    assert_eq!(corpus.vocab.counts(), [3, 2]);
    assert_eq!(
        corpus.sentence_count(),
        2,
        "the empty line and the all-rare line vanish"
    );
    assert_eq!(words_of(&corpus, 0), ["a", "b", "a"]);
    assert_eq!(words_of(&corpus, 1), ["b", "a"]);
    assert_eq!(corpus.stats.raw_tokens, 8);
    assert_eq!(corpus.stats.distinct_words, 5);
    assert_eq!(corpus.stats.lines, 3);
}

#[test]
fn vocabulary_ties_are_ordered_by_word_and_capped() {
    let text = b"b a c b a c d";
    let capped = Corpus::from_reader(
        &text[..],
        Path::new("t"),
        &ReadOptions {
            max_vocab: Some(2),
            ..options(1)
        },
    )
    .unwrap();
    assert_eq!(capped.vocab.words(), ["a", "b"]);
    assert_eq!(capped.len(), 4);
}

#[test]
fn long_lines_are_split() {
    let line = vec!["w"; MAX_SENTENCE_TOKENS * 2 + 5].join(" ");
    let corpus = read(line.as_bytes(), 1).unwrap();
    assert_eq!(corpus.sentence_count(), 3);
    let lengths: Vec<usize> = sentences(&corpus).iter().map(Vec::len).collect();
    assert_eq!(lengths, [MAX_SENTENCE_TOKENS, MAX_SENTENCE_TOKENS, 5]);
    assert_eq!(corpus.stats.split_lines, 1);
}

#[test]
fn invalid_utf8_is_replaced_and_counted() {
    let corpus = read(b"ok caf\xe9 ok\n", 1).unwrap();
    assert_eq!(corpus.stats.lossy_tokens, 1);
    assert!(corpus.vocab.id("caf\u{fffd}").is_some());
}

#[test]
fn giant_tokens_are_cut_at_a_character_boundary() {
    let mut text = "é".repeat(MAX_TOKEN_BYTES).into_bytes();
    text.extend_from_slice(b" x");
    let corpus = read(&text, 1).unwrap();
    assert_eq!(corpus.stats.truncated_tokens, 1);
    assert_eq!(corpus.stats.lossy_tokens, 0);
    assert!(
        corpus
            .vocab
            .words()
            .iter()
            .any(|w| w.len() == MAX_TOKEN_BYTES && w.chars().all(|c| c == 'é'))
    );
}

#[test]
fn lowercase_option() {
    let corpus = Corpus::from_reader(
        &b"The the THE"[..],
        Path::new("t"),
        &ReadOptions {
            lowercase: true,
            ..options(1)
        },
    )
    .unwrap();
    assert_eq!(corpus.vocab.words(), ["the"]);
    assert_eq!(corpus.vocab.counts(), [3]);
}

#[test]
fn gzip_input_is_detected() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"x y x\ny x\n").unwrap();
    let bytes = gz.finish().unwrap();
    let corpus = read(&bytes, 1).unwrap();
    assert_eq!(corpus.vocab.words(), ["x", "y"]);
    assert_eq!(corpus.sentence_count(), 2);
}

#[test]
fn truncated_gzip_is_an_error() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all("word ".repeat(10_000).as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let error = read(&bytes[..bytes.len() / 2], 1).unwrap_err();
    assert!(
        matches!(error, Error::Io { action: "read", .. }),
        "{error:?}"
    );
}

#[test]
fn empty_and_whitespace_corpora_are_errors() {
    for text in [&b""[..], b"  \n\t\n \r\n"] {
        let error = read(text, 1).unwrap_err();
        assert!(matches!(error, Error::EmptyCorpus { .. }), "{error:?}");
        assert!(error.to_string().contains("holds no words"));
    }
}

#[test]
fn all_words_under_min_count_is_an_error() {
    let error = read(b"a b c", 5).unwrap_err();
    assert!(
        matches!(
            error,
            Error::EmptyVocabulary {
                min_count: 5,
                distinct: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("--min-count"));
}

#[test]
fn missing_file_and_directory_are_errors() {
    let missing = Corpus::read(Path::new("/no/such/corpus.txt"), &options(1)).unwrap_err();
    assert!(
        missing.to_string().contains("/no/such/corpus.txt"),
        "{missing}"
    );
    let dir = tempfile::tempdir().unwrap();
    let error = Corpus::read(dir.path(), &options(1)).unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
}

#[test]
fn blocks_and_chunks_cover_every_sentence_once() {
    // 20,000 lines of 1 to 7 tokens: about 80,000 tokens, 8 blocks.
    let text: String = (0..20_000)
        .map(|i| format!("{}\n", vec!["w"; 1 + i % 7].join(" ")))
        .collect();
    let corpus = read(text.as_bytes(), 1).unwrap();
    let blocks = corpus.blocks();
    assert_eq!(blocks.first().map(|b| b.position), Some(0));
    assert_eq!(blocks.last().map(|b| b.position), Some(corpus.len() as u64));
    // Every block but the last ends at the first sentence end past BLOCK_TOKENS.
    for pair in blocks[..blocks.len() - 1].windows(2) {
        let tokens = pair[1].position - pair[0].position;
        assert!(
            (BLOCK_TOKENS..BLOCK_TOKENS + 7).contains(&tokens),
            "{tokens}"
        );
    }
    for target in [1, 10_000, 25_000, 1 << 30] {
        let chunks = corpus.chunks(target);
        assert_eq!(chunks.first().unwrap().start, 0);
        assert_eq!(chunks.last().unwrap().end, blocks.len() - 1);
        for pair in chunks.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        let mut seen = 0;
        for chunk in &chunks {
            let positions = corpus.chunk_positions(chunk);
            assert_eq!(positions.start, seen);
            corpus
                .for_each_sentence_in(chunk, |words, position| {
                    assert_eq!(position, seen);
                    seen += words.len() as u64;
                })
                .unwrap();
            assert_eq!(positions.end, seen);
        }
        assert_eq!(seen, corpus.len() as u64);
    }
    assert_eq!(corpus.chunks(1).len(), blocks.len() - 1);
    assert_eq!(corpus.chunks(1 << 30).len(), 1);
}

#[test]
fn reading_reports_each_pass_over_the_bytes_as_stored() {
    use std::io::Write;
    use vectrain::corpus::{ReadPass, ReadProgress, ReadSnapshot};

    let dir = tempfile::tempdir().unwrap();
    let text = "the cat sat on the mat\nthe dog sat on the log\n".repeat(20_000);
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, &text).unwrap();
    let gzip = dir.path().join("text.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    std::fs::write(&gzip, encoder.finish().unwrap()).unwrap();
    for path in [&plain, &gzip] {
        let progress = ReadProgress::new();
        assert_eq!(progress.snapshot(), None);
        let with_progress = ReadOptions {
            progress: Some(progress.clone()),
            ..options(1)
        };
        let corpus = Corpus::read(path, &with_progress).unwrap();
        assert_eq!(corpus.len(), 240_000);
        // The second pass read every stored byte: the compressed ones for gzip.
        let stored = std::fs::metadata(path).unwrap().len();
        let ReadSnapshot {
            pass, read, total, ..
        } = progress.snapshot().expect("a pass was made");
        assert_eq!(
            (pass, read, total),
            (ReadPass::Encoding, stored, stored),
            "{}",
            path.display()
        );
    }
    assert!(std::fs::metadata(&gzip).unwrap().len() < text.len() as u64 / 10);

    // A corpus read back from its cache makes no pass.
    let cached = ReadOptions {
        cache_dir: Some(dir.path().to_path_buf()),
        ..options(1)
    };
    Corpus::read(&plain, &cached).unwrap();
    let progress = ReadProgress::new();
    let again = ReadOptions {
        progress: Some(progress.clone()),
        ..cached
    };
    let corpus = Corpus::read(&plain, &again).unwrap();
    assert!(
        matches!(&corpus.cache, Some((_, false))),
        "read from the cache"
    );
    assert_eq!(progress.snapshot(), None);
}
