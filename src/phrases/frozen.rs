//! The phrases to join, without the counts that found them (gensim's `FrozenPhrases`): what
//! [`Phrases`](super::Phrases) joins with, and what a phrase file keeps, so that phrases
//! learned on one corpus join the words of another (new text, queries) the same way.
//!
//! A phrase file has one phrase a line, highest score first: its words (the first, any
//! connector words, the second), the score it had, and how often it occurred. Where there
//! are connector words, the first line names them: `#connectors of the ...`.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use super::Phrase;
use super::connectors::{Between, Connectors, key_parts, phrase_key};
use super::key_hash::KeyMap;
use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;
use crate::io::text::Lines;
use crate::vocab::Vocab;

/// The first word of a phrase file's line that names its connector words.
const CONNECTORS_LINE: &str = "#connectors";

/// Phrases to join: runs of words, each with the score and count it was found with.
#[derive(Clone, Debug)]
pub struct FrozenPhrases {
    /// The first and second words of the phrases.
    words: Vocab,
    /// Score and count of each phrase, by [`phrase_key`] of its words' ids in `words`.
    joined: KeyMap<(f64, u64)>,
    connectors: Connectors,
    delimiter: String,
}

impl FrozenPhrases {
    /// The given phrases, joined by `delimiter`, with `connectors` the words that may stand
    /// inside a phrase (checked as [`super::PhraseOptions::check`] checks them). A phrase
    /// listed twice keeps its last score and count; one with a word between its two that is
    /// not a connector word, or with more than [`super::MAX_BETWEEN`] of them, is refused.
    pub fn new(
        phrases: impl IntoIterator<Item = Phrase>,
        delimiter: &str,
        connectors: &[String],
    ) -> Result<Self> {
        super::check_delimiter(delimiter)?;
        let connectors = Connectors::new(connectors)?;
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut words = Vec::new();
        let mut id = |word: String| {
            *index.entry(word).or_insert_with_key(|word| {
                words.push(word.clone());
                (words.len() - 1) as u32
            })
        };
        let mut joined = KeyMap::default();
        for phrase in phrases {
            let mut between = Between::default();
            for word in &phrase.between {
                let refuse = |reason: String| Error::InvalidOption {
                    option: "connector-words",
                    reason: format!(
                        "the phrase {} {} {}: {reason}",
                        phrase.first,
                        phrase.between.join(" "),
                        phrase.second
                    ),
                };
                let code = connectors
                    .code(word)
                    .ok_or_else(|| refuse(format!("{word:?} is not a connector word")))?;
                if !between.push(code) {
                    return Err(refuse(format!(
                        "more than {} connector words",
                        super::MAX_BETWEEN
                    )));
                }
            }
            let key = phrase_key(id(phrase.first), between.packed(), id(phrase.second));
            joined.insert(key, (phrase.score, phrase.count));
        }
        let counts = vec![0; words.len()];
        Ok(FrozenPhrases {
            words: Vocab::from_ordered(words, counts),
            joined,
            connectors,
            delimiter: delimiter.to_string(),
        })
    }

    /// Reads a phrase file (plain or gzip), its phrases to be joined by `delimiter`.
    /// Refuses, naming the line, one that is not words, a number and a whole number, and a
    /// phrase listed twice.
    pub fn read(path: &Path, delimiter: &str) -> Result<Self> {
        FrozenPhrases::read_from(crate::io::open(path)?, path, delimiter)
    }

    /// Reads a phrase file from `reader`; `path` names it in errors.
    pub fn read_from(reader: impl BufRead, path: &Path, delimiter: &str) -> Result<Self> {
        super::check_delimiter(delimiter)?;
        let mut lines = Lines::new(reader, path);
        let mut phrases = Vec::new();
        let mut connectors = Vec::new();
        let mut first_line: HashMap<Vec<String>, u64> = HashMap::new();
        while let Some((line, text)) = lines.next_line()? {
            let fields: Vec<&str> = text.split_ascii_whitespace().collect();
            if line == 1 && fields.first() == Some(&CONNECTORS_LINE) {
                connectors = fields[1..].iter().map(|w| w.to_string()).collect();
                continue;
            }
            if fields.is_empty() {
                continue;
            }
            if fields.len() < 4 {
                let message = format!(
                    "expected `first [connector words] second score count`, found {} fields",
                    fields.len()
                );
                return Err(Error::format(path, Some(line), message));
            }
            let (words, numbers) = fields.split_at(fields.len() - 2);
            let name = words.join(" ");
            let bad = |what: &str, value: &str| {
                let message = format!("the {what} of {name} is {value:?}");
                Error::format(path, Some(line), message)
            };
            let score: f64 = numbers[0]
                .parse()
                .ok()
                .filter(|s: &f64| !s.is_nan())
                .ok_or_else(|| bad("score", numbers[0]))?;
            let count: u64 = numbers[1].parse().map_err(|_| bad("count", numbers[1]))?;
            let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            if let Some(earlier) = first_line.insert(words.clone(), line) {
                let message = format!("{name} is listed twice (first on line {earlier})");
                return Err(Error::format(path, Some(line), message));
            }
            let last = words.len() - 1;
            phrases.push(Phrase {
                first: words[0].clone(),
                between: words[1..last].to_vec(),
                second: words[last].clone(),
                count,
                score,
            });
        }
        FrozenPhrases::new(phrases, delimiter, &connectors)
            .map_err(|error| Error::format(path, None, error.to_string()))
    }

