//! Whether a checkpoint continues a run: the same settings, vocabulary and text.

use std::path::Path;

use crate::checkpoint::{Checkpoint, CorpusFingerprint};
use crate::config::{Model, TrainParams};
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::huffman::Ties;
use crate::subwords::SubwordSettings;
use crate::training::Position;

impl Checkpoint {
    /// Checks that this checkpoint continues a run of `params` on `corpus`: every setting
    /// that shapes training equal (threads and `deterministic` may differ), the same
    /// vocabulary, the same text. `path` names the checkpoint in messages.
    pub fn verify(&self, params: &TrainParams, corpus: &Corpus, path: &Path) -> Result<()> {
        self.verify_part(params, corpus, path, &self.corpus, &self.state.position)
    }

    /// [`Checkpoint::verify`] for the part of a run that trains `corpus` from `position`
    /// (`share` its fingerprint): one rank's share of a distributed run.
    pub(crate) fn verify_part(
        &self,
        params: &TrainParams,
        corpus: &Corpus,
        path: &Path,
        share: &CorpusFingerprint,
        position: &Position,
    ) -> Result<()> {
        let differences = setting_differences(&self.params, params);
        if !differences.is_empty() {
            return Err(Error::Mismatch(format!(
                "checkpoint {} was written with other settings: {}; give the settings of the interrupted run",
                path.display(),
                differences.join(", ")
            )));
        }
        let here = &corpus.vocab;
        let mismatch = |what: String| {
            Error::Mismatch(format!(
                "corpus {} does not match checkpoint {}: {what}; give the corpus the checkpoint was trained on",
                corpus.source.display(),
                path.display()
            ))
        };
        if here.len() != self.vocab.len() {
            return Err(mismatch(format!(
                "its vocabulary has {} words, the checkpoint's {}",
                here.len(),
                self.vocab.len()
            )));
        }
        for id in 0..here.len() {
            let (word, count) = (here.word(id as u32), here.counts()[id]);
            let (saved, saved_count) = (self.vocab.word(id as u32), self.vocab.counts()[id]);
            if word != saved || count != saved_count {
                return Err(mismatch(format!(
                    "word {} of its vocabulary is {word:?} (count {count}), the checkpoint's is {saved:?} (count {saved_count})",
                    id + 1
                )));
            }
        }
        let fingerprint = CorpusFingerprint::of(corpus);
        if fingerprint != *share {
            return Err(mismatch(format!(
                "same vocabulary but other text ({} tokens in {} sentences, the checkpoint's {} in {})",
                fingerprint.tokens, fingerprint.sentences, share.tokens, share.sentences
            )));
        }
        let p = position;
        if p.epoch > params.epochs as u64 {
            return Err(mismatch(format!("epoch {} is past the last", p.epoch)));
        }
        let chunks = corpus.chunks(p.chunk_tokens as usize).len() as u64;
        if p.next_chunk > chunks {
            return Err(mismatch(format!(
                "chunk {} is past the last ({chunks})",
                p.next_chunk
            )));
        }
        Ok(())
    }
}

/// Each setting that differs between a checkpoint's (`saved`) and this run's (`now`), as
/// `--option saved (checkpoint) vs now (this run)`.
pub fn setting_differences(saved: &TrainParams, now: &TrainParams) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("--{name} {a} (checkpoint) vs {b} (this run)"));
        }
    };
    let model = |m: Model| match m {
        Model::SkipGram => "skipgram".to_string(),
        Model::Cbow => "cbow".to_string(),
        Model::BatchSkipGram => "batch-skipgram".to_string(),
    };
    check("model", model(saved.model), model(now.model));
    check("dim", saved.dim.to_string(), now.dim.to_string());
    check("window", saved.window.to_string(), now.window.to_string());
    check(
        "negative",
        saved.negative.to_string(),
        now.negative.to_string(),
    );
    check("hs", saved.hs.to_string(), now.hs.to_string());
    if saved.hs && now.hs {
        let ties = |t: Ties| match t {
            Ties::Leaves => "leaves".to_string(),
            Ties::Nodes => "nodes".to_string(),
        };
        check("hs-ties", ties(saved.hs_ties), ties(now.hs_ties));
    }
    // Floats compare bitwise: a resumed run must use exactly the same learning rates.
    let f32s = |x: f32| format!("{x:?}");
    let f64s = |x: f64| format!("{x:?}");
    check("alpha", f32s(saved.alpha), f32s(now.alpha));
    check("min-alpha", f32s(saved.min_alpha), f32s(now.min_alpha));
    check("epochs", saved.epochs.to_string(), now.epochs.to_string());
    check(
        "min-count",
        saved.min_count.to_string(),
        now.min_count.to_string(),
    );
    let cap = |m: Option<usize>| m.map_or("none".to_string(), |m| m.to_string());
    check("max-vocab", cap(saved.max_vocab), cap(now.max_vocab));
    check("sample", f64s(saved.sample), f64s(now.sample));
    check(
        "ns-exponent",
        f64s(saved.ns_exponent),
        f64s(now.ns_exponent),
    );
    check("seed", saved.seed.to_string(), now.seed.to_string());
    check(
        "lowercase",
        saved.lowercase.to_string(),
        now.lowercase.to_string(),
    );
    check("parts", saved.parts.to_string(), now.parts.to_string());
    let subwords = |s: Option<SubwordSettings>| {
        s.map_or("off".to_string(), |s| {
            format!("minn {} maxn {} bucket {}", s.minn, s.maxn, s.bucket)
        })
    };
    check("subwords", subwords(saved.subwords), subwords(now.subwords));
    out
}
