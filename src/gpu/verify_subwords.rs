//! The subword kernel's check for `vectrain verify`: one step with one centre in flight
//! against `train_batch_subwords`, on words whose n-grams share a few bucket rows, with
//! negative sampling or with hierarchical softmax alone (fastText's `-loss hs`).

use crate::config::Model;
use crate::cpu::subword_update::{SubwordBatch, train_batch_subwords};
use crate::cpu::tables::PlainRows;
use crate::cpu::update::Scratch;
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::step::{StepOptions, TrainState};
use crate::gpu::verify_inputs::{Values, compare_tables, random_batch, train_in_cpu_order};
use crate::huffman::HuffmanTree;
use crate::rng;
use crate::sampling::NegativeSampler;
use crate::subwords::{SubwordIndex, SubwordSettings};
use crate::training::{Objective, UpdateShape};

/// Tolerance of the subword check: |x - y| <= max(1e-5 |x|, 1e-5). As for the word kernels
/// the GPU rounds differently (dot-product order, fused multiply-adds); here a bucket row
/// takes the updates of every word whose n-grams hash to it, a few hundred in one step, so
/// the differences add up further (tests/gpu_subwords.rs measured 3.7e-6 on lavapipe).
const SUBWORD_TOLERANCE: (f32, f32) = (1e-5, 1e-5);

/// Words in the check's vocabulary.
const VOCAB: u32 = 40;

/// `VOCAB` distinct words of 1 to 10 letters (one of them two bytes in UTF-8), their
/// n-grams in 31 buckets: rows repeat within a word and across a window.
fn random_index(values: &mut Values) -> Result<SubwordIndex> {
    let letters = ['a', 'b', 'é', 'n', 's'];
    let words: Vec<String> = (0..VOCAB)
        .map(|i| {
            let len = 1 + values.below(10) as usize;
            let word: String = (0..len)
                .map(|_| letters[values.below(letters.len() as u32) as usize])
                .collect();
            format!("{word}{i}")
        })
        .collect();
    let settings = SubwordSettings {
        minn: 3,
        maxn: 6,
        bucket: 31,
    };
    SubwordIndex::new(&words, settings)
}

/// One step of the subword kernel (`options` choose its variant) with one workgroup, against
/// its CPU twin: whether every value matches, and the largest difference. With `hs` the
/// step scores against a Huffman tree's paths instead of negatives (the tree's rows being
/// the whole output table, as with `--hs --negative 0`).
pub(super) fn check_subword_step(
    ctx: &GpuContext,
    model: Model,
    dim: usize,
    options: StepOptions,
    hs: bool,
) -> Result<(bool, f32)> {
    let mut values = Values::new(5 + dim as u32);
    let index = random_index(&mut values)?;
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut values, VOCAB, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative: if hs { 0 } else { 5 },
    };
    let sampler = NegativeSampler::new(&counts, 0.75);
    let tree = hs.then(|| HuffmanTree::new(&counts, crate::huffman::Ties::Nodes));
    let output_rows = tree
        .as_ref()
        .map_or(VOCAB as usize, HuffmanTree::inner_nodes);
    let input: Vec<f32> = (0..index.table_rows() * dim)
        .map(|_| values.signed(0.5))
        .collect();
    let output: Vec<f32> = (0..output_rows * dim).map(|_| values.signed(0.5)).collect();
    let alpha = 0.05;

    let state = match &tree {
        Some(tree) => TrainState::with_subwords_and_tree(
            ctx, &shape, &input, &output, &sampler, &index, tree, 0, options,
        )?,
        None => TrainState::with_subwords(ctx, &shape, &input, &output, &sampler, &index, options)?,
    };
    let gpu = train_in_cpu_order(ctx, &state, &batch, alpha, key)?;

    let (mut cpu_input, mut cpu_output) = (input, output);
    let work = SubwordBatch {
        shape: &shape,
        index: &index,
        objective: match &tree {
            Some(tree) => Objective {
                negatives: None,
                tree: Some((tree, 0)),
            },
            None => Objective::negative_sampling(&sampler),
        },
        batch: &batch,
        key,
        alpha,
    };
    train_batch_subwords(
        &work,
        &mut PlainRows::new(&mut cpu_input, dim),
        &mut PlainRows::new(&mut cpu_output, dim),
        &mut Scratch::new(&shape),
        &mut Vec::new(),
    );
    Ok(compare_tables(
        &gpu,
        (&cpu_input, &cpu_output),
        SUBWORD_TOLERANCE,
    ))
}
