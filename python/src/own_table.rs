//! Vectors made from a table rather than trained or read: `Vectors(keys, vectors)`, a
//! caller's own table (from another library, a model's embedding layer); `vectors_for_all`,
//! the vectors of chosen keys; and the state a pickle keeps (`vectrain._reduce_vectors`):
//! the table, the counts, a subword model's bytes.

use std::collections::HashMap;
use std::path::Path;

use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use vectrain::Embeddings;
use vectrain::io::fasttext_bin::{read as read_fasttext, write as write_fasttext};
use vectrain::vocab::Vocab;

use crate::errors::from_library;
use crate::queries;
use crate::vectors::Vectors;
use crate::words::WordVectors;

#[pymethods]
impl Vectors {
    /// Vectors from a caller's table, as gensim's `KeyedVectors(vector_size)` then
    /// `add_vectors(keys, weights)` makes them: `keys` the words (str, each once), `vectors`
    /// a `[len(keys), dim]` array of numbers, copied as float32, `counts` the words' counts
    /// where known (else falling counts in row order, as a vector file without them gets).
    #[new]
    #[pyo3(signature = (keys, vectors, counts=None))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        vectors: &Bound<'_, PyAny>,
        counts: Option<Vec<u64>>,
    ) -> PyResult<Vectors> {
        Ok(Vectors {
            words: WordVectors {
                embeddings: table_embeddings(py, keys, vectors, counts)?,
                model: None,
            },
        })
    }

    /// gensim's `vectors_for_all`: new vectors (without a subword model) for the distinct
    /// `keys` that have one, in first-seen order: vocabulary words, and with
    /// `allow_inference` a subword model's unseen words by their n-grams. Counts fall in
    /// row order, or with `copy_vecattrs` are the vocabulary words' own.
    #[pyo3(signature = (keys, allow_inference=true, copy_vecattrs=false))]
    fn vectors_for_all(
        &self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        allow_inference: bool,
        copy_vecattrs: bool,
    ) -> PyResult<Vectors> {
        let words = &self.words;
        let inferable = allow_inference && words.model.is_some();
        let mut chosen: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for key in keys.try_iter()? {
            let key = key?;
            let word = match queries::word_of(&key) {
                Ok(Some(word)) => word,
                // A str with a lone surrogate is a word nothing holds: left out, as unknown
                // keys are.
                Err(_) => continue,
                // Not a str: the TypeError naming its type.
                Ok(None) => queries::word_arg(&key)?,
            };
            if seen.insert(word.clone()) && (inferable || words.embeddings.get(&word).is_some()) {
                chosen.push(word);
            }
        }
        let rows = chosen.len();
        let table = py.detach(|| {
            let mut data = Vec::with_capacity(rows * words.embeddings.dim());
            let mut counts = Vec::with_capacity(rows);
            for (row, word) in chosen.iter().enumerate() {
                data.extend(words.vector_of(word)?);
                let own = words.embeddings.vocab().id(word);
                counts.push(match own.filter(|_| copy_vecattrs) {
                    Some(id) => words.embeddings.vocab().counts()[id as usize],
                    None => (rows - row) as u64,
                });
            }
            Ok::<_, vectrain::Error>((data, counts))
        });
        let (data, counts) = table.map_err(from_library)?;
        let embeddings = Embeddings::new(
            Vocab::from_ordered(chosen, counts),
            words.embeddings.dim(),
            data,
        )
        .map_err(from_library)?;
        Ok(Vectors {
            words: WordVectors {
                embeddings,
                model: None,
            },
        })
    }

    /// The words' counts, in row order (what pickling keeps beside the table).
    fn _counts(&self) -> Vec<u64> {
        self.words.embeddings.vocab().counts().to_vec()
    }

    /// A subword model's fastText `.bin` bytes (what pickling keeps of it); None without one.
    fn _model_bytes<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let Some(model) = &self.words.model else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        py.detach(|| write_fasttext(model, &mut bytes, Path::new(PICKLED)))
            .map_err(from_library)?;
        Ok(Some(PyBytes::new(py, &bytes)))
    }

    /// Vectors as pickling left them: the table, its counts and a subword model's bytes.
    #[staticmethod]
    fn _restore(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        vectors: &Bound<'_, PyAny>,
        counts: Vec<u64>,
        model: Option<&[u8]>,
    ) -> PyResult<Vectors> {
        let embeddings = table_embeddings(py, keys, vectors, Some(counts))?;
        let model = model
            .map(|bytes| py.detach(|| read_fasttext(bytes, Path::new(PICKLED))))
            .transpose()
            .map_err(from_library)?;
        Ok(Vectors {
            words: WordVectors { embeddings, model },
        })
    }
}

/// What errors name a pickled subword model's bytes.
const PICKLED: &str = "<pickled subword model>";

/// Embeddings of `keys` and the `[len(keys), dim]` array `vectors` (copied as float32), with
/// `counts` where given, else falling counts in row order.
fn table_embeddings(
    py: Python<'_>,
    keys: &Bound<'_, PyAny>,
    vectors: &Bound<'_, PyAny>,
    counts: Option<Vec<u64>>,
) -> PyResult<Embeddings> {
    let words = queries::word_list(keys)?;
    refuse_repeats(&words)?;
    let numpy = py.import("numpy")?;
    let table = numpy.call_method1("ascontiguousarray", (vectors, "float32"))?;
    let table: PyReadonlyArray2<'_, f32> = table
        .extract()
        .map_err(|_| PyValueError::new_err("vectors is a 2-D array of numbers: one row per key"))?;
    let [rows, dim] = [table.shape()[0], table.shape()[1]];
    if rows != words.len() {
        return Err(PyValueError::new_err(format!(
            "{} keys for {rows} rows of vectors",
            words.len()
        )));
    }
    let data = table.as_slice()?.to_vec();
    if let Some(at) = data.iter().position(|value| !value.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "vectors[{}, {}] is {} (as float32): every value must be finite",
            at / dim,
            at % dim,
            data[at]
        )));
    }
    let counts = match counts {
        Some(counts) if counts.len() != rows => {
            return Err(PyValueError::new_err(format!(
                "{} counts for {rows} keys",
                counts.len()
            )));
        }
        Some(counts) => counts,
        None => (0..rows).map(|row| (rows - row) as u64).collect(),
    };
    Embeddings::new(Vocab::from_ordered(words, counts), dim, data).map_err(from_library)
}

/// Refuses a key given twice: its second row could never be looked up.
fn refuse_repeats(words: &[String]) -> PyResult<()> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(words.len());
    for (at, word) in words.iter().enumerate() {
        if let Some(before) = first.insert(word, at) {
            return Err(PyValueError::new_err(format!(
                "key {word:?} is given twice (keys[{before}] and keys[{at}])"
            )));
        }
    }
    Ok(())
}
