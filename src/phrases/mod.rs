//! Phrases: pairs of adjacent words that occur together far more often than their own
//! counts predict ("new york"), found in a corpus and joined into one token ("new_york"), as
//! word2vec.c's `word2phrase` and gensim's `Phrases` do, so that training gives each phrase
//! a vector of its own.
//!
//! With `count(·)` over the whole corpus, `N` its tokens and `δ` the minimum count, a pair
//! `a b` scores
//! - [`PhraseScoring::Default`] (Mikolov et al. 2013, word2phrase):
//!   `(count(a b) − δ) / (count(a) · count(b)) · N`. The `δ` discounts pairs seen too rarely
//!   to tell; `N` makes the score the ratio of the pair's frequency to what independent
//!   words would give, less the discount, so the threshold (100 by default) does not move
//!   with the corpus's size.
//! - [`PhraseScoring::Npmi`] (Bouma 2009, gensim's `npmi`): normalized pointwise mutual
//!   information, `ln(p(a b) / (p(a) · p(b))) / −ln p(a b)` with `p(x) = count(x) / N`,
//!   between −1 and 1; a pair seen fewer than `δ` times scores −∞.
//!
//! A pair is joined when both words occur at least `δ` times and its score is above the
//! threshold. With connector words ([`PhraseOptions::connectors`], gensim 4's), `a b` is
//! also any two other words with only connector words between them ("bank of america"),
//! scored as a pair is and joined whole. Pairs are counted within lines (a line of more than
//! [`MAX_SENTENCE_TOKENS`](crate::corpus::MAX_SENTENCE_TOKENS) tokens is cut, as training
//! cuts it). A line is rewritten left to right: a joined pair becomes one token and the word
//! after it starts afresh, so one pass makes phrases of two words, and a second pass over
//! its output can join those into longer ones (word2vec.c's demo runs two, thresholds 200
//! and then 100).
//!
//! The corpus is read three times, on every core: counting its words, counting the pairs
//! of words frequent enough to score, and rewriting it ([`Phrases::rewrite`]). The phrases
//! found ([`FrozenPhrases`]) can be saved and joined in other text later.

mod connectors;
mod count;
mod frozen;
mod key_hash;
mod rewrite;

use std::path::Path;

use crate::corpus::{Corpus, CorpusStats, ReadOptions, ReadProgress, TextSource};
use crate::error::{Error, Result};
use crate::vocab::Vocab;
use connectors::{Connectors, key_parts, phrase_key};
pub use connectors::{ENGLISH_CONNECTOR_WORDS, MAX_BETWEEN, MAX_CONNECTOR_WORDS};
pub use frozen::FrozenPhrases;
use key_hash::KeyMap;
pub use rewrite::Rewritten;

/// Distinct pairs counted at once by default before the rarest are pruned (gensim's
/// `max_vocab_size`; about 1 GiB).
pub const DEFAULT_PAIR_LIMIT: usize = 40_000_000;

/// How a pair of words is scored (see the [module](self) docs for the formulas).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PhraseScoring {
    /// word2phrase's: the pair's frequency over that of independent words, discounted.
    #[default]
    Default,
    /// Normalized pointwise mutual information, in [−1, 1].
    Npmi,
}

/// How to find phrases.
#[derive(Clone, Debug)]
pub struct PhraseOptions {
    /// Words seen fewer times never join, and the default score subtracts it from the pair's
    /// count.
    pub min_count: u64,
    /// Pairs scoring above it are joined.
    pub threshold: f64,
    /// How pairs are scored.
    pub scoring: PhraseScoring,
    /// What joins the words of a phrase.
    pub delimiter: String,
    /// Words that may stand inside a phrase but never begin or end one (gensim's
    /// `connector_words`; [`ENGLISH_CONNECTOR_WORDS`] is its English set); none by default.
    pub connectors: Vec<String>,
    /// Distinct words the first pass counts at once ([`ReadOptions::count_limit`]).
    pub count_limit: usize,
    /// Distinct pairs counted at once; past it the rarest are pruned, as distinct words are
    /// ([`ReadOptions::count_limit`]).
    pub pair_limit: usize,
    /// Threads that read; `None` uses every core.
    pub threads: Option<usize>,
    /// Where reading reports how far it has got; `None` for nowhere.
    pub progress: Option<ReadProgress>,
}

impl Default for PhraseOptions {
    fn default() -> Self {
        PhraseOptions {
            min_count: 5,
            threshold: 100.0,
            scoring: PhraseScoring::Default,
            delimiter: "_".to_string(),
            connectors: Vec::new(),
            count_limit: crate::corpus::DEFAULT_COUNT_LIMIT,
            pair_limit: DEFAULT_PAIR_LIMIT,
            threads: None,
            progress: None,
        }
    }
}

