//! The fast paths of the CPU update checked against the reference (`STYLE.md`, idiom 1).
//!
//! The reference is [`train_batch_portable`] on [`PlainRows`]: portable arithmetic on one
//! thread's own memory. The fast paths are the AVX2 build of the same code (what
//! [`train_batch`] runs where the processor has AVX2) and the shared tables with each
//! [`Access`]. All compute the same f32 operations in the same order, so they must give the
//! same bits, not merely close values.

use crate::batch::Batch;
use crate::config::Model;
use crate::cpu::simd::Access;
use crate::cpu::subword_update::{SubwordBatch, train_batch_subwords};
use crate::cpu::tables::{PlainRows, SharedTable};
use crate::cpu::update::{Scratch, train_batch_portable, train_batch_with};
use crate::huffman::HuffmanTree;
use crate::rng;
use crate::sampling::NegativeSampler;
use crate::subwords::{SubwordIndex, SubwordSettings};
use crate::training::{LossSum, Objective, UpdateShape};

/// Sentences of 1 to 12 words drawn from `words` words.
fn batch(words: u32, sentences: u32, seed: u32) -> Batch {
    let mut batch = Batch::new();
    let keep = vec![1.0; words as usize];
    let mut position = 0;
    for s in 0..sentences {
        let len = 1 + rng::draw(seed, rng::Stream::Init, s, 0) % 12;
        let sentence: Vec<u32> = (0..len)
            .map(|t| rng::draw(seed, rng::Stream::Init, s, 1 + t) % words)
            .collect();
        batch.push_sentence(&sentence, position, &keep, 0);
        position += len;
    }
    batch
}

fn bits(values: impl IntoIterator<Item = f32>) -> Vec<u32> {
    values.into_iter().map(f32::to_bits).collect()
}

#[test]
fn every_path_trains_the_same_bits_as_the_reference() {
    if Access::detect() == Access::Cells {
        eprintln!("this processor has no AVX: the 16-byte moves are not tested");
    }
    // Few words: rows repeat within updates (a context word twice, a negative drawn twice).
    // Odd widths: rows start at every offset from a 16-byte boundary.
    for (words, dim) in [(8u32, 1usize), (8, 3), (8, 17), (300, 100), (300, 30)] {
        // Negative sampling, hierarchical softmax alone, and both.
        let objectives = [(5, false), (0, true), (5, true)];
        let models = [Model::SkipGram, Model::Cbow, Model::BatchSkipGram];
        let cases = models.iter().flat_map(|&m| objectives.map(|o| (m, o)));
        for (model, (negative, hs)) in cases {
            if hs && model == Model::BatchSkipGram {
                continue;
            }
            let shape = UpdateShape {
                model,
                dim,
                window: 4,
                negative,
            };
            let counts: Vec<u64> = (1..=u64::from(words)).map(|r| 1000 / r + 1).collect();
            let sampler = NegativeSampler::new(&counts, 0.75);
            let tree = HuffmanTree::new(&counts, crate::huffman::Ties::Leaves);
            let first_tree_row = if negative > 0 { words } else { 0 };
            let objective = Objective {
                negatives: (negative > 0).then_some(&sampler),
                tree: hs.then_some((&tree, first_tree_row)),
            };
            let output_rows = first_tree_row as usize + if hs { tree.inner_nodes() } else { 0 };
            let batches: Vec<Batch> = (0..3).map(|seed| batch(words, 40, seed)).collect();
            let input: Vec<f32> = rng::uniform_values(words as usize * dim, 3);
            let output: Vec<f32> = rng::uniform_values(output_rows * dim, 4);
            let (mut want_in, mut want_out) = (input.clone(), output.clone());
            let mut want_loss = LossSum::default();
            // Scratch for no path: long paths grow it.
            let mut scratch = Scratch::new(&shape);
            for (key, b) in batches.iter().enumerate() {
                want_loss.add(train_batch_portable(
                    &shape,
                    &mut PlainRows::new(&mut want_in, dim),
                    &mut PlainRows::new(&mut want_out, dim),
                    &objective,
                    b,
                    key as u32,
                    0.1,
                    &mut scratch,
                ));
            }
            assert_ne!(
                bits(want_in.clone()),
                bits(input.clone()),
                "nothing trained"
            );
            let case = format!("{model:?} negative {negative} hs {hs} d{dim}, {words} words");

            let (mut got_in, mut got_out) = (input.clone(), output.clone());
            let mut got_loss = LossSum::default();
            for (key, b) in batches.iter().enumerate() {
                got_loss.add(train_batch_with(
                    &shape,
                    &mut PlainRows::new(&mut got_in, dim),
                    &mut PlainRows::new(&mut got_out, dim),
                    &objective,
                    b,
                    key as u32,
                    0.1,
                    &mut scratch,
                ));
            }
            assert_eq!(bits(got_in), bits(want_in.clone()), "{case}, plain");
            assert_eq!(bits(got_out), bits(want_out.clone()), "{case}, plain");
            assert_eq!(got_loss, want_loss, "{case}, plain");

            for access in [Access::Cells, Access::Quads] {
                for portable in [false, true] {
                    let mut shared_in = SharedTable::with_access(input.clone(), dim, access);
                    let mut shared_out = SharedTable::with_access(output.clone(), dim, access);
                    let mut got_loss = LossSum::default();
                    for (key, b) in batches.iter().enumerate() {
                        let run = if portable {
                            train_batch_portable
                        } else {
                            train_batch_with
                        };
                        got_loss.add(run(
                            &shape,
                            &mut shared_in.rows(),
                            &mut shared_out.rows(),
                            &objective,
                            b,
                            key as u32,
                            0.1,
                            &mut scratch,
                        ));
                    }
                    let path = format!("{case}, shared {:?}, portable {portable}", access);
                    assert_eq!(bits(shared_in.values()), bits(want_in.clone()), "{path}");
                    assert_eq!(bits(shared_out.values()), bits(want_out.clone()), "{path}");
                    assert_eq!(got_loss, want_loss, "{path}");
                }
            }
        }
    }
}

