//! gensim's other `KeyedVectors` comparisons as methods of `Vectors` (nearest words by word or
//! vector, distances, ranks, means, the odd one out), with gensim's handling of words: an
//! unseen word takes its n-gram vector where the vectors have subwords, and the calls that
//! gensim lets skip unknown words skip them here too.

use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError, PyZeroDivisionError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use vectrain::Error;
use vectrain::embeddings::compare as library;

use crate::arrays;
use crate::errors::from_library;
use crate::queries::{self, Term};
use crate::vectors::Vectors;
use crate::words::WordVectors;

/// gensim's other `KeyedVectors` comparisons, as methods of `Vectors`.
#[pymethods]
impl Vectors {
    /// The `topn` words nearest `word`, itself left out (gensim's `similar_by_word`), with
    /// `most_similar`'s `topn` and `restrict_vocab`.
    #[pyo3(signature = (word, topn=Some(10), restrict_vocab=None))]
    fn similar_by_word(
        &self,
        py: Python<'_>,
        word: &Bound<'_, PyString>,
        topn: Option<i64>,
        restrict_vocab: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let terms = (vec![Term::Word(queries::word_arg(word)?)], Vec::new());
        self.similar(py, terms, topn, restrict_vocab, false)
    }

    /// gensim's `similar_by_key`: `similar_by_word`.
    #[pyo3(signature = (key, topn=Some(10), restrict_vocab=None))]
    fn similar_by_key(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyString>,
        topn: Option<i64>,
        restrict_vocab: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.similar_by_word(py, key, topn, restrict_vocab)
    }

    /// The `topn` words nearest `vector` (gensim's `similar_by_vector`), with
    /// `most_similar`'s `topn` and `restrict_vocab`.
    #[pyo3(signature = (vector, topn=Some(10), restrict_vocab=None))]
    fn similar_by_vector(
        &self,
        py: Python<'_>,
        vector: &Bound<'_, PyAny>,
        topn: Option<i64>,
        restrict_vocab: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let vector = PyList::new(py, [vector])?;
        let terms = (queries::terms(Some(vector.as_any()))?, Vec::new());
        self.similar(py, terms, topn, restrict_vocab, false)
    }

    /// 1 − the cosine similarity of two words (gensim's `distance`).
    fn distance(&self, w1: &Bound<'_, PyAny>, w2: &Bound<'_, PyAny>) -> PyResult<f32> {
        Ok(1.0 - self.similarity(w1, w2)?)
    }

