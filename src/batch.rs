//! The flat batch layout: the contract between the CPU reference and the GPU kernels.
//!
//! A batch is what is left of a run of sentences after subsampling, as three parallel arrays
//! (12 bytes a token). Windows never cross a sentence: neighbours `i` and `j` are in the same
//! sentence exactly when `sentences[i] == sentences[j]`. Random draws for a centre are keyed
//! by its `position` in the whole corpus, so they do not depend on how work is split.

use crate::sampling;

/// Tokens of one unit of work, after subsampling.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// Word id of each kept token.
    pub words: Vec<u32>,
    /// Position of each kept token in the corpus (before subsampling): the key of its draws.
    pub positions: Vec<u32>,
    /// Sentence number of each kept token, increasing within the batch.
    pub sentences: Vec<u32>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Number of kept tokens.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when no token is kept.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Empties the batch, keeping its memory.
    pub fn clear(&mut self) {
        self.words.clear();
        self.positions.clear();
        self.sentences.clear();
    }

    /// Appends the tokens of one sentence that survive subsampling. `first_position` is the
    /// corpus position of `words[0]`, modulo 2^32 (positions wrap).
    pub fn push_sentence(&mut self, words: &[u32], first_position: u32, keep: &[f32], key: u32) {
        let sentence = self.sentences.last().map_or(0, |s| s + 1);
        for (offset, &word) in words.iter().enumerate() {
            let position = first_position.wrapping_add(offset as u32);
            if sampling::keep(keep, key, word, position) {
                self.words.push(word);
                self.positions.push(position);
                self.sentences.push(sentence);
            }
        }
    }

    /// The neighbours of token `i` within `reach` in its sentence, nearest first is not
    /// promised: indices ascend, `i` itself excluded.
    pub fn context(&self, i: usize, reach: usize) -> impl Iterator<Item = usize> + '_ {
        let start = i.saturating_sub(reach);
        let end = (i + reach + 1).min(self.len());
        let sentence = self.sentences[i];
        (start..end).filter(move |&j| j != i && self.sentences[j] == sentence)
    }
}
