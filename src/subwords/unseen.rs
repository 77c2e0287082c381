//! Vectors for words a model never saw: the mean of their n-gram rows (fastText's
//! `getWordVector` for an unknown word), and vector sets extended with them.

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::subwords::model::{SubwordModel, VectorSource};
use crate::subwords::ngrams::{SubwordSettings, ngram_rows};
use crate::vocab::Vocab;

/// The n-gram rows of a subword model (its buckets) with their settings: what gives a vector
/// to an unseen word, without the rest of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct NgramTable {
    settings: SubwordSettings,
    /// Words of the model: n-gram row ids start after them.
    vocab_size: usize,
    dim: usize,
    /// `[bucket, dim]`, row-major.
    rows: Vec<f32>,
}

impl NgramTable {
    /// The bucket rows of `model`.
    pub fn from_model(model: &SubwordModel) -> NgramTable {
        let start = model.words.len() * model.dim;
        NgramTable {
            settings: model.index.settings,
            vocab_size: model.words.len(),
            dim: model.dim,
            rows: model.input[start..].to_vec(),
        }
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The n-gram settings.
    pub fn settings(&self) -> SubwordSettings {
        self.settings
    }

    /// The mean of the n-gram rows of `word` into `out` (`dim` values); zeros where the word
    /// has no n-gram. Says which of the two it was.
    pub fn vector(&self, word: &str, out: &mut [f32]) -> VectorSource {
        let mut rows = Vec::new();
        ngram_rows(word, &self.settings, self.vocab_size, &mut rows);
        out.fill(0.0);
        if rows.is_empty() {
            return VectorSource::Nothing;
        }
        for &row in &rows {
            let start = (row as usize - self.vocab_size) * self.dim;
            for (o, v) in out.iter_mut().zip(&self.rows[start..start + self.dim]) {
                *o += v;
            }
        }
        let scale = 1.0 / rows.len() as f32;
        out.iter_mut().for_each(|o| *o *= scale);
        VectorSource::Ngrams(rows.len())
    }
}

/// Vectors extended with the unseen words of a request.
#[derive(Debug)]
pub struct Extended {
    /// The original words, then each unseen word that has n-grams (count 0), in the order
    /// first met.
    pub embeddings: Embeddings,
    /// Unseen words given an n-gram vector.
    pub from_ngrams: usize,
    /// Unseen words with no n-gram at all (shorter than `minn` with its markers): left out,
    /// so the caller's policy for unknown words applies to them.
    pub without_ngrams: usize,
}

/// `emb` with every word of `words` it lacks added, its vector taken from `table`. Words it
/// has, and repeats, are passed over.
pub fn with_unseen_words<'a>(
    emb: &Embeddings,
    table: &NgramTable,
    words: impl IntoIterator<Item = &'a str>,
) -> Result<Extended> {
    if table.dim != emb.dim() {
        return Err(Error::Mismatch(format!(
            "n-gram rows of {} values do not fit vectors of {}",
            table.dim,
            emb.dim()
        )));
    }
    let vocab = emb.vocab();
    let mut added: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut data = emb.as_slice().to_vec();
    let mut vector = vec![0.0; table.dim];
    let mut without_ngrams = 0;
    for word in words {
        if vocab.id(word).is_some() || !seen.insert(word) {
            continue;
        }
        match table.vector(word, &mut vector) {
            VectorSource::Nothing => without_ngrams += 1,
            _ => {
                added.push(word.to_string());
                data.extend_from_slice(&vector);
            }
        }
    }
    let from_ngrams = added.len();
    let mut words = vocab.words().to_vec();
    let mut counts = vocab.counts().to_vec();
    words.extend(added);
    counts.resize(words.len(), 0);
    Ok(Extended {
        embeddings: Embeddings::new(Vocab::from_ordered(words, counts), emb.dim(), data)?,
        from_ngrams,
        without_ngrams,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subwords::{RecordedArgs, SubwordIndex};

    fn model() -> SubwordModel {
        let words = vec!["night".to_string(), "day".to_string()];
        let settings = SubwordSettings {
            minn: 3,
            maxn: 4,
            bucket: 40,
        };
        let index = SubwordIndex::new(&words, settings).unwrap();
        let dim = 3;
        let input: Vec<f32> = (0..index.table_rows() * dim).map(|i| i as f32).collect();
        SubwordModel {
            counts: vec![5, 3],
            output: vec![0.0; words.len() * dim],
            words,
            dim,
            index,
            input,
            args: RecordedArgs {
                model: 2,
                window: 5,
                epochs: 5,
                min_count: 1,
                negative: 5,
                word_ngrams: 1,
                loss: 2,
                lr_update_rate: 100,
                sample: 1e-3,
            },
        }
    }

    #[test]
    fn the_table_gives_the_models_vector_of_an_unseen_word() {
        let model = model();
        let table = NgramTable::from_model(&model);
        for word in ["nights", "daylight", "é", "x", "日本語"] {
            let (mut a, mut b) = (vec![0.0; 3], vec![0.0; 3]);
            assert_eq!(
                table.vector(word, &mut a),
                model.ngram_vector(word, &mut b),
                "{word}"
            );
            assert_eq!(a, b, "{word}");
        }
        let mut v = vec![1.0; 3];
        // "<x>" is three characters: one 3-gram. Nothing shorter than minn with markers.
        assert_eq!(table.vector("x", &mut v), VectorSource::Ngrams(1));
        let short = NgramTable {
            settings: SubwordSettings {
                minn: 4,
                ..table.settings
            },
            ..table.clone()
        };
        assert_eq!(short.vector("x", &mut v), VectorSource::Nothing);
        assert_eq!(v, vec![0.0; 3]);
    }

    #[test]
    fn extension_appends_unseen_words_once() {
        let model = model();
        let table = NgramTable::from_model(&model);
        let emb = Embeddings::new(
            Vocab::from_ordered(model.words.clone(), model.counts.clone()),
            3,
            model.word_vectors(),
        )
        .unwrap();
        let extended =
            with_unseen_words(&emb, &table, ["day", "nights", "nights", "dawn"]).unwrap();
        assert_eq!(extended.from_ngrams, 2);
        assert_eq!(extended.without_ngrams, 0);
        let words = extended.embeddings.vocab().words();
        assert_eq!(words, ["night", "day", "nights", "dawn"]);
        let mut expected = vec![0.0; 3];
        model.ngram_vector("dawn", &mut expected);
        assert_eq!(extended.embeddings.get("dawn").unwrap(), expected);
        assert_eq!(extended.embeddings.get("day"), emb.get("day"));
    }
}
