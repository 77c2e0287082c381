//! `Phrases`: the phrases of a corpus file (`vectrain::phrases`), or of a phrase file saved
//! earlier, to join in sentences or in another corpus file. The package's Python half
//! subclasses it to take sentences too, to join a whole corpus of them, and to pickle, as
//! gensim's `Phrases` does.

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet};
use vectrain::phrases::{self, FrozenPhrases, Phrase, PhraseOptions, PhraseScoring};

use crate::errors::from_library;

/// One phrase as Python keeps it: `(words, score, count)`, its words in order (the first,
/// any connector words, the second).
type PhraseTuple = (Vec<String>, f64, u64);

/// The phrases of a corpus file: pairs of adjacent words scoring above a threshold
/// (word2phrase's score, or npmi), joined by a delimiter; or phrases read back.
#[pyclass(frozen, subclass, module = "vectrain._vectrain")]
pub struct Phrases {
    /// The counts that found the phrases, where they were found here.
    learned: Option<phrases::Phrases>,
    frozen: FrozenPhrases,
}

#[pymethods]
impl Phrases {
    /// Counts the words and pairs of `corpus_file` (UTF-8 text or gzip, a sentence a line);
    /// or without it reads the phrase file `phrase_file`, or takes `phrases`
    /// (`(words, score, count)` tuples). `threshold` defaults to 100 for the default
    /// scoring and 0.5 for `"npmi"`; `connector_words` may stand inside a phrase.
    #[new]
    #[pyo3(signature = (corpus_file=None, min_count=5, threshold=None, scoring="default", delimiter="_", threads=None, phrase_file=None, phrases=None, connector_words=Vec::new()))]
    #[allow(clippy::too_many_arguments)] // Python's keywords, as gensim names them.
    fn new(
        py: Python<'_>,
        corpus_file: Option<PathBuf>,
        min_count: u64,
        threshold: Option<f64>,
        scoring: &str,
        delimiter: &str,
        threads: Option<usize>,
        phrase_file: Option<PathBuf>,
        phrases: Option<Vec<PhraseTuple>>,
        connector_words: Vec<String>,
    ) -> PyResult<Phrases> {
        let frozen = match (corpus_file, phrase_file, phrases) {
            (Some(corpus_file), None, None) => {
                let mut options = options(min_count, threshold, scoring, delimiter, threads)?;
                options.connectors = connector_words;
                let learned = py
                    .detach(|| phrases::Phrases::learn(&corpus_file, &options))
                    .map_err(from_library)?;
                return Ok(Phrases {
                    frozen: learned.frozen().clone(),
                    learned: Some(learned),
                });
            }
            (None, Some(path), None) => FrozenPhrases::read(&path, delimiter),
            (None, None, Some(list)) => {
                let mut phrases = Vec::with_capacity(list.len());
                for (mut words, score, count) in list {
                    if words.len() < 2 {
                        return Err(PyValueError::new_err(format!(
                            "a phrase has two words or more, not {words:?}"
                        )));
                    }
                    let second = words.pop().unwrap_or_default();
                    let first = words.remove(0);
                    phrases.push(Phrase {
                        first,
                        between: words,
                        second,
                        count,
                        score,
                    });
                }
                FrozenPhrases::new(phrases, delimiter, &connector_words)
            }
            _ => {
                return Err(PyTypeError::new_err(
                    "Phrases takes one of corpus_file, phrase_file and phrases",
                ));
            }
        };
        Ok(Phrases {
            learned: None,
            frozen: frozen.map_err(from_library)?,
        })
    }

    /// One sentence (a list of str) with its phrases joined, left to right.
    fn _join(&self, sentence: Vec<String>) -> Vec<String> {
        self.frozen.apply(&sentence)
    }

    /// Every phrase as `(words, score, count)`, highest score first.
    fn _phrase_list(&self) -> Vec<PhraseTuple> {
        self.frozen
            .phrases()
            .into_iter()
            .map(|p| (words_of(p.first, p.between, p.second), p.score, p.count))
            .collect()
    }

    /// The score of the pair `word_a word_b`: from the counts, where the phrases were found
    /// here (None where either word is rarer than `min_count` or the pair never occurs); else
    /// the score a phrase was saved with (None for a pair that is not one).
    fn score(&self, word_a: &str, word_b: &str) -> Option<f64> {
        match &self.learned {
            Some(learned) => learned.score(word_a, word_b),
            None => self.frozen.score(word_a, word_b),
        }
    }

