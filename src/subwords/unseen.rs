//! Vectors for words a model never saw: the mean of their n-gram rows (fastText's
//! `getWordVector` for an unknown word), and vector sets extended with them.

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::subwords::model::{SubwordModel, VectorSource, ngram_mean};
use crate::subwords::ngrams::SubwordSettings;
use crate::vocab::Vocab;

/// The input table of a subword model with its n-gram settings: what gives a vector to an
/// unseen word, without the rest of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct NgramTable {
    settings: SubwordSettings,
    /// Words of the model: n-gram row ids start after them.
    vocab_size: usize,
    dim: usize,
    /// `[words + bucket, dim]`, row-major: the model's input table, moved, not copied.
    input: Vec<f32>,
}

impl NgramTable {
    /// The input table of `model` (taken, not copied: at fastText's default 2M buckets it
    /// is 800 MB and more).
    pub fn from_model(model: SubwordModel) -> NgramTable {
        NgramTable {
            settings: model.index.settings,
            vocab_size: model.words.len(),
            dim: model.dim,
            input: model.input,
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
        ngram_mean(&self.input, self.vocab_size, &self.settings, word, out)
    }
}

/// What gives an unseen word its vector: the n-gram rows of a subword model, whole
/// ([`SubwordModel`]) or its input table alone ([`NgramTable`]).
pub trait NgramVectors {
    /// Vector dimension.
    fn dim(&self) -> usize;
    /// The mean of the n-gram rows of `word` into `out` (`dim` values); zeros where the
    /// word has no n-gram. Says which of the two it was.
    fn ngram_vector(&self, word: &str, out: &mut [f32]) -> VectorSource;
}

impl NgramVectors for NgramTable {
    fn dim(&self) -> usize {
        self.dim
    }
    fn ngram_vector(&self, word: &str, out: &mut [f32]) -> VectorSource {
        self.vector(word, out)
    }
}

impl NgramVectors for SubwordModel {
    fn dim(&self) -> usize {
        self.dim
    }
    fn ngram_vector(&self, word: &str, out: &mut [f32]) -> VectorSource {
        SubwordModel::ngram_vector(self, word, out)
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
/// has, and repeats, are passed over; where nothing is added `emb` comes back as it was.
pub fn with_unseen_words<'a>(
    emb: Embeddings,
    table: &(impl NgramVectors + ?Sized),
    words: impl IntoIterator<Item = &'a str>,
) -> Result<Extended> {
    if table.dim() != emb.dim() {
        return Err(Error::Mismatch(format!(
            "n-gram rows of {} values do not fit vectors of {}",
            table.dim(),
            emb.dim()
        )));
    }
    let mut added: Vec<String> = Vec::new();
    let mut added_rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut vector = vec![0.0; table.dim()];
    let mut without_ngrams = 0;
    for word in words {
        if emb.vocab().id(word).is_some() || !seen.insert(word) {
            continue;
        }
        match table.ngram_vector(word, &mut vector) {
            VectorSource::Nothing => without_ngrams += 1,
            _ => {
                added.push(word.to_string());
                added_rows.extend_from_slice(&vector);
            }
        }
    }
    let from_ngrams = added.len();
    if from_ngrams == 0 {
        return Ok(Extended {
            embeddings: emb,
            from_ngrams,
            without_ngrams,
        });
    }
    let (vocab, dim, mut data) = emb.into_parts();
    data.extend_from_slice(&added_rows);
    let mut words = vocab.words().to_vec();
    let mut counts = vocab.counts().to_vec();
    words.extend(added);
    counts.resize(words.len(), 0);
    Ok(Extended {
        embeddings: Embeddings::new(Vocab::from_ordered(words, counts), dim, data)?,
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
        let table = NgramTable::from_model(model.clone());
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
        let table = NgramTable::from_model(model.clone());
        let emb = Embeddings::new(
            Vocab::from_ordered(model.words.clone(), model.counts.clone()),
            3,
            model.word_vectors(),
        )
        .unwrap();
        let extended =
            with_unseen_words(emb.clone(), &table, ["day", "nights", "nights", "dawn"]).unwrap();
        assert_eq!(extended.from_ngrams, 2);
        assert_eq!(extended.without_ngrams, 0);
        let words = extended.embeddings.vocab().words();
        assert_eq!(words, ["night", "day", "nights", "dawn"]);
        let mut expected = vec![0.0; 3];
        model.ngram_vector("dawn", &mut expected);
        assert_eq!(extended.embeddings.get("dawn").unwrap(), expected);
        assert_eq!(extended.embeddings.get("day"), emb.get("day"));
        let unchanged = with_unseen_words(emb.clone(), &table, ["day", "night"]).unwrap();
        assert_eq!((unchanged.from_ngrams, unchanged.without_ngrams), (0, 0));
        assert_eq!(unchanged.embeddings, emb);
    }
}