    /// 1 − cosine from a word or a vector to each of `other_words`, or to every word of the
    /// vocabulary in row order when `other_words` is empty or None (gensim's `distances`); a
    /// float32 array, NaN for a row of norm zero as in gensim.
    #[pyo3(signature = (word_or_vector, other_words=None))]
    fn distances<'py>(
        &self,
        py: Python<'py>,
        word_or_vector: &Bound<'py, PyAny>,
        other_words: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let other_words = match other_words {
            Some(words) => queries::word_list(words)?,
            None => Vec::new(),
        };
        let distances = distances(&self.words, word_or_vector, &other_words)?;
        Ok(arrays::vector(py, distances))
    }

    /// The words closer to `key1` than `key2` is, in row order, `key1` left out (gensim's
    /// `closer_than`); both are words of the vocabulary.
    fn closer_than(
        &self,
        py: Python<'_>,
        key1: &Bound<'_, PyAny>,
        key2: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<String>> {
        let (key1, key2) = (queries::word_arg(key1)?, queries::word_arg(key2)?);
        let emb = &self.words.embeddings;
        py.detach(|| emb.closer_than(&key1, &key2))
            .map(|words| words.into_iter().map(str::to_string).collect())
            .map_err(from_library)
    }

    /// Where `key2` comes among the words nearest `key1`, from 1 (gensim's `rank`).
    fn rank(
        &self,
        py: Python<'_>,
        key1: &Bound<'_, PyAny>,
        key2: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let (key1, key2) = (queries::word_arg(key1)?, queries::word_arg(key2)?);
        let emb = &self.words.embeddings;
        py.detach(|| emb.rank(&key1, &key2)).map_err(from_library)
    }

    /// The cosine of the mean vectors of two lists of words (gensim's `n_similarity`).
    fn n_similarity(&self, ws1: &Bound<'_, PyAny>, ws2: &Bound<'_, PyAny>) -> PyResult<f32> {
        let (ws1, ws2) = (
            queries::lenient_word_list(ws1)?,
            queries::lenient_word_list(ws2)?,
        );
        n_similarity(&self.words, &ws1, &ws2)
    }

    /// The word of `words` furthest from the centroid of their unit vectors (gensim's
    /// `doesnt_match`); words without a vector are left out. Of two words, which is further
    /// is a matter of rounding (both cosines are equal in exact arithmetic).
    fn doesnt_match(&self, words: &Bound<'_, PyAny>) -> PyResult<String> {
        let words = queries::lenient_word_list(words)?;
        let ranked = rank_by_centrality(&self.words, &words, true)?;
        Ok(ranked.last().map(|(_, w)| w.clone()).unwrap_or_default())
    }

    /// `[(cosine with the centroid, word), ...]`, nearest the centroid first (gensim's
    /// `rank_by_centrality`); words without a vector are left out.
    #[pyo3(signature = (words, use_norm=true))]
    fn rank_by_centrality(
        &self,
        words: &Bound<'_, PyAny>,
        use_norm: bool,
    ) -> PyResult<Vec<(f32, String)>> {
        let words = queries::lenient_word_list(words)?;
        rank_by_centrality(&self.words, &words, use_norm)
    }

    /// The word of `keys_list` most similar to `key1` (gensim's `most_similar_to_given`).
    fn most_similar_to_given(
        &self,
        key1: &Bound<'_, PyAny>,
        keys_list: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let (key1, keys_list) = (queries::word_arg(key1)?, queries::word_list(keys_list)?);
        most_similar_to_given(&self.words, &key1, &keys_list)
    }

    /// The weighted mean of `keys`, words and vectors (gensim's `get_mean_vector`): words
    /// by their unit vectors with `pre_normalize`, vectors as given; `Σ wᵢ vᵢ / Σ |wᵢ|`, of
    /// unit length with `post_normalize`. Unknown words are left out with `ignore_missing`,
    /// else a `KeyError`.
    #[pyo3(signature = (keys, weights=None, pre_normalize=true, post_normalize=false, ignore_missing=true))]
    fn get_mean_vector<'py>(
        &self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
        weights: Option<Vec<f32>>,
        pre_normalize: bool,
        post_normalize: bool,
        ignore_missing: bool,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let request = MeanRequest {
            pre_normalize,
            post_normalize,
            ignore_missing,
        };
        let mean = mean_vector(&self.words, keys, weights, &request)?;
        Ok(arrays::vector(py, mean))
    }

    /// Every row divided by its norm, a new `[words, vector_size]` float32 array (gensim's
    /// `get_normed_vectors`; a row of norm zero stays zero, where gensim gives NaN).
    fn get_normed_vectors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let emb = &self.words.embeddings;
        let unit = py.detach(|| emb.normalized().to_vec());
        arrays::matrix(py, emb.len(), emb.dim(), unit)
    }

    /// The cosine of `vector_1` with each row of `vectors_all` (gensim's static
    /// `cosine_similarities`): NaN where a norm is zero.
    #[staticmethod]
    fn cosine_similarities<'py>(
        py: Python<'py>,
        vector_1: &Bound<'py, PyAny>,
        vectors_all: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let cosines = cosine_similarities(py, vector_1, vectors_all)?;
        Ok(arrays::vector(py, cosines))
    }
}

/// The vector of `word`, of unit length with `norm` (gensim's `get_vector`).
pub fn vector_of(vectors: &WordVectors, word: &str, norm: bool) -> Result<Vec<f32>, Error> {
    let mut vector = vectors.vector_of(word)?;
    if norm {
        queries::normalize(&mut vector);
    }
    Ok(vector)
}

