//! What a finished run gives back: the word vectors, and with subwords the whole model.

use crate::config::{Model, TrainParams};
use crate::corpus::Corpus;
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::subwords::{RecordedArgs, SubwordIndex, SubwordModel};
use crate::training::control::Trained;
use crate::training::plan::TrainingPlan;
use crate::training::stats::TrainStats;

/// fastText's default interval of learning-rate updates (`-lrUpdateRate`), recorded in a
/// `.bin` header; vectrain steps its rate per chunk instead, so it has no value of its own.
const FASTTEXT_LR_UPDATE_RATE: i32 = 100;

/// The model trained from `input` and `output` (the tables at the end of the run).
pub fn trained(
    corpus: &Corpus,
    params: &TrainParams,
    plan: &TrainingPlan,
    input: Vec<f32>,
    output: Vec<f32>,
    stats: TrainStats,
) -> Result<Trained> {
    let Some(index) = &plan.subwords else {
        return Ok(Trained {
            embeddings: Embeddings::new(corpus.vocab.clone(), params.dim, input)?,
            subwords: None,
            output,
            stats,
        });
    };
    let model = subword_model(corpus, params, index, input, output.clone());
    Ok(Trained {
        embeddings: Embeddings::new(corpus.vocab.clone(), params.dim, model.word_vectors())?,
        subwords: Some(model),
        output,
        stats,
    })
}

/// The subword model of a run of `params` on `corpus` with these tables.
fn subword_model(
    corpus: &Corpus,
    params: &TrainParams,
    index: &SubwordIndex,
    input: Vec<f32>,
    output: Vec<f32>,
) -> SubwordModel {
    SubwordModel {
        words: corpus.vocab.words().to_vec(),
        counts: corpus.vocab.counts().to_vec(),
        dim: params.dim,
        index: index.clone(),
        input,
        output,
        args: recorded_args(params),
    }
}

/// The word vectors of the input table `input` as it stands mid-run: what [`trained`] would
/// give for it (with subwords, each word's mean of its own row and its n-gram rows).
pub fn word_embeddings(
    corpus: &Corpus,
    params: &TrainParams,
    plan: &TrainingPlan,
    input: Vec<f32>,
) -> Result<Embeddings> {
    let Some(index) = &plan.subwords else {
        return Embeddings::new(corpus.vocab.clone(), params.dim, input);
    };
    // A word's vector reads the input table only: the output table is left empty.
    let model = subword_model(corpus, params, index, input, Vec::new());
    Embeddings::new(corpus.vocab.clone(), params.dim, model.word_vectors())
}

/// The run's settings as a fastText header records them.
fn recorded_args(params: &TrainParams) -> RecordedArgs {
    let clamp = |value: usize| i32::try_from(value).unwrap_or(i32::MAX);
    RecordedArgs {
        // fastText's codes: 1 CBOW, 2 skip-gram (batch skip-gram never has subwords).
        model: match params.model {
            Model::Cbow => 1,
            Model::SkipGram | Model::BatchSkipGram => 2,
        },
        window: clamp(params.window),
        epochs: clamp(params.epochs),
        min_count: i32::try_from(params.min_count).unwrap_or(i32::MAX),
        negative: clamp(params.negative),
        word_ngrams: 1,
        // Negative sampling.
        loss: 2,
        lr_update_rate: FASTTEXT_LR_UPDATE_RATE,
        sample: params.sample,
    }
}
