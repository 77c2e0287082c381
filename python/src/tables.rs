//! The arrays `WordVectors` builds for a caller: embedding matrices for a word index, sentence
//! vectors, and the evaluations' reports, each the command line's computation.

use std::path::{Path, PathBuf};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use vectrain::embeddings::Oov;
use vectrain::eval::AnalogyReport;
use vectrain::matrix::{self, EmbeddingMatrix, OovInit, WordIndex};
use vectrain::sentences::{self, Frequencies, Pooling, SifConfig};
use vectrain::subwords::with_unseen_words;
use vectrain::{Embeddings, Error};

use crate::arrays;
use crate::errors::from_library;
use crate::words::WordVectors;

/// Where a word index came from, in messages.
const INDEX_SOURCE: &str = "word2idx";

/// The word index a caller gave: a dict `{word: index}`, a list of words, or a file's path.
pub fn word_index(given: &Bound<'_, PyAny>) -> PyResult<WordIndex> {
    if let Ok(pairs) = given.cast::<PyDict>() {
        // The entry at fault is named: a word that is no str, an index that is no int, or
        // one out of range.
        let pairs: Vec<(String, usize)> = pairs
            .iter()
            .map(|(word, index)| {
                let word: String = word.extract().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "word2idx maps words (str) to indices (int from 0); {} is not a str",
                        repr(&word)
                    ))
                })?;
                let index = match index.extract::<i128>() {
                    Ok(index) if !(0..=matrix::MAX_INDEX as i128).contains(&index) => {
                        return Err(PyValueError::new_err(format!(
                            "word2idx: the index of {word:?} is {index}, not an int from 0 to {}",
                            matrix::MAX_INDEX
                        )));
                    }
                    Ok(index) => index as usize,
                    Err(_) => {
                        return Err(PyTypeError::new_err(format!(
                            "word2idx: the index of {word:?} is {}, not an int",
                            repr(&index)
                        )));
                    }
                };
                Ok((word, index))
            })
            .collect::<PyResult<_>>()?;
        return WordIndex::from_pairs(pairs, Path::new(INDEX_SOURCE)).map_err(from_library);
    }
    if let Ok(path) = given.extract::<PathBuf>() {
        return WordIndex::read(&path).map_err(from_library);
    }
    let words: Vec<String> = given.extract().map_err(|_| {
        PyTypeError::new_err("word2idx is a dict {word: index}, a list of words or a path")
    })?;
    Ok(WordIndex::from_words(words))
}

/// Python's `repr` of `value`, for messages.
fn repr(value: &Bound<'_, PyAny>) -> String {
    value
        .repr()
        .map_or_else(|_| "a value".into(), |text| text.to_string())
}

/// The vectors to look words up in, with the unseen words of `words` given their n-gram
/// vectors under `subword`.
fn with_unseen<'a>(
    vectors: &WordVectors,
    subword: bool,
    words: impl IntoIterator<Item = &'a str>,
) -> Result<Embeddings, Error> {
    match (&vectors.model, subword) {
        (Some(model), true) => {
            Ok(with_unseen_words(vectors.embeddings.clone(), model, words)?.embeddings)
        }
        _ => Ok(vectors.embeddings.clone()),
    }
}

/// Whether unknown words get n-gram vectors: `oov` "subword", or by default where the
/// vectors have subwords; refused where they have none.
fn subword_policy(vectors: &WordVectors, oov: Option<&str>) -> PyResult<bool> {
    match (oov, vectors.model.is_some()) {
        (Some("subword"), false) => Err(PyValueError::new_err(
            "these vectors have no n-gram vectors (only a subword model has them): oov=\"subword\" cannot apply",
        )),
        (Some(other), _) => Ok(other == "subword"),
        (None, has_model) => Ok(has_model),
    }
}

/// The embedding matrix of `index`.
pub fn matrix(
    vectors: &WordVectors,
    index: &WordIndex,
    oov: Option<&str>,
    seed: u64,
) -> PyResult<EmbeddingMatrix> {
    let subword = subword_policy(vectors, oov)?;
    let init = match oov {
        None | Some("zeros" | "subword") => OovInit::Zeros,
        Some("random") => OovInit::Random { seed },
        Some("mean") => OovInit::Mean,
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "oov={other:?}: one of \"subword\", \"zeros\", \"random\", \"mean\""
            )));
        }
    };
    let emb = with_unseen(vectors, subword, index.slots().flatten()).map_err(from_library)?;
    matrix::build(&emb, index, init).map_err(from_library)
}