/// The vectors of the `words` that have one, unknown words (and `None`, a str no vocabulary
/// holds) left out, as gensim's `get_mean_vector` and `rank_by_centrality` leave them.
fn known<'w>(
    vectors: &WordVectors,
    words: &'w [Option<String>],
    norm: bool,
) -> Vec<(&'w str, Vec<f32>)> {
    words
        .iter()
        .flatten()
        .filter_map(|w| vector_of(vectors, w, norm).ok().map(|v| (w.as_str(), v)))
        .collect()
}

/// `given` as a vector of `dim` values (gensim's terms given as arrays).
fn vector_given(given: &Bound<'_, PyAny>, dim: usize) -> PyResult<Vec<f32>> {
    let vector: Vec<f32> = given
        .extract()
        .map_err(|_| PyTypeError::new_err("expected a word (str) or a vector of floats"))?;
    if vector.len() != dim {
        return Err(PyValueError::new_err(format!(
            "a vector of {} values, the vectors have {dim}",
            vector.len()
        )));
    }
    Ok(vector)
}

/// gensim's `distances`: 1 − cosine from a word or a vector to each of `other_words` (words
/// of the vocabulary), or to every word when there is none.
pub fn distances(
    vectors: &WordVectors,
    word_or_vector: &Bound<'_, PyAny>,
    other_words: &[String],
) -> PyResult<Vec<f32>> {
    let emb = &vectors.embeddings;
    let from = match queries::word_of(word_or_vector)? {
        Some(word) => vectors.vector_of(&word).map_err(from_library)?,
        None => vector_given(word_or_vector, emb.dim())?,
    };
    if other_words.is_empty() {
        return emb.distances(&from).map_err(from_library);
    }
    let mut rows = Vec::with_capacity(other_words.len() * emb.dim());
    for word in other_words {
        rows.extend_from_slice(emb.row(emb.id(word).map_err(from_library)?));
    }
    let cosines = library::cosine_similarities(&from, &rows).map_err(from_library)?;
    Ok(cosines.into_iter().map(|c| 1.0 - c).collect())
}

/// gensim's `cosine_similarities`: the cosine of `vector` with each row of `rows`, both
/// anything numpy takes as float32 arrays (read in place where they already are).
pub fn cosine_similarities(
    py: Python<'_>,
    vector: &Bound<'_, PyAny>,
    rows: &Bound<'_, PyAny>,
) -> PyResult<Vec<f32>> {
    let numpy = py.import("numpy")?;
    let vector = numpy.call_method1("ascontiguousarray", (vector, "float32"))?;
    let rows = numpy.call_method1("ascontiguousarray", (rows, "float32"))?;
    let vector: PyReadonlyArray1<'_, f32> = vector
        .extract()
        .map_err(|_| PyValueError::new_err("vector_1 is one vector (a 1-D array)"))?;
    let rows: PyReadonlyArray2<'_, f32> = rows
        .extract()
        .map_err(|_| PyValueError::new_err("vectors_all is a 2-D array, a vector a row"))?;
    let (dim, cols) = (vector.len(), rows.shape()[1]);
    if cols != dim {
        return Err(PyValueError::new_err(format!(
            "rows of {cols} values against a vector of {dim}"
        )));
    }
    let (vector, rows) = (vector.as_slice()?, rows.as_slice()?);
    py.detach(|| library::cosine_similarities(vector, rows))
        .map_err(from_library)
}

/// gensim's `n_similarity`: the cosine of the two lists' mean vectors, words without a vector
/// left out (a side with none has the zero vector, cosine 0); an empty list is a
/// `ZeroDivisionError`, as in gensim.
pub fn n_similarity(
    vectors: &WordVectors,
    a: &[Option<String>],
    b: &[Option<String>],
) -> PyResult<f32> {
    if a.is_empty() || b.is_empty() {
        return Err(PyZeroDivisionError::new_err(
            "At least one of the passed list is empty.",
        ));
    }
    let (a, b) = (known(vectors, a, false), known(vectors, b, false));
    if a.is_empty() || b.is_empty() {
        return Ok(0.0);
    }
    let a: Vec<&[f32]> = a.iter().map(|(_, v)| v.as_slice()).collect();
    let b: Vec<&[f32]> = b.iter().map(|(_, v)| v.as_slice()).collect();
    library::n_similarity(&a, &b).map_err(from_library)
}

