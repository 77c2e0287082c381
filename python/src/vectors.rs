//! `Vectors`: word vectors read from a file or trained, gensim's `KeyedVectors` calls on them.
//! The class is frozen: its table never changes once made, so `vectors` can lend it to numpy.

use std::path::PathBuf;

use numpy::PyArray2;
use numpy::ndarray::ArrayView2;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use vectrain::Error;
use vectrain::embeddings::AnalogyMethod;
use vectrain::io::fasttext_bin::{vocabulary_embeddings, write_fasttext_bin};
use vectrain::io::vocab_counts;
use vectrain::io::{
    VectorFormat, detect_format, read_model, read_vectors, read_vectors_as, write_vectors,
};
use vectrain::training::Trained;

use crate::errors::from_library;
use crate::queries::Term;
use crate::words::WordVectors;
use crate::{arrays, queries, tables};

/// Word vectors: a table of one row per word, most frequent word first, and with a subword
/// (fastText) model the n-gram rows that give vectors to words never seen.
#[pyclass(frozen, module = "vectrain._vectrain")]
pub struct Vectors {
    pub(crate) words: WordVectors,
}

/// How many answers `topn` asks for: none where it is below 1, as gensim gives `[]` then.
fn answers(topn: i64) -> usize {
    usize::try_from(topn).unwrap_or(0)
}

/// The rows `restrict_vocab` searches, as gensim's slice `[:restrict_vocab]` takes them: all
/// for None or 0, the first ones for a positive count, all but the last ones for a negative.
fn searched_rows(restrict_vocab: Option<i64>, rows: usize) -> usize {
    match restrict_vocab {
        None | Some(0) => usize::MAX,
        Some(first) if first > 0 => usize::try_from(first).unwrap_or(usize::MAX),
        Some(last) => {
            rows.saturating_sub(usize::try_from(last.unsigned_abs()).unwrap_or(usize::MAX))
        }
    }
}

impl Vectors {
    /// `most_similar` (3CosAdd) or, with `cosmul`, `most_similar_cosmul`, the GIL released
    /// while it searches: a list of `(word, score)`, or with `topn=None` every row's score as
    /// an array, over the first `restrict_vocab` rows.
    pub(crate) fn similar(
        &self,
        py: Python<'_>,
        (positive, negative): (Vec<Term>, Vec<Term>),
        topn: Option<i64>,
        restrict_vocab: Option<i64>,
        cosmul: bool,
    ) -> PyResult<Py<PyAny>> {
        let search = queries::Search {
            topn: topn.map(answers),
            rows: searched_rows(restrict_vocab, self.words.embeddings.len()),
            method: if cosmul {
                AnalogyMethod::Mul
            } else {
                AnalogyMethod::Add
            },
        };
        let answer = py
            .detach(|| queries::most_similar(&self.words, &positive, &negative, &search))
            .map_err(from_library)?;
        match answer {
            queries::Answer::Best(best) => best.into_py_any(py),
            queries::Answer::Scores(scores) => Ok(arrays::vector(py, scores).into_any().unbind()),
        }
    }

    /// The vectors of a finished run.
    pub fn from_trained(trained: Trained) -> Vectors {
        Vectors {
            words: WordVectors {
                embeddings: trained.embeddings,
                model: trained.subwords,
            },
        }
    }
}

/// The format named `name` (the command line's `--format` names).
fn format_named(name: &str) -> PyResult<VectorFormat> {
    VectorFormat::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown format {name:?}: w2v-text, w2v-bin, glove or fasttext-bin"
        ))
    })
}

