//! Similarity queries of `WordVectors`: terms given as words or vectors, an unseen word taking
//! its n-gram vector where the vectors have subwords, as gensim's FastText vectors do.

use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use vectrain::Error;
use vectrain::embeddings::{AnalogyMethod, Query};

use crate::words::WordVectors;

/// One term of a query, as Python gave it.
pub enum Term {
    /// A word.
    Word(String),
    /// A vector of `vector_size` values.
    Vector(Vec<f32>),
}

/// The terms of `given`: nothing, a word, or a list of words and vectors.
pub fn terms(given: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Term>> {
    let Some(given) = given.filter(|g| !g.is_none()) else {
        return Ok(Vec::new());
    };
    if let Some(word) = word_of(given)? {
        return Ok(vec![Term::Word(word)]);
    }
    let items: Vec<Bound<'_, PyAny>> = given
        .extract()
        .map_err(|_| PyTypeError::new_err("terms are a word, or a list of words and vectors"))?;
    items
        .iter()
        .map(|item| {
            if let Some(word) = word_of(item)? {
                return Ok(Term::Word(word));
            }
            item.extract::<Vec<f32>>()
                .map(Term::Vector)
                .map_err(|_| PyTypeError::new_err("a term is a word or a vector of floats"))
        })
        .collect()
}

/// `given` as a word where it is a str; a str that is no UTF-8 (a lone surrogate) is a
/// word no vocabulary holds, a `KeyError` as for any unknown word.
pub fn word_of(given: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if let Ok(word) = given.extract::<String>() {
        return Ok(Some(word));
    }
    if given.is_instance_of::<PyString>() {
        let message = format!("word {} is not in the vocabulary", given.repr()?);
        return Err(PyKeyError::new_err(message));
    }
    Ok(None)
}

/// `given` as the word a call needs: a str (one with a lone surrogate is a word no vocabulary
/// holds, a `KeyError`), anything else a `TypeError`.
pub fn word_arg(given: &Bound<'_, PyAny>) -> PyResult<String> {
    word_of(given)?.ok_or_else(|| {
        let kind = given
            .get_type()
            .name()
            .map_or_else(|_| "?".into(), |n| n.to_string());
        PyTypeError::new_err(format!("expected a word (str), not {kind}"))
    })
}

/// The items of the list of words `given`, each as `word_arg` takes it.
pub fn word_list(given: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    items(given)?.iter().map(word_arg).collect()
}

/// The items of the list of words `given`, `None` for a str with a lone surrogate (a word no
/// vocabulary holds), for the calls that leave unknown words out.
pub fn lenient_word_list(given: &Bound<'_, PyAny>) -> PyResult<Vec<Option<String>>> {
    items(given)?
        .iter()
        .map(|item| match word_of(item) {
            Ok(Some(word)) => Ok(Some(word)),
            Err(_) => Ok(None),
            Ok(None) => word_arg(item).map(Some),
        })
        .collect()
}

/// The items of a list (or any sequence but a str, which would be taken letter by letter).
fn items<'py>(given: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if given.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "expected a list of words, not a str: [\"word\"]",
        ));
    }
    given
        .extract()
        .map_err(|_| PyTypeError::new_err("expected a list of words"))
}

/// `terms` as the library's queries: words of the vocabulary as words (their rows left out
/// of the answers), unseen words as their n-gram vectors from `unseen`.
fn queries<'t>(terms: &'t [Term], unseen: &'t [Option<Vec<f32>>]) -> Vec<Query<'t>> {
    terms
        .iter()
        .zip(unseen)
        .map(|(term, unseen)| match (term, unseen) {
            (_, Some(vector)) => Query::Vector(vector),
            (Term::Word(word), None) => Query::Word(word),
            (Term::Vector(vector), None) => Query::Vector(vector),
        })
        .collect()
}

/// For each term, the n-gram vector of an unseen word (where the vectors have subwords).
fn unseen_vectors(vectors: &WordVectors, terms: &[Term]) -> Result<Vec<Option<Vec<f32>>>, Error> {
    terms
        .iter()
        .map(|term| match term {
            Term::Word(word)
                if vectors.model.is_some() && vectors.embeddings.get(word).is_none() =>
            {
                vectors.vector_of(word).map(Some)
            }
            _ => Ok(None),
        })
        .collect()
}

/// What a similarity query asks for (gensim's `topn` and `restrict_vocab`).
pub struct Search {
    /// The best answers wanted, or `None` for every row's score.
    pub topn: Option<usize>,
    /// The rows searched: the first ones, the most frequent words.
    pub rows: usize,
    /// 3CosAdd (gensim's `most_similar`) or 3CosMul (`most_similar_cosmul`).
    pub method: AnalogyMethod,
}

/// A similarity query's answer.
pub enum Answer {
    /// The best words, best first, the query's own words left out.
    Best(Vec<(String, f32)>),
    /// Every searched row's score, by row.
    Scores(Vec<f32>),
}

/// The answer to `positive` minus `negative` for `search`.
pub fn most_similar(
    vectors: &WordVectors,
    positive: &[Term],
    negative: &[Term],
    search: &Search,
) -> Result<Answer, Error> {
    let (unseen_positive, unseen_negative) = (
        unseen_vectors(vectors, positive)?,
        unseen_vectors(vectors, negative)?,
    );
    let positive = queries(positive, &unseen_positive);
    let negative = queries(negative, &unseen_negative);
    let emb = &vectors.embeddings;
    let (method, rows) = (search.method, search.rows);
    let Some(topn) = search.topn else {
        let scores = emb.similarity_scores(&positive, &negative, method, rows)?;
        return Ok(Answer::Scores(scores));
    };
    let answers = emb.most_similar_among(&positive, &negative, method, topn, &[], rows)?;
    Ok(Answer::Best(
        answers
            .into_iter()
            .map(|n| (n.word.to_string(), n.score))
            .collect(),
    ))
}

/// The cosine of two words' vectors; unseen words take their n-gram vectors.
pub fn similarity(vectors: &WordVectors, a: &str, b: &str) -> Result<f32, Error> {
    let emb = &vectors.embeddings;
    if emb.get(a).is_some() && emb.get(b).is_some() {
        return emb.similarity(a, b);
    }
    let (mut a, mut b) = (vectors.vector_of(a)?, vectors.vector_of(b)?);
    normalize(&mut a);
    normalize(&mut b);
    Ok(a.iter().zip(&b).map(|(x, y)| x * y).sum())
}

/// `vector` scaled to unit length (left alone when zero).
pub fn normalize(vector: &mut [f32]) {
    let norm = vector
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 {
        for x in vector {
            *x = (f64::from(*x) / norm) as f32;
        }
    }
}
