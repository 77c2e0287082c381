//! A trained or loaded subword model: what a fastText `.bin` holds, and what gives a vector
//! to any word.

use crate::subwords::ngrams::{SubwordIndex, SubwordSettings, ngram_rows};

/// The training settings a fastText `.bin` records in its header beside the n-gram settings
/// (fastText's `Args::save`). vectrain writes the settings of the run that trained the model.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedArgs {
    /// fastText's model code: 1 CBOW, 2 skip-gram, 3 supervised.
    pub model: i32,
    /// Context window (`-ws`).
    pub window: i32,
    /// Passes over the corpus (`-epoch`).
    pub epochs: i32,
    /// Minimum count of a word (`-minCount`).
    pub min_count: i32,
    /// Negatives per example (`-neg`).
    pub negative: i32,
    /// Word n-grams (`-wordNgrams`); 1 for unsupervised models.
    pub word_ngrams: i32,
    /// fastText's loss code: 1 hierarchical softmax, 2 negative sampling, 3 softmax.
    pub loss: i32,
    /// Learning-rate update interval in tokens (`-lrUpdateRate`).
    pub lr_update_rate: i32,
    /// Subsampling threshold (`-t`).
    pub sample: f64,
}

/// A subword model: the vocabulary with its counts, the input table (one row per word, then
/// one per bucket) and the output table (one row per word).
#[derive(Clone, Debug)]
pub struct SubwordModel {
    /// The words in id order (most frequent first).
    pub words: Vec<String>,
    /// Each word's count in the training corpus.
    pub counts: Vec<u64>,
    /// Vector dimension.
    pub dim: usize,
    /// Each word's input rows, with the n-gram settings.
    pub index: SubwordIndex,
    /// `[words + bucket, dim]`, row-major.
    pub input: Vec<f32>,
    /// `[words, dim]`, row-major.
    pub output: Vec<f32>,
    /// The header's training settings.
    pub args: RecordedArgs,
}

/// Where a word's vector came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorSource {
    /// A vocabulary word: the mean of its own row and its n-gram rows.
    Vocabulary,
    /// An unseen word: the mean of this many n-gram rows.
    Ngrams(usize),
    /// An unseen word with no n-gram (n-grams off, or shorter than `minn`): a zero vector.
    Nothing,
}

/// The mean of `rows` of the row-major `table` (rows of `out.len()` values) into `out`; zeros
/// for no rows.
fn mean_of_rows(table: &[f32], rows: &[u32], out: &mut [f32]) {
    let dim = out.len();
    out.fill(0.0);
    if rows.is_empty() {
        return;
    }
    for &row in rows {
        let start = row as usize * dim;
        for (o, v) in out.iter_mut().zip(&table[start..start + dim]) {
            *o += v;
        }
    }
    let scale = 1.0 / rows.len() as f32;
    out.iter_mut().for_each(|o| *o *= scale);
}

/// The vector of an unseen word (fastText's `getWordVector` for an unknown word) into `out`:
/// the mean of its n-gram rows of `input`, a table of `vocab_size` word rows then the buckets.
pub(crate) fn ngram_mean(
    input: &[f32],
    vocab_size: usize,
    settings: &SubwordSettings,
    word: &str,
    out: &mut [f32],
) -> VectorSource {
    let mut rows = Vec::new();
    ngram_rows(word, settings, vocab_size, &mut rows);
    mean_of_rows(input, &rows, out);
    if rows.is_empty() {
        VectorSource::Nothing
    } else {
        VectorSource::Ngrams(rows.len())
    }
}

impl SubwordModel {
    /// Vocabulary word `id`'s vector (fastText's `getWordVector` for a known word) into `out`.
    pub fn word_vector_by_id(&self, id: usize, out: &mut [f32]) {
        mean_of_rows(&self.input, self.index.word_rows(id), out);
    }

    /// The vector of an unseen word (fastText's `getWordVector` for an unknown word): the mean
    /// of its n-gram rows.
    pub fn ngram_vector(&self, word: &str, out: &mut [f32]) -> VectorSource {
        ngram_mean(
            &self.input,
            self.words.len(),
            &self.index.settings,
            word,
            out,
        )
    }

    /// Every vocabulary word's vector, `[words, dim]` row-major: what `.vec` text holds.
    pub fn word_vectors(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.words.len() * self.dim];
        for (id, row) in out.chunks_exact_mut(self.dim.max(1)).enumerate() {
            self.word_vector_by_id(id, row);
        }
        out
    }
}
