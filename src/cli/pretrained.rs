//! `train --pretrained-vectors`: a run whose input rows start from vectors trained before
//! (gensim's `intersect_word2vec_format`, fastText's `-pretrainedVectors`).

use std::path::{Path, PathBuf};

use crate::Embeddings;
use crate::cli::say::note;
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::training::Resume;
use anyhow::Context;

/// Vectors a run starts from, and the file they came from (for messages).
pub struct Pretrained {
    /// The vectors.
    pub vectors: Embeddings,
    /// Their file.
    pub path: PathBuf,
}

impl Pretrained {
    /// Reads `path` (any vector format, detected), refusing vectors whose dimension is not
    /// `params`'s now rather than after the corpus is read.
    pub fn read(path: &Path, params: &TrainParams) -> anyhow::Result<Pretrained> {
        let vectors = crate::read_vectors(path)?;
        if vectors.dim() != params.dim {
            return Err(crate::Error::InvalidOption {
                option: "pretrained-vectors",
                reason: format!(
                    "{} holds vectors of {} dimensions and the run trains {}: give --dim {}",
                    path.display(),
                    vectors.dim(),
                    params.dim,
                    vectors.dim()
                ),
            }
            .into());
        }
        Ok(Pretrained {
            vectors,
            path: path.to_path_buf(),
        })
    }

    /// Where a run starts: `resume` where there is one, else with `pretrained` a fresh start
    /// from those vectors ([`Pretrained::start`]), else nothing (the driver's fresh start).
    pub fn or_start(
        pretrained: Option<&Pretrained>,
        resume: Option<Resume>,
        corpus: &Corpus,
        params: &TrainParams,
        chunk_tokens: usize,
        say: bool,
    ) -> anyhow::Result<Option<Resume>> {
        match (resume, pretrained) {
            (None, Some(pretrained)) => {
                Ok(Some(pretrained.start(corpus, params, chunk_tokens, say)?))
            }
            (resume, _) => Ok(resume),
        }
    }

    /// A fresh start in chunks of `chunk_tokens` whose words' input rows are these vectors
    /// where they have one; says how many had one where `say` (rank 0, or a run alone).
    pub fn start(
        &self,
        corpus: &Corpus,
        params: &TrainParams,
        chunk_tokens: usize,
        say: bool,
    ) -> anyhow::Result<Resume> {
        let (start, found) =
            Resume::fresh_from_vectors(corpus, params, chunk_tokens, &self.vectors)
                .with_context(|| format!("cannot start from {}", self.path.display()))?;
        if say {
            let words = corpus.vocab.len();
            note!(
                "starting {found} of {words} words ({:.1}%) from {}{}",
                100.0 * found as f64 / words.max(1) as f64,
                self.path.display(),
                if found == 0 {
                    "; none matched (words are matched exactly: --lowercase?)"
                } else {
                    ""
                }
            );
        }
        Ok(start)
    }
}