    /// Writes the phrase file, highest score first (atomically).
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut file = AtomicFile::create(path)?;
        let fail = |e| Error::io("write", path, e);
        if !self.connectors.words().is_empty() {
            let words = self.connectors.words().join(" ");
            writeln!(file, "{CONNECTORS_LINE} {words}").map_err(fail)?;
        }
        for phrase in self.phrases() {
            let words = phrase_words(&phrase).join(" ");
            writeln!(file, "{words} {} {}", phrase.score, phrase.count).map_err(fail)?;
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

    /// The connector words.
    pub fn connectors(&self) -> &[String] {
        self.connectors.words()
    }

    /// The score the phrase `a b` (side by side) was found with, if it is one.
    pub fn score(&self, a: &str, b: &str) -> Option<f64> {
        let key = phrase_key(self.words.id(a)?, 0, self.words.id(b)?);
        self.joined.get(&key).map(|&(score, _)| score)
    }

    /// Whether `a b` (side by side) is joined.
    pub fn joins(&self, a: &str, b: &str) -> bool {
        self.score(a, b).is_some()
    }

    /// Every phrase, highest score first (ties in word order).
    pub fn phrases(&self) -> Vec<Phrase> {
        let mut found: Vec<Phrase> = self
            .joined
            .iter()
            .map(|(&key, &(score, count))| {
                let (a, between, b) = key_parts(key);
                Phrase {
                    first: self.words.word(a).to_string(),
                    between: self.connectors.unpack(between),
                    second: self.words.word(b).to_string(),
                    count,
                    score,
                }
            })
            .collect();
        found.sort_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then_with(|| phrase_words(x).cmp(&phrase_words(y)))
        });
        found
    }

    /// The words of one sentence with its phrases joined, left to right as a corpus line is
    /// ([`Joiner`]).
    pub fn apply<S: AsRef<str>>(&self, sentence: &[S]) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(sentence.len());
        let mut emit = |word: &str, glued: bool| match out.last_mut() {
            Some(last) if glued => {
                last.push_str(&self.delimiter);
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        };
        let mut joiner = Joiner::new(self);
        for word in sentence {
            joiner.push(word.as_ref(), &mut emit);
        }
        joiner.finish(&mut emit);
        out
    }
}

/// A phrase's words in order.
fn phrase_words(phrase: &Phrase) -> Vec<&str> {
    let between = phrase.between.iter().map(String::as_str);
    std::iter::once(phrase.first.as_str())
        .chain(between)
        .chain([phrase.second.as_str()])
        .collect()
}

/// Joins the phrases of one sentence, a token at a time, as gensim's `analyze_sentence`
/// does: a word that is not a connector word starts a candidate; connector words after it
/// wait; the next such word either completes a phrase with it (all of them are joined, and
/// the word after starts afresh) or settles the candidate and the waiting words as they are
/// and becomes the new candidate. Words are handed on, as they are settled, to an `emit`
/// that takes each word and whether it is glued to the one before by the delimiter.
pub(super) struct Joiner<'p, T> {
    phrases: &'p FrozenPhrases,
    /// The candidate's first word, with its id where it is the first word of a phrase.
    start: Option<(T, Option<u32>)>,
    /// The connector words since the candidate's first word.
    waiting: Vec<T>,
    between: Between,
}

impl<'p, T: AsRef<str>> Joiner<'p, T> {
    pub fn new(phrases: &'p FrozenPhrases) -> Self {
        Joiner {
            phrases,
            start: None,
            waiting: Vec::new(),
            between: Between::default(),
        }
    }

    /// Takes the sentence's next word.
    pub fn push(&mut self, word: T, emit: &mut impl FnMut(&str, bool)) {
        let phrases = self.phrases;
        if let Some(code) = phrases.connectors.code(word.as_ref()) {
            if self.start.is_some() {
                self.between.push(code);
                self.waiting.push(word);
            } else {
                emit(word.as_ref(), false);
            }
            return;
        }
        let id = phrases.words.id(word.as_ref());
        if let Some((first, first_id)) = self.start.take() {
            let key = match (first_id, id) {
                (Some(a), Some(b)) if self.between.fits() => {
                    Some(phrase_key(a, self.between.packed(), b))
                }
                _ => None,
            };
            let joins = key.is_some_and(|key| phrases.joined.contains_key(&key));
            emit(first.as_ref(), false);
            for waiting in self.waiting.drain(..) {
                emit(waiting.as_ref(), joins);
            }
            self.between = Between::default();
            if joins {
                emit(word.as_ref(), true);
                return;
            }
        }
        self.start = Some((word, id));
    }

    /// Ends the sentence: the words still waiting are settled as they are.
    pub fn finish(&mut self, emit: &mut impl FnMut(&str, bool)) {
        if let Some((first, _)) = self.start.take() {
            emit(first.as_ref(), false);
            for waiting in self.waiting.drain(..) {
                emit(waiting.as_ref(), false);
            }
        }
        self.between = Between::default();
    }
}