#[pymethods]
impl Vectors {
    /// Reads vectors from `path`: word2vec text or binary, GloVe text, or a fastText `.bin`
    /// (which also gives vectors to unseen words); the format is detected unless `format`
    /// names it (`w2v-text`, `w2v-bin`, `glove`, `fasttext-bin`).
    #[staticmethod]
    #[pyo3(signature = (path, format=None))]
    fn load(py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<Vectors> {
        let given = format.map(format_named).transpose()?;
        let words = py
            .detach(|| -> Result<WordVectors, Error> {
                let format = match given {
                    Some(format) => format,
                    None => detect_format(&path)?,
                };
                if format == VectorFormat::FastTextBin {
                    let model = read_model(&path)?;
                    let embeddings = vocabulary_embeddings(&model)?;
                    return Ok(WordVectors {
                        embeddings,
                        model: Some(model),
                    });
                }
                // Detected, the reader that names a malformed file's fault best is chosen.
                let embeddings = match given {
                    Some(_) => read_vectors_as(&path, format)?,
                    None => read_vectors(&path)?,
                };
                Ok(WordVectors {
                    embeddings,
                    model: None,
                })
            })
            .map_err(from_library)?;
        Ok(Vectors { words })
    }

    /// gensim's `KeyedVectors.load_word2vec_format`: a word2vec file, binary or text as
    /// `binary` says (gzipped or not), of which only the first `limit` rows are read where
    /// `limit` is given (the rest of the file is never read, so the first words of a large
    /// file cost only their own memory and time). `fvocab` names a vocabulary file (`word
    /// count` lines, as `save_word2vec_format(fvocab=...)` and word2vec.c's -save-vocab
    /// write) whose counts the rows take; without it they get falling counts in file order.
    #[staticmethod]
    #[pyo3(signature = (fname, fvocab=None, binary=false, limit=None))]
    fn load_word2vec_format(
        py: Python<'_>,
        fname: PathBuf,
        fvocab: Option<PathBuf>,
        binary: bool,
        limit: Option<usize>,
    ) -> PyResult<Vectors> {
        // As in gensim, a limit of 0 reads everything.
        let limit = limit.filter(|&l| l > 0).unwrap_or(usize::MAX);
        let embeddings = py
            .detach(|| {
                let embeddings = vectrain::io::read_word2vec_first(&fname, binary, limit)?;
                match &fvocab {
                    None => Ok(embeddings),
                    Some(path) => {
                        let pairs = vocab_counts::read(path)?;
                        vocab_counts::with_counts(embeddings, &pairs, path)
                    }
                }
            })
            .map_err(from_library)?;
        Ok(Vectors {
            words: WordVectors {
                embeddings,
                model: None,
            },
        })
    }

    /// gensim's `save_word2vec_format`: the vectors as word2vec binary or text as `binary`
    /// says, whatever the name (`.gz` compresses), replaced only once complete; with
    /// `fvocab`, the words' counts too, one `word count` line each, in the rows' order.
    #[pyo3(signature = (fname, fvocab=None, binary=false))]
    fn save_word2vec_format(
        &self,
        py: Python<'_>,
        fname: PathBuf,
        fvocab: Option<PathBuf>,
        binary: bool,
    ) -> PyResult<()> {
        let format = if binary {
            VectorFormat::Word2VecBinary
        } else {
            VectorFormat::Word2VecText
        };
        let embeddings = &self.words.embeddings;
        py.detach(|| {
            write_vectors(embeddings, &fname, format)?;
            fvocab.map_or(Ok(()), |path| {
                vocab_counts::write(embeddings.vocab(), &path)
            })
        })
        .map_err(from_library)
    }

    /// A word's attribute (gensim's `get_vecattr`): `"count"`, its count in the training
    /// corpus (or the vocabulary file's; falling numbers in file order where the vectors
    /// came without counts). KeyError for a word without a row, or another attribute.
    fn get_vecattr(&self, key: &Bound<'_, PyAny>, attr: &str) -> PyResult<u64> {
        let id = self.get_index(key)?;
        match attr {
            "count" => Ok(self.words.embeddings.vocab().counts()[id as usize]),
            _ => Err(PyKeyError::new_err(format!(
                "{attr:?}: the only attribute of a word is \"count\""
            ))),
        }
    }

    /// Writes the vectors to `path` (replaced only once complete) in `format`: by default
    /// from the extension as the command line does (`.bin` word2vec binary, `.glove` GloVe,
    /// else word2vec text; a `.gz` after it compresses); `fasttext-bin` writes a subword
    /// model's whole `.bin`.
    #[pyo3(signature = (path, format=None))]
    fn save(&self, py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<()> {
        let format = match format {
            Some(name) => format_named(name)?,
            None => VectorFormat::for_path(&path),
        };
        py.detach(|| match (format, &self.words.model) {
            (VectorFormat::FastTextBin, Some(model)) => write_fasttext_bin(model, &path),
            _ => write_vectors(&self.words.embeddings, &path, format),
        })
        .map_err(from_library)
    }

    /// The table, `[words, vector_size]` float32, read-only: a view of the vectors' own
    /// memory, not a copy.
    #[getter]
    fn vectors<'py>(this: Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let emb = &this.get().words.embeddings;
        let view = ArrayView2::from_shape((emb.len(), emb.dim()), emb.as_slice())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        // SAFETY: the array keeps `this` alive, and a frozen class never changes its table;
        // the array is made read-only so numpy cannot change it either.
        let array = unsafe { PyArray2::borrow_from_array(&view, this.clone().into_any()) };
        array.getattr("flags")?.setattr("writeable", false)?;
        Ok(array)
    }

    /// The words, row order (gensim's `index_to_key`).
    #[getter]
    fn index_to_key(&self) -> Vec<String> {
        self.words.embeddings.vocab().words().to_vec()
    }

    /// Each word's row (gensim's `key_to_index`).
    #[getter]
    fn key_to_index<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (index, word) in self.words.embeddings.vocab().words().iter().enumerate() {
            dict.set_item(word, index)?;
        }
        Ok(dict)
    }