impl PhraseOptions {
    /// Refuses options that cannot find phrases or would write a corpus that reads back
    /// differently.
    pub fn check(&self) -> Result<()> {
        let refuse = |option, reason: &str| {
            Err(Error::InvalidOption {
                option,
                reason: reason.to_string(),
            })
        };
        if self.min_count == 0 {
            return refuse("min-count", "must be at least 1");
        }
        if !self.threshold.is_finite() {
            return refuse("threshold", "must be a finite number");
        }
        if self.scoring == PhraseScoring::Npmi && !(-1.0..=1.0).contains(&self.threshold) {
            return refuse(
                "threshold",
                "npmi scores lie in [-1, 1]: give a threshold there",
            );
        }
        check_delimiter(&self.delimiter)?;
        Connectors::new(&self.connectors)?;
        if self.count_limit == 0 {
            return refuse("count-limit", "must be at least 1");
        }
        if self.pair_limit == 0 {
            return refuse("pair-limit", "must be at least 1");
        }
        Ok(())
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            lowercase: false,
            min_count: self.min_count,
            count_limit: self.count_limit,
            threads: self.threads,
            progress: self.progress.clone(),
            ..ReadOptions::default()
        }
    }
}

/// Refuses a delimiter that would make a phrase read back as other than one token.
fn check_delimiter(delimiter: &str) -> Result<()> {
    let reason = if delimiter.is_empty() {
        "must not be empty"
    } else if delimiter
        .bytes()
        .any(|b| b == b'\n' || crate::corpus::separates_tokens(b))
    {
        "must not contain white space"
    } else {
        return Ok(());
    };
    Err(Error::InvalidOption {
        option: "delimiter",
        reason: reason.to_string(),
    })
}

/// One phrase found: its two words, the connector words between them, how often they occur
/// so, and its score.
#[derive(Clone, Debug, PartialEq)]
pub struct Phrase {
    /// The first word.
    pub first: String,
    /// The connector words between the two (none without connector words).
    pub between: Vec<String>,
    /// The second word.
    pub second: String,
    /// Times the phrase occurs (counted within lines).
    pub count: u64,
    /// Its score under the options' scoring.
    pub score: f64,
}

/// The counts of a corpus that decide its phrases: its words frequent enough to join, and
/// the pairs of them seen side by side; and the phrases they make.
#[derive(Debug)]
pub struct Phrases {
    words: Vocab,
    /// Counts by [`phrase_key`].
    pairs: KeyMap<u64>,
    connectors: Connectors,
    tokens: u64,
    stats: CorpusStats,
    pairs_pruned_below: u64,
    options: PhraseOptions,
    frozen: FrozenPhrases,
}

impl Phrases {
    /// Counts the words and pairs of a corpus file (plain UTF-8 or gzip).
    pub fn learn(path: &Path, options: &PhraseOptions) -> Result<Phrases> {
        Phrases::learn_from(&TextSource::file(path)?, path, options)
    }

    /// Counts the words and pairs of a text in memory (plain UTF-8 or gzip); `name` names it
    /// in errors.
    pub fn learn_text(text: &[u8], name: &Path, options: &PhraseOptions) -> Result<Phrases> {
        Phrases::learn_from(&TextSource::Memory(text), name, options)
    }

    fn learn_from(text: &TextSource<'_>, name: &Path, options: &PhraseOptions) -> Result<Phrases> {
        options.check()?;
        let read = options.read_options();
        let counted = Corpus::count_words(text, name, &read)?;
        let mut stats = counted.stats;
        stats.pruned_below = counted.pruned_below;
        if stats.raw_tokens == 0 {
            return Err(Error::EmptyCorpus {
                path: name.to_path_buf(),
            });
        }
        // A word rarer than the minimum never joins, so its pairs need no counting.
        let words = Vocab::from_counts(counted.counts, options.min_count, None);
        let connectors = Connectors::new(&options.connectors)?;
        let (pairs, pairs_pruned_below) =
            count::count_pairs(text, name, options, &words, &connectors)?;
        let counts = Counts {
            words: &words,
            pairs: &pairs,
            connectors: &connectors,
            tokens: stats.raw_tokens,
            options,
        };
        let found = counts.above_threshold();
        let frozen = FrozenPhrases::new(found, &options.delimiter, &options.connectors)?;
        Ok(Phrases {
            tokens: stats.raw_tokens,
            words,
            pairs,
            connectors,
            stats,
            pairs_pruned_below,
            options: options.clone(),
            frozen,
        })
    }

