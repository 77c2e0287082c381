//! Bytes of whole lines -> tokens and sentence ends, with word2vec's rules: ASCII whitespace
//! separates tokens, a newline ends a sentence, a line of more than [`MAX_SENTENCE_TOKENS`]
//! tokens is split, a token longer than [`MAX_TOKEN_BYTES`] is cut, invalid UTF-8 is
//! replaced (U+FFFD) and counted.

use std::borrow::Cow;

use crate::corpus::{CorpusStats, MAX_SENTENCE_TOKENS, MAX_TOKEN_BYTES};

/// What a tokenizer feeds.
pub(crate) trait TokenSink {
    /// One token, decoded.
    fn token(&mut self, word: &str);
    /// The end of a sentence (a line, or a piece of a long line).
    fn sentence_end(&mut self);
}

/// A tokenizer for a run of whole lines. Lines never cross two calls of [`Self::feed`] with
/// different tokenizers: text is cut into blocks at newlines before it reaches one.
pub(crate) struct Tokenizer {
    lowercase: bool,
    token: Vec<u8>,
    truncated: bool,
    line_tokens: usize,
    line_has_bytes: bool,
    line_split: bool,
    /// What the tokenizer saw (all fields but `distinct_words`).
    pub stats: CorpusStats,
}

impl Tokenizer {
    /// A tokenizer that lowercases tokens where asked.
    pub fn new(lowercase: bool) -> Tokenizer {
        Tokenizer {
            lowercase,
            token: Vec::with_capacity(64),
            truncated: false,
            line_tokens: 0,
            line_has_bytes: false,
            line_split: false,
            stats: CorpusStats::default(),
        }
    }

    /// Tokenizes `bytes`, then ends the last line if it has no newline.
    pub fn feed_lines(&mut self, bytes: &[u8], sink: &mut impl TokenSink) {
        for &byte in bytes {
            match byte {
                b'\n' => {
                    self.end_token(sink);
                    self.end_line(sink);
                }
                _ if separates_tokens(byte) => self.end_token(sink),
                _ => {
                    self.line_has_bytes = true;
                    if self.token.len() < MAX_TOKEN_BYTES {
                        self.token.push(byte);
                    } else {
                        self.truncated = true;
                    }
                }
            }
        }
        self.end_token(sink);
        if self.line_has_bytes || self.line_tokens > 0 {
            self.end_line(sink);
        }
    }

    fn end_token(&mut self, sink: &mut impl TokenSink) {
        if self.token.is_empty() {
            return;
        }
        if self.truncated {
            self.stats.truncated_tokens += 1;
        }
        let (text, lossy) = token_text(&self.token, self.truncated);
        if lossy {
            self.stats.lossy_tokens += 1;
        }
        if self.lowercase && text.bytes().any(|b| !b.is_ascii_lowercase()) {
            sink.token(&text.to_lowercase());
        } else {
            sink.token(&text);
        }
        self.stats.raw_tokens += 1;
        self.line_tokens += 1;
        if self.line_tokens == MAX_SENTENCE_TOKENS {
            sink.sentence_end();
            self.line_tokens = 0;
            self.line_split = true;
        }
        self.token.clear();
        self.truncated = false;
    }

    fn end_line(&mut self, sink: &mut impl TokenSink) {
        if self.line_tokens > 0 {
            sink.sentence_end();
        }
        if self.line_has_bytes {
            self.stats.lines += 1;
        }
        if self.line_split {
            self.stats.split_lines += 1;
        }
        self.line_tokens = 0;
        self.line_has_bytes = false;
        self.line_split = false;
    }
}

/// Whether `byte` separates tokens within a line (ASCII white space but the newline).
pub(crate) fn separates_tokens(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// The word a token's bytes stand for: the first [`MAX_TOKEN_BYTES`] of them (`cut`: there
/// were more), less a character the cut split, decoded as UTF-8 with U+FFFD for invalid
/// bytes; and whether any were invalid. Every reader of corpus text decodes tokens here, so
/// they all see the same words.
pub(crate) fn token_text(bytes: &[u8], cut: bool) -> (Cow<'_, str>, bool) {
    let mut bytes = &bytes[..bytes.len().min(MAX_TOKEN_BYTES)];
    if cut {
        if let Err(e) = std::str::from_utf8(bytes) {
            if e.error_len().is_none() {
                bytes = &bytes[..e.valid_up_to()];
            }
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

impl CorpusStats {
    /// Adds the counts of `other` (all but `distinct_words`, which does not add).
    pub(crate) fn add(&mut self, other: &CorpusStats) {
        self.lines += other.lines;
        self.raw_tokens += other.raw_tokens;
        self.lossy_tokens += other.lossy_tokens;
        self.truncated_tokens += other.truncated_tokens;
        self.split_lines += other.split_lines;
    }
}