/// What `WordVectors.sentences` was asked for.
pub struct SentenceRequest {
    pooling: Pooling,
    sequence: bool,
    oov: Option<Oov>,
    subword: Option<bool>,
}

impl SentenceRequest {
    /// The request of the call's arguments; refuses names it does not know.
    pub fn new(
        pool: &str,
        sequence: bool,
        oov: Option<&str>,
        sif_a: f64,
        frequencies: &str,
    ) -> PyResult<SentenceRequest> {
        let frequencies = match frequencies {
            "zipf" => Frequencies::Zipf,
            "counts" => Frequencies::Counts,
            other => {
                return Err(PyValueError::new_err(format!(
                    "frequencies={other:?}: \"zipf\" or \"counts\""
                )));
            }
        };
        let pooling = match pool {
            "mean" => Pooling::Mean,
            "max" => Pooling::Max,
            "sif" => Pooling::Sif(SifConfig {
                a: sif_a,
                frequencies,
                ..SifConfig::default()
            }),
            other => {
                return Err(PyValueError::new_err(format!(
                    "pool={other:?}: \"mean\", \"max\" or \"sif\""
                )));
            }
        };
        let (oov, subword) = match oov {
            None => (None, None),
            Some("subword") => (Some(Oov::Zeros), Some(true)),
            Some("skip") => (Some(Oov::Skip), Some(false)),
            Some("zeros") => (Some(Oov::Zeros), Some(false)),
            Some("mean") => (Some(Oov::Mean), Some(false)),
            Some("error") => (Some(Oov::Error), Some(false)),
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "oov={other:?}: one of \"skip\", \"zeros\", \"mean\", \"error\", \"subword\""
                )));
            }
        };
        Ok(SentenceRequest {
            pooling,
            sequence,
            oov,
            subword,
        })
    }
}

/// Sentence vectors: pooled rows, or per-token rows with their mask.
pub enum SentenceVectors {
    /// `[sentences, dim]`.
    Pooled(sentences::Pooled),
    /// `[sentences, longest, dim]` and the mask.
    Sequences(sentences::Sequences),
}

/// The vectors of `batch` as `request` asks.
pub fn sentences(
    vectors: &WordVectors,
    batch: &[Vec<String>],
    request: &SentenceRequest,
) -> PyResult<SentenceVectors> {
    let subword = match request.subword {
        Some(true) => subword_policy(vectors, Some("subword"))?,
        Some(false) => false,
        None => vectors.model.is_some(),
    };
    // Under subword, the words still unknown have no n-gram and get zeros, as in fastText.
    let oov = request
        .oov
        .unwrap_or(if subword { Oov::Zeros } else { Oov::Skip });
    let words = batch.iter().flat_map(|s| s.iter().map(String::as_str));
    let emb = with_unseen(vectors, subword, words).map_err(from_library)?;
    if request.sequence {
        return sentences::sequences(&emb, batch, oov)
            .map(SentenceVectors::Sequences)
            .map_err(from_library);
    }
    sentences::pool(&emb, batch, &request.pooling, oov)
        .map(SentenceVectors::Pooled)
        .map_err(from_library)
}

/// The arrays of `vectors`: one array, or with sequences a tuple of the array and its mask.
pub fn sentence_arrays(py: Python<'_>, vectors: SentenceVectors) -> PyResult<Py<PyAny>> {
    match vectors {
        SentenceVectors::Pooled(pooled) => {
            Ok(arrays::matrix(py, pooled.rows, pooled.dim, pooled.data)?
                .into_any()
                .unbind())
        }
        SentenceVectors::Sequences(seq) => {
            let shape = [seq.batch, seq.max_len, seq.dim];
            let values = arrays::cube(py, shape, seq.data)?;
            let mask = arrays::matrix(py, seq.batch, seq.max_len, seq.mask)?;
            Ok((values, mask).into_pyobject(py)?.into_any().unbind())
        }
    }
}

/// gensim's `(score, sections)` of an analogy report.
pub fn analogy_sections<'py>(
    py: Python<'py>,
    report: &AnalogyReport,
) -> PyResult<(f64, Vec<Bound<'py, PyDict>>)> {
    let section = |name: &str, correct: usize, incorrect: usize| -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("section", name)?;
        dict.set_item("correct", correct)?;
        dict.set_item("incorrect", incorrect)?;
        Ok(dict)
    };
    let mut sections = report
        .sections
        .iter()
        .map(|s| section(&s.name, s.correct, s.incorrect))
        .collect::<PyResult<Vec<_>>>()?;
    sections.push(section(
        "Total accuracy",
        report.correct,
        report.incorrect(),
    )?);
    Ok((report.accuracy(), sections))
}