    fn counts(&self) -> Counts<'_> {
        Counts {
            words: &self.words,
            pairs: &self.pairs,
            connectors: &self.connectors,
            tokens: self.tokens,
            options: &self.options,
        }
    }

    /// The phrases found, to join in other text or to save.
    pub fn frozen(&self) -> &FrozenPhrases {
        &self.frozen
    }

    /// The phrases found, without the counts.
    pub fn freeze(self) -> FrozenPhrases {
        self.frozen
    }

    /// Tokens of the corpus (`N` in the scores).
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// What reading the corpus saw.
    pub fn stats(&self) -> &CorpusStats {
        &self.stats
    }

    /// Words frequent enough to join.
    pub fn words(&self) -> &Vocab {
        &self.words
    }

    /// Distinct pairs of such words counted.
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// 0, or the largest count of a pair that pruning may have dropped to stay within
    /// [`PhraseOptions::pair_limit`] (pair counts are then approximate).
    pub fn pairs_pruned_below(&self) -> u64 {
        self.pairs_pruned_below
    }

    /// The options the phrases were found with.
    pub fn options(&self) -> &PhraseOptions {
        &self.options
    }

    /// The score of `a b` (side by side); `None` where either word is rarer than the minimum
    /// count or the pair never occurs.
    pub fn score(&self, a: &str, b: &str) -> Option<f64> {
        let key = phrase_key(self.words.id(a)?, 0, self.words.id(b)?);
        self.counts().score(key)
    }

    /// Whether `a b` is joined into a phrase.
    pub fn joins(&self, a: &str, b: &str) -> bool {
        self.score(a, b)
            .is_some_and(|score| score > self.options.threshold)
    }

    /// Every phrase found, highest score first (ties in word order).
    pub fn phrases(&self) -> Vec<Phrase> {
        self.frozen.phrases()
    }

    /// The words of one sentence with its phrases joined, left to right as a corpus line is.
    pub fn apply<S: AsRef<str>>(&self, sentence: &[S]) -> Vec<String> {
        self.frozen.apply(sentence)
    }

    /// Writes `input` to `output` with its phrases joined (atomically: `output` is complete
    /// or untouched), on the options' threads. Each line stays a line, its tokens separated by
    /// one space.
    pub fn rewrite(&self, input: &Path, output: &Path) -> Result<Rewritten> {
        let options = &self.options;
        self.frozen
            .rewrite(input, output, options.threads, options.progress.as_ref())
    }
}

/// What scores a pair: the counts of its words and of itself, in a corpus of `tokens`.
struct Counts<'a> {
    words: &'a Vocab,
    pairs: &'a KeyMap<u64>,
    connectors: &'a Connectors,
    tokens: u64,
    options: &'a PhraseOptions,
}

impl Counts<'_> {
    /// The score of the phrase of `key`, if it occurs.
    fn score(&self, key: u128) -> Option<f64> {
        let pair = *self.pairs.get(&key)?;
        let (a, _, b) = key_parts(key);
        let counts = self.words.counts();
        let (first, second) = (counts[a as usize], counts[b as usize]);
        let (scoring, min_count) = (self.options.scoring, self.options.min_count);
        Some(score(scoring, min_count, self.tokens, first, second, pair))
    }

    /// Every pair scoring above the threshold, in no order.
    fn above_threshold(&self) -> Vec<Phrase> {
        self.pairs
            .iter()
            .filter_map(|(&key, &count)| {
                let score = self.score(key)?;
                let (a, between, b) = key_parts(key);
                (score > self.options.threshold).then(|| Phrase {
                    first: self.words.word(a).to_string(),
                    between: self.connectors.unpack(between),
                    second: self.words.word(b).to_string(),
                    count,
                    score,
                })
            })
            .collect()
    }
}

/// The score of a pair seen `pair` times whose words are seen `first` and `second` times, in
/// a corpus of `tokens` tokens. The operations are gensim's, in its order, so that the same
/// counts give the same bits.
fn score(
    scoring: PhraseScoring,
    min_count: u64,
    tokens: u64,
    first: u64,
    second: u64,
    pair: u64,
) -> f64 {
    match scoring {
        PhraseScoring::Default => {
            let excess = (i128::from(pair) - i128::from(min_count)) as f64;
            excess / (u128::from(first) * u128::from(second)) as f64 * tokens as f64
        }
        PhraseScoring::Npmi => {
            if pair < min_count {
                return f64::NEG_INFINITY;
            }
            if pair == tokens {
                // p(a b) = 1: the pair is the whole corpus, as associated as can be.
                return 1.0;
            }
            let n = tokens as f64;
            let (pa, pb, pab) = (first as f64 / n, second as f64 / n, pair as f64 / n);
            (pab / (pa * pb)).ln() / -pab.ln()
        }
    }
}