/// gensim's `rank_by_centrality`: `(cosine with the centroid, word)`, best first, words
/// without a vector left out; none left is a `ValueError`.
pub fn rank_by_centrality(
    vectors: &WordVectors,
    words: &[Option<String>],
    use_norm: bool,
) -> PyResult<Vec<(f32, String)>> {
    let named = known(vectors, words, false);
    let named: Vec<(&str, &[f32])> = named.iter().map(|(w, v)| (*w, v.as_slice())).collect();
    let ranked = library::rank_by_centrality(&named, use_norm).map_err(from_library)?;
    Ok(ranked
        .into_iter()
        .map(|(c, w)| (c, w.to_string()))
        .collect())
}

/// gensim's `most_similar_to_given`: the word of `candidates` most similar to `word`, the
/// first of equals.
pub fn most_similar_to_given(
    vectors: &WordVectors,
    word: &str,
    candidates: &[String],
) -> PyResult<String> {
    let mut best: Option<(f32, &String)> = None;
    for candidate in candidates {
        let cosine = queries::similarity(vectors, word, candidate).map_err(from_library)?;
        if best.is_none_or(|(b, _)| cosine > b) {
            best = Some((cosine, candidate));
        }
    }
    best.map(|(_, w)| w.clone())
        .ok_or_else(|| PyValueError::new_err("attempt to get argmax of an empty sequence"))
}

/// How `get_mean_vector` treats its keys (gensim's keywords).
pub struct MeanRequest {
    /// Each word's unit vector rather than its vector.
    pub pre_normalize: bool,
    /// The mean made of unit length.
    pub post_normalize: bool,
    /// Unknown words left out rather than a `KeyError`.
    pub ignore_missing: bool,
}

/// gensim's `get_mean_vector`: the weighted mean of words (their vectors, or unit vectors with
/// `pre_normalize`) and vectors (as given).
pub fn mean_vector(
    vectors: &WordVectors,
    keys: &Bound<'_, PyAny>,
    weights: Option<Vec<f32>>,
    request: &MeanRequest,
) -> PyResult<Vec<f32>> {
    let keys: Vec<Bound<'_, PyAny>> = match queries::word_of(keys) {
        Ok(Some(_)) | Err(_) => vec![keys.clone()],
        Ok(None) => keys
            .extract()
            .map_err(|_| PyTypeError::new_err("keys are a list of words and vectors"))?,
    };
    if keys.is_empty() {
        return Err(PyValueError::new_err("cannot compute mean with no input"));
    }
    let weights = weights.unwrap_or_else(|| vec![1.0; keys.len()]);
    if weights.len() != keys.len() {
        return Err(PyValueError::new_err(
            "keys and weights array must have same number of elements",
        ));
    }
    let dim = vectors.embeddings.dim();
    let (mut used, mut used_weights) = (Vec::new(), Vec::new());
    for (key, &weight) in keys.iter().zip(&weights) {
        let vector = match queries::word_of(key) {
            Ok(None) => vector_given(key, dim)?,
            Ok(Some(word)) => match vector_of(vectors, &word, request.pre_normalize) {
                Ok(vector) => vector,
                Err(Error::UnknownWord(_)) if request.ignore_missing => continue,
                Err(Error::UnknownWord(_)) => {
                    let message = format!("Key '{word}' not present in vocabulary");
                    return Err(PyKeyError::new_err(message));
                }
                Err(error) => return Err(from_library(error)),
            },
            // A str no vocabulary holds (a lone surrogate).
            Err(_) if request.ignore_missing => continue,
            Err(error) => return Err(error),
        };
        used.push(vector);
        used_weights.push(weight);
    }
    if used.is_empty() {
        return Ok(vec![0.0; dim]);
    }
    let rows: Vec<&[f32]> = used.iter().map(Vec::as_slice).collect();
    library::mean_vector(&rows, Some(&used_weights), request.post_normalize).map_err(from_library)
}
