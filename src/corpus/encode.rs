//! The second pass: text -> word ids of the vocabulary, words outside it dropped, each
//! sentence that keeps a word followed by [`SENTENCE_END`].

use crate::corpus::CorpusStats;
use crate::corpus::stream::SENTENCE_END;
use crate::corpus::tokenize::{TokenSink, Tokenizer};
use crate::vocab::Vocab;

/// One worker's encoder.
pub(crate) struct Encoder<'v> {
    tokenizer: Tokenizer,
    ids: Ids<'v>,
}

struct Ids<'v> {
    vocab: &'v Vocab,
    out: Vec<u32>,
    open: bool,
}

impl TokenSink for Ids<'_> {
    fn token(&mut self, word: &str) {
        if let Some(id) = self.vocab.id(word) {
            self.out.push(id);
            self.open = true;
        }
    }

    fn sentence_end(&mut self) {
        if self.open {
            self.out.push(SENTENCE_END);
            self.open = false;
        }
    }
}

impl<'v> Encoder<'v> {
    /// An encoder into the ids of `vocab`.
    pub fn new(vocab: &'v Vocab, lowercase: bool) -> Self {
        Encoder {
            tokenizer: Tokenizer::new(lowercase),
            ids: Ids {
                vocab,
                out: Vec::new(),
                open: false,
            },
        }
    }

    /// What the tokenizer saw in the blocks encoded so far.
    pub fn seen(&self) -> &CorpusStats {
        &self.tokenizer.stats
    }

    /// The encoded sentences of a block of whole lines.
    pub fn encode(&mut self, block: &[u8]) -> Vec<u32> {
        self.ids.out = Vec::with_capacity(block.len() / 5);
        self.tokenizer.feed_lines(block, &mut self.ids);
        std::mem::take(&mut self.ids.out)
    }
}
