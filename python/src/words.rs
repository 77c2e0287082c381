//! What a `Vectors` holds: the vocabulary's vectors and, where there is one, the whole
//! subword model, which gives vectors to unseen words.

use vectrain::subwords::SubwordModel;
use vectrain::{Embeddings, Error};

/// Word vectors with their subword model, where they have one.
pub struct WordVectors {
    /// The vocabulary's vectors.
    pub embeddings: Embeddings,
    /// The whole subword model (trained with subwords, or read from a fastText `.bin`).
    pub model: Option<SubwordModel>,
}

impl WordVectors {
    /// The vector of `word`: its row, or with a subword model the mean of its n-gram rows,
    /// and zeros for a word without any n-gram (such as `""`), as fastText and gensim's
    /// FastText vectors give it; without a subword model an unknown word has none.
    pub fn vector_of(&self, word: &str) -> Result<Vec<f32>, Error> {
        if let Some(row) = self.embeddings.get(word) {
            return Ok(row.to_vec());
        }
        let Some(model) = &self.model else {
            return Err(Error::UnknownWord(word.to_string()));
        };
        let mut out = vec![0.0; self.embeddings.dim()];
        // Zeros where the word has no n-gram (`VectorSource::Nothing`).
        model.ngram_vector(word, &mut out);
        Ok(out)
    }
}
