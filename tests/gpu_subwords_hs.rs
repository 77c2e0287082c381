//! The second training kernel with subwords and hierarchical softmax together (fastText's
//! `-loss hs`) against its CPU twin, `train_batch_subwords` with a Huffman tree: one step on
//! a random batch with one centre in flight, alone and beside negatives, for the variants
//! this adapter runs; and every centre trained once with many in flight. The cases, steps and
//! tolerance are tests/gpu_subwords.rs's.

use crate::common;
use crate::gpu_subwords::{case_of, each_centre_once, one_case};

use common::kernel_checks::v2_variants;
use common::{gpu, serial};
use vectrain::config::Model;

/// `one_case` for the variants this adapter runs, as tests/gpu_hs.rs picks them: the
/// trainer's defaults and compare-exchange with the tree reduction at 64 lanes; without
/// negatives also the other reduction at a workgroup size GPUs get (lanes without a
/// dimension at d = 3 and 100).
fn every_variant(model: Model, dim: usize, negative: usize) {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    let gpu_size = if dim <= 3 { 32 } else { 256 };
    let case = case_of(model, dim, negative, true, 7 + dim as u64, 400, 29);
    for options in v2_variants((negative == 0).then_some(gpu_size)) {
        one_case(&case, options);
    }
}

#[test]
fn skipgram_subwords_hs_step_matches_cpu_dim_3() {
    every_variant(Model::SkipGram, 3, 0);
}

#[test]
fn skipgram_subwords_hs_step_matches_cpu_dim_100() {
    every_variant(Model::SkipGram, 100, 0);
    every_variant(Model::SkipGram, 100, 5);
}

#[test]
fn cbow_subwords_hs_step_matches_cpu_dim_3() {
    every_variant(Model::Cbow, 3, 0);
}

#[test]
fn cbow_subwords_hs_step_matches_cpu_dim_100() {
    every_variant(Model::Cbow, 100, 0);
    every_variant(Model::Cbow, 100, 5);
}

/// With many workgroups in flight (Hogwild), every centre is still trained exactly once.
#[test]
fn every_centre_is_trained_exactly_once_with_subwords_and_hs() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    for (model, negative) in [(Model::SkipGram, 0), (Model::Cbow, 2)] {
        each_centre_once(&case_of(model, 20, negative, true, 11, 3000, 97));
    }
}
