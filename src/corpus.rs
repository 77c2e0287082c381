//! Text -> sentences of word ids, read once and held in memory (4 bytes a token).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Lines longer than this many tokens are split, as word2vec.c and gensim do.
pub const MAX_SENTENCE_TOKENS: usize = 10_000;
/// Bytes of a token beyond this are dropped: bounds memory on input with no whitespace.
pub const MAX_TOKEN_BYTES: usize = 1_024;

/// How to read a corpus.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Lowercase every token.
    pub lowercase: bool,
    /// Drop words seen fewer times.
    pub min_count: u64,
    /// Keep at most this many of the most frequent words.
    pub max_vocab: Option<usize>,
}

/// What reading the corpus saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Lines read.
    pub lines: u64,
    /// Tokens read, before dropping rare words.
    pub raw_tokens: u64,
    /// Distinct words before min-count.
    pub distinct_words: usize,
    /// Tokens whose bytes were not valid UTF-8 (decoded with U+FFFD replacements).
    pub lossy_tokens: u64,
    /// Tokens cut at [`MAX_TOKEN_BYTES`].
    pub truncated_tokens: u64,
    /// Lines split because they had more than [`MAX_SENTENCE_TOKENS`] tokens.
    pub split_lines: u64,
}

/// A corpus as word ids: the vocabulary, the kept tokens and where each sentence ends.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// Where it was read from (for messages).
    pub source: PathBuf,
    /// The vocabulary, most frequent word first.
    pub vocab: Vocab,
    /// What reading saw.
    pub stats: CorpusStats,
    tokens: Vec<u32>,
    sentence_ends: Vec<u32>,
}

impl Corpus {
    /// Reads a corpus file (plain UTF-8 text or gzip, detected by its first bytes).
    pub fn read(path: &Path, options: &ReadOptions) -> Result<Corpus> {
        let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
        Corpus::from_reader(file, path, options)
    }

    /// Reads a corpus from any reader; `source` names it in errors. Gzip is detected.
    pub fn from_reader(reader: impl Read, source: &Path, options: &ReadOptions) -> Result<Corpus> {
        let mut buffered = BufReader::with_capacity(1 << 16, reader);
        let head = buffered
            .fill_buf()
            .map_err(|e| Error::io("read", source, e))?;
        let raw = if head.starts_with(&[0x1f, 0x8b]) {
            tokenize(MultiGzDecoder::new(buffered), source, options.lowercase)?
        } else {
            tokenize(buffered, source, options.lowercase)?
        };
        raw.into_corpus(source, options)
    }

    /// Every kept token, as word ids, sentence after sentence.
    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// Number of kept tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True when no token was kept.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.sentence_ends.len()
    }

    /// The token range of sentence `index`.
    pub fn sentence_range(&self, index: usize) -> Range<usize> {
        let start = if index == 0 {
            0
        } else {
            self.sentence_ends[index - 1] as usize
        };
        start..self.sentence_ends[index] as usize
    }

    /// Bytes held for tokens and sentence boundaries.
    pub fn memory_bytes(&self) -> usize {
        (self.tokens.capacity() + self.sentence_ends.capacity()) * std::mem::size_of::<u32>()
    }

    /// Splits the sentences into consecutive runs of about `target_tokens` tokens each
    /// (a sentence is never split): the unit of work of the trainers.
    pub fn chunks(&self, target_tokens: usize) -> Vec<Range<usize>> {
        let mut chunks = Vec::new();
        let mut first = 0;
        let mut chunk_start_token = 0;
        for (index, &end) in self.sentence_ends.iter().enumerate() {
            if end as usize - chunk_start_token >= target_tokens {
                chunks.push(first..index + 1);
                first = index + 1;
                chunk_start_token = end as usize;
            }
        }
        if first < self.sentence_ends.len() {
            chunks.push(first..self.sentence_ends.len());
        }
        chunks
    }
}

/// Tokens as ids of every distinct word seen, before the vocabulary is cut.
struct RawCorpus {
    stats: CorpusStats,
    words: Vec<String>,
    counts: Vec<u64>,
    tokens: Vec<u32>,
    sentence_ends: Vec<u32>,
}

/// Splits on ASCII whitespace (as word2vec.c does; newline ends a sentence), interning words.
fn tokenize(mut reader: impl Read, source: &Path, lowercase: bool) -> Result<RawCorpus> {
    let mut raw = Tokenizer::new(source, lowercase);
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read", source, e)),
        };
        for &byte in &buffer[..read] {
            match byte {
                b'\n' => {
                    raw.end_token()?;
                    raw.end_line();
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => raw.end_token()?,
                _ => raw.push_byte(byte),
            }
        }
    }
    raw.end_token()?;
    raw.end_line();
    Ok(raw.finish())
}

struct Tokenizer<'a> {
    source: &'a Path,
    lowercase: bool,
    token: Vec<u8>,
    truncated: bool,
    line_tokens: usize,
    line_has_bytes: bool,
    line_split: bool,
    index: HashMap<String, u32>,
    raw: RawCorpus,
}

