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
    let fasttext_output = fasttext_output(params, plan, &output);
    let model = subword_model(corpus, params, index, input, fasttext_output);
    Ok(Trained {
        embeddings: Embeddings::new(corpus.vocab.clone(), params.dim, model.word_vectors())?,
        subwords: Some(model),
        output,
        stats,
    })
}

/// fastText's loss codes (`loss_name`): hierarchical softmax and negative sampling.
const FASTTEXT_HS: i32 = 1;
const FASTTEXT_NS: i32 = 2;

/// The output layer of a run's `output` table as fastText's `.bin` holds it, and its loss
/// code. fastText trains one loss per model:
/// - negative sampling: the words' rows as they are;
/// - hierarchical softmax alone: a row per word, inner node `i`'s row in row `i` (fastText
///   numbers the nodes of the same tree, built from the same counts, in the order they are
///   made, as [`crate::huffman`] does), negated, the last row zero. fastText scores node `n`
///   with label `turn`, word2vec.c and vectrain with `1 - turn`, and σ(-x) = 1 - σ(x).
/// - both (`--hs` with negatives): negative sampling's rows only, as a negative-sampling
///   model; the tree's rows have no place in a `.bin`.
fn fasttext_output(params: &TrainParams, plan: &TrainingPlan, output: &[f32]) -> OutputLayer {
    let words = plan.sampler.len() * params.dim;
    match &plan.tree {
        Some(_) if params.negative == 0 => {
            let mut rows = vec![0.0; words];
            let tree_rows = &output[plan.first_tree_row as usize * params.dim..];
            rows.iter_mut()
                .zip(tree_rows)
                .for_each(|(row, &value)| *row = -value);
            OutputLayer {
                loss: FASTTEXT_HS,
                rows,
            }
        }
        _ => OutputLayer {
            loss: FASTTEXT_NS,
            rows: output[..words.min(output.len())].to_vec(),
        },
    }
}

/// A subword model's output table and the fastText loss code it was trained with.
struct OutputLayer {
    loss: i32,
    rows: Vec<f32>,
}

/// The subword model of a run of `params` on `corpus` with these tables.
fn subword_model(
    corpus: &Corpus,
    params: &TrainParams,
    index: &SubwordIndex,
    input: Vec<f32>,
    output: OutputLayer,
) -> SubwordModel {
    SubwordModel {
        words: corpus.vocab.words().to_vec(),
        counts: corpus.vocab.counts().to_vec(),
        dim: params.dim,
        index: index.clone(),
        input,
        output: output.rows,
        args: recorded_args(params, output.loss),
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
    let output = OutputLayer {
        loss: FASTTEXT_NS,
        rows: Vec::new(),
    };
    let model = subword_model(corpus, params, index, input, output);
    Embeddings::new(corpus.vocab.clone(), params.dim, model.word_vectors())
}

/// The run's settings as a fastText header records them, with loss code `loss`.
fn recorded_args(params: &TrainParams, loss: i32) -> RecordedArgs {
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
        loss,
        lr_update_rate: FASTTEXT_LR_UPDATE_RATE,
        sample: params.sample,
    }
}
