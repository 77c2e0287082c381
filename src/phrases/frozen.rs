//! The phrases to join, without the counts that found them (gensim's `FrozenPhrases`): what
//! [`Phrases`](super::Phrases) joins with, and what a phrase file keeps, so that phrases
//! learned on one corpus join the words of another (new text, queries) the same way.
//!
//! A phrase file has one phrase a line, highest score first: `first second score count`,
//! the two words, the score they had, and how often they occurred side by side.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use super::{Phrase, pair_key, rewrite};
use crate::corpus::TextSource;
use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;
use crate::io::text::Lines;
use crate::vocab::Vocab;

/// Phrases to join: pairs of words, each with the score and count it was found with.
#[derive(Clone, Debug)]
pub struct FrozenPhrases {
    /// The words of the phrases.
    pub(super) words: Vocab,
    /// Score and count of each phrase, by [`pair_key`] of its words' ids in `words`.
    joined: HashMap<u64, (f64, u64)>,
    pub(super) delimiter: String,
}

impl FrozenPhrases {
    /// The given phrases, joined by `delimiter` (checked as [`super::PhraseOptions::check`]
    /// checks it). A pair listed twice keeps its last score and count.
    pub fn new(phrases: impl IntoIterator<Item = Phrase>, delimiter: &str) -> Result<Self> {
        super::check_delimiter(delimiter)?;
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut words = Vec::new();
        let mut id = |word: String| {
            *index.entry(word).or_insert_with_key(|word| {
                words.push(word.clone());
                (words.len() - 1) as u32
            })
        };
        let mut joined = HashMap::new();
        for phrase in phrases {
            let key = pair_key(id(phrase.first), id(phrase.second));
            joined.insert(key, (phrase.score, phrase.count));
        }
        let counts = vec![0; words.len()];
        Ok(FrozenPhrases {
            words: Vocab::from_ordered(words, counts),
            joined,
            delimiter: delimiter.to_string(),
        })
    }

    /// Reads a phrase file (plain or gzip), its phrases to be joined by `delimiter`.
    /// Refuses, naming the line, one that is not two words, a number and a whole number, and
    /// a pair listed twice.
    pub fn read(path: &Path, delimiter: &str) -> Result<Self> {
        FrozenPhrases::read_from(crate::io::open(path)?, path, delimiter)
    }

    /// Reads a phrase file from `reader`; `path` names it in errors.
    pub fn read_from(reader: impl BufRead, path: &Path, delimiter: &str) -> Result<Self> {
        let mut lines = Lines::new(reader, path);
        let mut phrases = Vec::new();
        let mut first_line: HashMap<(String, String), u64> = HashMap::new();
        while let Some((line, text)) = lines.next_line()? {
            let fields: Vec<&str> = text.split_ascii_whitespace().collect();
            let [first, second, score, count] = fields[..] else {
                if fields.is_empty() {
                    continue;
                }
                let message = format!(
                    "expected `first second score count`, found {} fields",
                    fields.len()
                );
                return Err(Error::format(path, Some(line), message));
            };
            let bad = |what: &str, value: &str| {
                let message = format!("the {what} of {first} {second} is {value:?}");
                Error::format(path, Some(line), message)
            };
            let score: f64 = score
                .parse()
                .ok()
                .filter(|s: &f64| !s.is_nan())
                .ok_or_else(|| bad("score", score))?;
            let count: u64 = count.parse().map_err(|_| bad("count", count))?;
            let pair = (first.to_string(), second.to_string());
            if let Some(earlier) = first_line.insert(pair, line) {
                let message = format!("{first} {second} is listed twice (first on line {earlier})");
                return Err(Error::format(path, Some(line), message));
            }
            phrases.push(Phrase {
                first: first.to_string(),
                second: second.to_string(),
                count,
                score,
            });
        }
        FrozenPhrases::new(phrases, delimiter)
    }

    /// Writes the phrase file, highest score first (atomically).
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut file = AtomicFile::create(path)?;
        for phrase in self.phrases() {
            let Phrase {
                first,
                second,
                score,
                count,
            } = phrase;
            writeln!(file, "{first} {second} {score} {count}")
                .map_err(|e| Error::io("write", path, e))?;
        }
        file.commit()
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.joined.len()
    }

    /// Whether there is no phrase.
    pub fn is_empty(&self) -> bool {
        self.joined.is_empty()
    }

    /// What joins the words of a phrase.
    pub fn delimiter(&self) -> &str {
        &self.delimiter
    }

    /// The score `a b` was found with, if it is a phrase.
    pub fn score(&self, a: &str, b: &str) -> Option<f64> {
        let key = pair_key(self.words.id(a)?, self.words.id(b)?);
        self.joined.get(&key).map(|&(score, _)| score)
    }

    /// Whether `a b` is joined.
    pub fn joins(&self, a: &str, b: &str) -> bool {
        self.score(a, b).is_some()
    }

    pub(super) fn joins_ids(&self, a: u32, b: u32) -> bool {
        self.joined.contains_key(&pair_key(a, b))
    }

    /// Every phrase, highest score first (ties in word order).
    pub fn phrases(&self) -> Vec<Phrase> {
        let mut found: Vec<Phrase> = self
            .joined
            .iter()
            .map(|(&key, &(score, count))| Phrase {
                first: self.words.word((key >> 32) as u32).to_string(),
                second: self.words.word(key as u32).to_string(),
                count,
                score,
            })
            .collect();
        found.sort_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then_with(|| (&x.first, &x.second).cmp(&(&y.first, &y.second)))
        });
        found
    }

    /// The words of one sentence with its phrases joined, left to right as a corpus line is:
    /// a joined pair is one token and the word after it starts afresh.
    pub fn apply<S: AsRef<str>>(&self, sentence: &[S]) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(sentence.len());
        let mut previous = None;
        for word in sentence {
            let word = word.as_ref();
            let id = self.words.id(word);
            match (previous, id, out.last_mut()) {
                (Some(a), Some(b), Some(last)) if self.joins_ids(a, b) => {
                    last.push_str(&self.delimiter);
                    last.push_str(word);
                    previous = None;
                }
                _ => {
                    out.push(word.to_string());
                    previous = id;
                }
            }
        }
        out
    }

    /// Writes the corpus `input` (plain or gzip) to `output` with these phrases joined
    /// (atomically: `output` is complete or untouched). Each line stays a line, its tokens
    /// separated by one space; `threads` rewrite it (`None`: every core).
    pub fn rewrite(
        &self,
        input: &Path,
        output: &Path,
        threads: Option<usize>,
        progress: Option<&crate::corpus::ReadProgress>,
    ) -> Result<rewrite::Rewritten> {
        let source = TextSource::File(input.to_path_buf());
        rewrite::rewrite(self, &source, input, output, threads, progress)
    }
}