impl<'a> Tokenizer<'a> {
    fn new(source: &'a Path, lowercase: bool) -> Self {
        Tokenizer {
            source,
            lowercase,
            token: Vec::with_capacity(64),
            truncated: false,
            line_tokens: 0,
            line_has_bytes: false,
            line_split: false,
            index: HashMap::new(),
            raw: RawCorpus {
                stats: CorpusStats::default(),
                words: Vec::new(),
                counts: Vec::new(),
                tokens: Vec::new(),
                sentence_ends: Vec::new(),
            },
        }
    }

    fn push_byte(&mut self, byte: u8) {
        self.line_has_bytes = true;
        if self.token.len() < MAX_TOKEN_BYTES {
            self.token.push(byte);
        } else {
            self.truncated = true;
        }
    }

    fn end_token(&mut self) -> Result<()> {
        if self.token.is_empty() {
            return Ok(());
        }
        let word = self.decode();
        let id = match self.index.get(word.as_str()) {
            Some(&id) => id,
            None => {
                let id = self.raw.words.len() as u32;
                self.index.insert(word.clone(), id);
                self.raw.words.push(word);
                self.raw.counts.push(0);
                id
            }
        };
        self.raw.counts[id as usize] += 1;
        if self.raw.tokens.len() >= u32::MAX as usize {
            return Err(Error::CorpusTooLarge {
                path: self.source.to_path_buf(),
                limit: u32::MAX as u64,
            });
        }
        self.raw.tokens.push(id);
        self.raw.stats.raw_tokens += 1;
        self.line_tokens += 1;
        if self.line_tokens == MAX_SENTENCE_TOKENS {
            self.end_sentence();
            self.line_split = true;
        }
        self.token.clear();
        self.truncated = false;
        Ok(())
    }

    /// The current token as a string: lossy where not UTF-8, cut at a character boundary
    /// where truncation split one.
    fn decode(&mut self) -> String {
        if self.truncated {
            self.raw.stats.truncated_tokens += 1;
            if let Err(e) = std::str::from_utf8(&self.token) {
                if e.error_len().is_none() {
                    self.token.truncate(e.valid_up_to());
                }
            }
        }
        let word = match std::str::from_utf8(&self.token) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                self.raw.stats.lossy_tokens += 1;
                String::from_utf8_lossy(&self.token).into_owned()
            }
        };
        if self.lowercase {
            word.to_lowercase()
        } else {
            word
        }
    }

    fn end_sentence(&mut self) {
        let end = self.raw.tokens.len() as u32;
        if self.raw.sentence_ends.last().copied().unwrap_or(0) < end {
            self.raw.sentence_ends.push(end);
        }
        self.line_tokens = 0;
    }

    fn end_line(&mut self) {
        self.end_sentence();
        if self.line_has_bytes {
            self.raw.stats.lines += 1;
        }
        if self.line_split {
            self.raw.stats.split_lines += 1;
        }
        self.line_has_bytes = false;
        self.line_split = false;
    }

    fn finish(mut self) -> RawCorpus {
        self.raw.stats.distinct_words = self.raw.words.len();
        self.raw
    }
}

impl RawCorpus {
    /// Cuts the vocabulary and rewrites tokens as vocabulary ids, dropping the rest.
    fn into_corpus(self, source: &Path, options: &ReadOptions) -> Result<Corpus> {
        if self.stats.raw_tokens == 0 {
            return Err(Error::EmptyCorpus {
                path: source.to_path_buf(),
            });
        }
        let RawCorpus {
            stats,
            words,
            counts,
            mut tokens,
            sentence_ends,
        } = self;
        let vocab = Vocab::from_counts(
            words.iter().cloned().zip(counts.iter().copied()),
            options.min_count,
            options.max_vocab,
        );
        if vocab.is_empty() {
            return Err(Error::EmptyVocabulary {
                path: source.to_path_buf(),
                min_count: options.min_count,
                distinct: stats.distinct_words,
            });
        }
        let remap: Vec<u32> = words
            .iter()
            .map(|w| vocab.id(w).unwrap_or(u32::MAX))
            .collect();
        drop(words);
        let mut kept_ends = Vec::with_capacity(sentence_ends.len());
        let mut write = 0;
        let mut read = 0;
        for end in sentence_ends {
            while read < end as usize {
                let id = remap[tokens[read] as usize];
                if id != u32::MAX {
                    tokens[write] = id;
                    write += 1;
                }
                read += 1;
            }
            if kept_ends.last().copied().unwrap_or(0) < write as u32 {
                kept_ends.push(write as u32);
            }
        }
        tokens.truncate(write);
        tokens.shrink_to_fit();
        kept_ends.shrink_to_fit();
        Ok(Corpus {
            source: source.to_path_buf(),
            vocab,
            stats,
            tokens,
            sentence_ends: kept_ends,
        })
    }
}
