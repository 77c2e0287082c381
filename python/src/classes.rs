//! Word classes (k-means, word2vec.c's `-classes`) as a method of `Vectors`.

use numpy::PyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use vectrain::embeddings::ClassOptions;
use vectrain::embeddings::classes::DEFAULT_ITERATIONS;

use crate::errors::from_library;
use crate::vectors::Vectors;

#[pymethods]
impl Vectors {
    /// The class of every word, in `index_to_key` order, from spherical k-means over the
    /// unit vectors with k-means++ first centroids (`vectrain classes`): a numpy array of
    /// `classes` labels. `iterations` bounds the passes, `seed` picks the first centroids,
    /// `threads` defaults to every core. The GIL is released while it runs.
    #[pyo3(signature = (classes, iterations=DEFAULT_ITERATIONS as i64, seed=1, threads=None))]
    fn word_classes<'py>(
        &self,
        py: Python<'py>,
        classes: i64,
        iterations: i64,
        seed: u32,
        threads: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let mut options = ClassOptions::new(count("classes", classes)?);
        options.iterations = count("iterations", iterations)?;
        options.seed = seed;
        if let Some(threads) = threads {
            options.threads = count("threads", threads)?;
        }
        let emb = &self.words.embeddings;
        let found = py
            .detach(|| emb.word_classes(&options))
            .map_err(from_library)?;
        Ok(PyArray1::from_slice(py, found.classes()))
    }
}

/// A count of at least 1, or a `ValueError` naming the keyword.
fn count(keyword: &str, value: i64) -> PyResult<usize> {
    match usize::try_from(value) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(PyValueError::new_err(format!(
            "{keyword} must be at least 1, not {value}"
        ))),
    }
}