/// The subword update on shared tables (each [`Access`], rows summed and moved a list at a
/// time) against the same update on [`PlainRows`] (row by row), bit for bit.
#[test]
fn subword_updates_on_shared_tables_train_the_reference_bits() {
    let words = [
        "a",
        "the",
        "then",
        "there",
        "cats",
        "catalogue",
        "category",
        "x",
    ];
    for dim in [3usize, 8, 17, 100] {
        for model in [Model::SkipGram, Model::Cbow] {
            let settings = SubwordSettings {
                minn: 3,
                maxn: 6,
                bucket: 40,
            };
            let index = SubwordIndex::new(&words, settings).expect("valid settings");
            let shape = UpdateShape {
                model,
                dim,
                window: 4,
                negative: 5,
            };
            let counts: Vec<u64> = (1..=words.len() as u64).map(|r| 100 / r + 1).collect();
            let sampler = NegativeSampler::new(&counts, 0.75);
            let batches: Vec<Batch> = (0..3).map(|seed| batch(8, 30, seed)).collect();
            let input: Vec<f32> = rng::uniform_values(index.table_rows() * dim, 3);
            let output: Vec<f32> = rng::uniform_values(words.len() * dim, 4);
            let train = |input: &mut dyn FnMut(&SubwordBatch<'_>, &mut Scratch) -> LossSum| {
                let mut scratch = Scratch::new(&shape);
                let mut loss = LossSum::default();
                for (key, b) in batches.iter().enumerate() {
                    let work = SubwordBatch {
                        shape: &shape,
                        index: &index,
                        objective: Objective::negative_sampling(&sampler),
                        batch: b,
                        key: key as u32,
                        alpha: 0.1,
                    };
                    loss.add(input(&work, &mut scratch));
                }
                loss
            };
            let (mut want_in, mut want_out) = (input.clone(), output.clone());
            let want_loss = train(&mut |work, s| {
                let mut rows = Vec::new();
                let mut input = PlainRows::new(&mut want_in, dim);
                let mut output = PlainRows::new(&mut want_out, dim);
                train_batch_subwords(work, &mut input, &mut output, s, &mut rows)
            });
            assert_ne!(
                bits(want_in.clone()),
                bits(input.clone()),
                "nothing trained"
            );
            for access in [Access::Cells, Access::Quads] {
                let mut shared_in = SharedTable::with_access(input.clone(), dim, access);
                let mut shared_out = SharedTable::with_access(output.clone(), dim, access);
                let got_loss = train(&mut |work, s| {
                    let (mut input, mut output) = (shared_in.rows(), shared_out.rows());
                    train_batch_subwords(work, &mut input, &mut output, s, &mut Vec::new())
                });
                let path = format!("{model:?} d{dim}, shared {access:?}");
                assert_eq!(bits(shared_in.values()), bits(want_in.clone()), "{path}");
                assert_eq!(bits(shared_out.values()), bits(want_out.clone()), "{path}");
                assert_eq!(got_loss, want_loss, "{path}");
            }
        }
    }
}