    /// gensim's `export_phrases`: every phrase, joined by the delimiter, with its score.
    fn export_phrases(&self) -> HashMap<String, f64> {
        let delimiter = self.frozen.delimiter();
        self.frozen
            .phrases()
            .into_iter()
            .map(|p| {
                (
                    words_of(p.first, p.between, p.second).join(delimiter),
                    p.score,
                )
            })
            .collect()
    }

    /// Writes `corpus_file` to `output` with the phrases joined, a line per line
    /// (atomically), and returns what it did: lines, tokens read, pairs joined.
    #[pyo3(signature = (corpus_file, output, threads=None))]
    fn rewrite<'py>(
        &self,
        py: Python<'py>,
        corpus_file: PathBuf,
        output: PathBuf,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        if threads == Some(0) {
            return Err(PyValueError::new_err("threads must be at least 1"));
        }
        let done = py
            .detach(|| self.frozen.rewrite(&corpus_file, &output, threads, None))
            .map_err(from_library)?;
        let summary = PyDict::new(py);
        summary.set_item("lines", done.lines)?;
        summary.set_item("tokens", done.tokens)?;
        summary.set_item("joined", done.joined)?;
        Ok(summary)
    }

    /// Writes the phrase file (`first second score count` lines, highest score first) that
    /// `Phrases.load` and `vectrain phrases --phrases-from` read.
    fn _save(&self, path: PathBuf) -> PyResult<()> {
        self.frozen.write(&path).map_err(from_library)
    }

    /// Tokens of the corpus the phrases were found in (gensim's name); None for phrases
    /// read back.
    #[getter]
    fn corpus_word_count(&self) -> Option<u64> {
        self.learned.as_ref().map(|l| l.tokens())
    }

    /// Words seen fewer times never join; None for phrases read back.
    #[getter]
    fn min_count(&self) -> Option<u64> {
        self.learned.as_ref().map(|l| l.options().min_count)
    }

    /// Pairs scoring above it are joined; None for phrases read back.
    #[getter]
    fn threshold(&self) -> Option<f64> {
        self.learned.as_ref().map(|l| l.options().threshold)
    }

    /// `"default"` or `"npmi"`; None for phrases read back.
    #[getter]
    fn scoring(&self) -> Option<&'static str> {
        self.learned.as_ref().map(|l| match l.options().scoring {
            PhraseScoring::Default => "default",
            PhraseScoring::Npmi => "npmi",
        })
    }

    /// What joins the words of a phrase.
    #[getter]
    fn delimiter(&self) -> String {
        self.frozen.delimiter().to_string()
    }

    /// The words that may stand inside a phrase (gensim's name), as a frozenset.
    #[getter]
    fn connector_words<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.frozen.connectors())
    }

    fn __len__(&self) -> usize {
        self.frozen.len()
    }

    fn __repr__(&self) -> String {
        match &self.learned {
            Some(learned) => format!(
                "<Phrases: {} phrases from {} tokens, min_count={}, threshold={}, scoring={:?}>",
                self.frozen.len(),
                learned.tokens(),
                learned.options().min_count,
                learned.options().threshold,
                self.scoring().unwrap_or_default()
            ),
            None => format!("<Phrases: {} phrases>", self.frozen.len()),
        }
    }
}

/// gensim's `ENGLISH_CONNECTOR_WORDS`, which the package's `ENGLISH_CONNECTOR_WORDS` holds.
#[pyfunction]
pub fn english_connector_words() -> Vec<&'static str> {
    phrases::ENGLISH_CONNECTOR_WORDS.to_vec()
}

/// A phrase's words in order.
fn words_of(first: String, between: Vec<String>, second: String) -> Vec<String> {
    let mut words = Vec::with_capacity(between.len() + 2);
    words.push(first);
    words.extend(between);
    words.push(second);
    words
}

/// The options of `Phrases(corpus_file, ...)`, checked.
fn options(
    min_count: u64,
    threshold: Option<f64>,
    scoring: &str,
    delimiter: &str,
    threads: Option<usize>,
) -> PyResult<PhraseOptions> {
    let (scoring, default_threshold) = match scoring {
        "default" => (PhraseScoring::Default, 100.0),
        "npmi" => (PhraseScoring::Npmi, 0.5),
        other => {
            return Err(PyValueError::new_err(format!(
                "scoring is \"default\" or \"npmi\", not {other:?}"
            )));
        }
    };
    if threads == Some(0) {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    Ok(PhraseOptions {
        min_count,
        threshold: threshold.unwrap_or(default_threshold),
        scoring,
        delimiter: delimiter.to_string(),
        threads,
        ..PhraseOptions::default()
    })
}