    /// The dimension of the vectors.
    #[getter]
    fn vector_size(&self) -> usize {
        self.words.embeddings.dim()
    }

    /// Whether the vectors carry a subword model (unseen words get n-gram vectors).
    #[getter]
    fn has_subwords(&self) -> bool {
        self.words.model.is_some()
    }

    /// The row of `word` (gensim's `get_index`); KeyError if it has none.
    fn get_index(&self, word: &Bound<'_, PyAny>) -> PyResult<u32> {
        let word = queries::word_arg(word)?;
        self.words.embeddings.id(&word).map_err(from_library)
    }

    /// The vector of `word`, of unit length with `norm` (gensim's `get_vector`); an unseen
    /// word gets its n-gram vector where the vectors have subwords, else KeyError.
    #[pyo3(signature = (word, norm=false))]
    fn get_vector<'py>(
        &self,
        py: Python<'py>,
        word: &Bound<'py, PyAny>,
        norm: bool,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f32>>> {
        let mut vector = self
            .words
            .vector_of(&queries::word_arg(word)?)
            .map_err(from_library)?;
        if norm {
            queries::normalize(&mut vector);
        }
        Ok(arrays::vector(py, vector))
    }

    /// `v["word"]`: its vector; `v[["a", "b"]]`: their vectors as rows.
    fn __getitem__<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        if let Some(word) = queries::word_of(key)? {
            let vector = self.words.vector_of(&word).map_err(from_library)?;
            return Ok(arrays::vector(py, vector).into_any().unbind());
        }
        let words: Vec<String> = key.extract().map_err(|_| {
            let kind = key.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string());
            PyTypeError::new_err(format!(
                "v[key] takes a word (str) or a list of words, not {kind} (v.index_to_key[i] is the word of row i)"
            ))
        })?;
        let mut data = Vec::with_capacity(words.len() * self.words.embeddings.dim());
        for word in &words {
            data.extend(self.words.vector_of(word).map_err(from_library)?);
        }
        let rows = words.len();
        Ok(arrays::matrix(py, rows, self.words.embeddings.dim(), data)?
            .into_any()
            .unbind())
    }

    /// `"word" in v`: whether `word` has a vector (a row, or with subwords an n-gram).
    /// What cannot be a word (`1`, `None`, a string with a lone surrogate) is not in `v`, as
    /// in a dict.
    fn __contains__(&self, word: &Bound<'_, PyAny>) -> bool {
        word.extract::<String>()
            .is_ok_and(|word| self.words.vector_of(&word).is_ok())
    }

    /// The number of words.
    fn __len__(&self) -> usize {
        self.words.embeddings.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<vectrain.Vectors: {} words, {} dimensions{}>",
            self.words.embeddings.len(),
            self.words.embeddings.dim(),
            if self.words.model.is_some() {
                ", with subwords"
            } else {
                ""
            }
        )
    }

    /// The `topn` words most similar to the mean of the `positive` terms minus the
    /// `negative` ones (gensim's `most_similar`): terms are words or vectors; the query
    /// words are left out of the answers. `[(word, cosine), ...]`, best first; `[]` for a
    /// `topn` below 1; with `topn=None` every row's cosine, a float32 array. With
    /// `restrict_vocab`, only the first rows (the most frequent words) are searched.
    #[pyo3(signature = (positive=None, negative=None, topn=Some(10), restrict_vocab=None))]
    fn most_similar(
        &self,
        py: Python<'_>,
        positive: Option<&Bound<'_, PyAny>>,
        negative: Option<&Bound<'_, PyAny>>,
        topn: Option<i64>,
        restrict_vocab: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let terms = (queries::terms(positive)?, queries::terms(negative)?);
        self.similar(py, terms, topn, restrict_vocab, false)
    }

    /// gensim's `most_similar_cosmul`: 3CosMul over the `positive` and `negative` terms, with
    /// `most_similar`'s `topn` and `restrict_vocab`.
    #[pyo3(signature = (positive=None, negative=None, topn=Some(10), restrict_vocab=None))]
    fn most_similar_cosmul(
        &self,
        py: Python<'_>,
        positive: Option<&Bound<'_, PyAny>>,
        negative: Option<&Bound<'_, PyAny>>,
        topn: Option<i64>,
        restrict_vocab: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let terms = (queries::terms(positive)?, queries::terms(negative)?);
        self.similar(py, terms, topn, restrict_vocab, true)
    }

    /// "`a` is to `b` as `c` is to ?": the `topn` best answers by 3CosAdd, or 3CosMul with
    /// `cosmul` (`vectrain analogy`).
    #[pyo3(signature = (a, b, c, topn=1, cosmul=false))]
    fn analogy(
        &self,
        py: Python<'_>,
        a: String,
        b: String,
        c: String,
        topn: i64,
        cosmul: bool,
    ) -> PyResult<Py<PyAny>> {
        let terms = (vec![Term::Word(b), Term::Word(c)], vec![Term::Word(a)]);
        self.similar(py, terms, Some(topn), None, cosmul)
    }

    /// The cosine similarity of two words (gensim's `similarity`).
    pub(crate) fn similarity(&self, w1: &Bound<'_, PyAny>, w2: &Bound<'_, PyAny>) -> PyResult<f32> {
        let (w1, w2) = (queries::word_arg(w1)?, queries::word_arg(w2)?);
        queries::similarity(&self.words, &w1, &w2).map_err(from_library)
    }

    /// The embedding matrix of a caller's word index, what `nn.Embedding.from_pretrained`
    /// and Keras `Embedding(weights=[...])` take: row `i` is the vector of the word of
    /// index `i`. `word2idx` is a dict `{word: index}` (rows: largest index + 1; indices
    /// without a word, such as Keras's 0, are zeros), a list of words (word `i` at row `i`),
    /// or the path of an index file as `vectrain matrix` reads it. Words without a vector
    /// get `oov`: "subword" (their n-gram vector; the default with subwords), "zeros" (the
    /// default otherwise), "random" (normal draws with the table's mean and deviation,
    /// from `seed`) or "mean".
    #[pyo3(signature = (word2idx, oov=None, seed=0))]
    fn matrix<'py>(
        &self,
        py: Python<'py>,
        word2idx: &Bound<'py, PyAny>,
        oov: Option<&str>,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let index = tables::word_index(word2idx)?;
        let built = py.detach(|| tables::matrix(&self.words, &index, oov, seed))?;
        arrays::matrix(py, built.rows, built.dim, built.data)
    }

    /// Sentence vectors of `sentences` (lists of tokens): `pool` "mean", "max" or "sif"
    /// (smooth inverse frequency, `sif_a`, with `frequencies` "zipf" or "counts"), a
    /// `[sentences, vector_size]` array; or with `sequence` each token's vector, a
    /// `[sentences, longest, vector_size]` array and its `[sentences, longest]` bool mask.
    /// Unknown tokens get `oov`: "skip" (left out; the default without subwords), "zeros",
    /// "mean", "error", or "subword" (the default with subwords).
    #[pyo3(signature = (sentences, pool="mean", sequence=false, oov=None, sif_a=vectrain::sentences::DEFAULT_SIF_A, frequencies="zipf"))]
    #[allow(clippy::too_many_arguments)]
    fn sentences<'py>(
        &self,
        py: Python<'py>,
        sentences: &Bound<'py, PyAny>,
        pool: &str,
        sequence: bool,
        oov: Option<&str>,
        sif_a: f64,
        frequencies: &str,
    ) -> PyResult<Py<PyAny>> {
        let sentences: Vec<Vec<String>> = sentences.extract().map_err(|_| {
            PyTypeError::new_err(
                "sentences is a list of sentences, each a list of words (str): [[\"the\", \"god\"], ...]",
            )
        })?;
        let request = tables::SentenceRequest::new(pool, sequence, oov, sif_a, frequencies)?;
        let vectors = py.detach(|| tables::sentences(&self.words, &sentences, &request))?;
        tables::sentence_arrays(py, vectors)
    }

    /// Analogy accuracy on a `questions-words.txt` file (gensim's
    /// `evaluate_word_analogies`, 3CosAdd over the first `restrict_vocab` words):
    /// `(score, sections)`, each section a dict of its name and its counts of correct and
    /// incorrect answers, the last one "Total accuracy". `case_insensitive` and
    /// `dummy4unknown` are gensim's.
    #[pyo3(signature = (analogies, restrict_vocab=vectrain::eval::DEFAULT_RESTRICT, case_insensitive=true, dummy4unknown=false))]
    fn evaluate_word_analogies<'py>(
        &self,
        py: Python<'py>,
        analogies: PathBuf,
        restrict_vocab: usize,
        case_insensitive: bool,
        dummy4unknown: bool,
    ) -> PyResult<(f64, Vec<Bound<'py, PyDict>>)> {
        let options = vectrain::eval::EvalOptions {
            restrict: restrict_vocab,
            case_insensitive,
            dummy4unknown,
        };
        let report = py
            .detach(|| {
                vectrain::eval::evaluate_analogies(&self.words.embeddings, &analogies, options)
            })
            .map_err(from_library)?;
        tables::analogy_sections(py, &report)
    }

    /// Word-pair correlation on a WordSim-353-style file (gensim's `evaluate_word_pairs`):
    /// `(pearson, spearman, oov_ratio)`, the ratio in percent as gensim gives it.
    /// `case_insensitive` and `dummy4unknown` are gensim's (keywords: gensim's own
    /// positions hold its `delimiter` and `encoding`, which vectrain detects).
    #[pyo3(signature = (pairs, restrict_vocab=vectrain::eval::DEFAULT_RESTRICT, *, case_insensitive=true, dummy4unknown=false))]
    fn evaluate_word_pairs(
        &self,
        py: Python<'_>,
        pairs: PathBuf,
        restrict_vocab: usize,
        case_insensitive: bool,
        dummy4unknown: bool,
    ) -> PyResult<(f64, f64, f64)> {
        let options = vectrain::eval::EvalOptions {
            restrict: restrict_vocab,
            case_insensitive,
            dummy4unknown,
        };
        let report = py
            .detach(|| vectrain::eval::evaluate_word_pairs(&self.words.embeddings, &pairs, options))
            .map_err(from_library)?;
        Ok((report.pearson, report.spearman, 100.0 * report.oov_ratio()))
    }
}
