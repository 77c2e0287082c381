//! `Phrases`: the phrases of a corpus file (`vectrain::phrases`), to join in sentences or in
//! another corpus file. The package's Python half subclasses it to take sentences too and to
//! join a whole corpus of them, as gensim's `Phrases` does.

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use vectrain::phrases::{self, PhraseOptions, PhraseScoring};

use crate::errors::from_library;

/// The phrases of a corpus file: pairs of adjacent words scoring above a threshold
/// (word2phrase's score, or npmi), joined by a delimiter.
#[pyclass(frozen, subclass, module = "vectrain._vectrain")]
pub struct Phrases {
    inner: phrases::Phrases,
}

#[pymethods]
impl Phrases {
    /// Counts the words and pairs of `corpus_file` (UTF-8 text or gzip, a sentence a line).
    /// `threshold` defaults to 100 for the default scoring and 0.5 for `"npmi"`.
    #[new]
    #[pyo3(signature = (corpus_file, min_count=5, threshold=None, scoring="default", delimiter="_", threads=None))]
    fn new(
        py: Python<'_>,
        corpus_file: PathBuf,
        min_count: u64,
        threshold: Option<f64>,
        scoring: &str,
        delimiter: &str,
        threads: Option<usize>,
    ) -> PyResult<Phrases> {
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
        let options = PhraseOptions {
            min_count,
            threshold: threshold.unwrap_or(default_threshold),
            scoring,
            delimiter: delimiter.to_string(),
            threads,
            ..PhraseOptions::default()
        };
        let inner = py
            .detach(|| phrases::Phrases::learn(&corpus_file, &options))
            .map_err(from_library)?;
        Ok(Phrases { inner })
    }

    /// One sentence (a list of str) with its phrases joined, left to right.
    fn _join(&self, sentence: Vec<String>) -> Vec<String> {
        self.inner.apply(&sentence)
    }

    /// The score of the pair `word_a word_b`; None where either word is rarer than
    /// `min_count` or the pair never occurs.
    fn score(&self, word_a: &str, word_b: &str) -> Option<f64> {
        self.inner.score(word_a, word_b)
    }

    /// gensim's `export_phrases`: every phrase found, joined by the delimiter, with its
    /// score.
    fn export_phrases(&self) -> HashMap<String, f64> {
        let delimiter = &self.inner.options().delimiter;
        self.inner
            .phrases()
            .into_iter()
            .map(|p| (format!("{}{delimiter}{}", p.first, p.second), p.score))
            .collect()
    }

    /// Writes `corpus_file` to `output` with the phrases joined, a line per line
    /// (atomically), and returns what it did: lines, tokens read, pairs joined.
    fn rewrite<'py>(
        &self,
        py: Python<'py>,
        corpus_file: PathBuf,
        output: PathBuf,
    ) -> PyResult<Bound<'py, PyDict>> {
        let done = py
            .detach(|| self.inner.rewrite(&corpus_file, &output))
            .map_err(from_library)?;
        let summary = PyDict::new(py);
        summary.set_item("lines", done.lines)?;
        summary.set_item("tokens", done.tokens)?;
        summary.set_item("joined", done.phrases)?;
        Ok(summary)
    }

    /// Tokens of the corpus the phrases were learned from (gensim's name).
    #[getter]
    fn corpus_word_count(&self) -> u64 {
        self.inner.tokens()
    }

    /// Words seen fewer times never join.
    #[getter]
    fn min_count(&self) -> u64 {
        self.inner.options().min_count
    }

    /// Pairs scoring above it are joined.
    #[getter]
    fn threshold(&self) -> f64 {
        self.inner.options().threshold
    }

    /// `"default"` or `"npmi"`.
    #[getter]
    fn scoring(&self) -> &'static str {
        match self.inner.options().scoring {
            PhraseScoring::Default => "default",
            PhraseScoring::Npmi => "npmi",
        }
    }

    /// What joins the words of a phrase.
    #[getter]
    fn delimiter(&self) -> String {
        self.inner.options().delimiter.clone()
    }

    fn __len__(&self) -> usize {
        self.inner.phrases().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Phrases: {} phrases from {} tokens, min_count={}, threshold={}, scoring={:?}>",
            self.__len__(),
            self.inner.tokens(),
            self.min_count(),
            self.threshold(),
            self.scoring()
        )
    }
}
