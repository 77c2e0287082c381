//! Subword (fastText) vectors: a word's input vector is the mean of its own row and the rows of
//! its character n-grams, so any word, seen in training or not, gets a vector.
//!
//! The n-grams and their rows are fastText's own ([`ngrams`]): the same word gets the same
//! rows here as in fastText and gensim, which is what lets their `.bin` files be read and
//! written.

pub mod model;
pub mod ngrams;
pub mod unseen;

pub use model::{RecordedArgs, SubwordModel, VectorSource};
pub use ngrams::{SubwordIndex, SubwordSettings, fasttext_hash, for_each_ngram, ngram_rows};
pub use unseen::{Extended, NgramTable, NgramVectors, with_unseen_words};
