//! The output rows an update scores its input against, and their labels: the centre word's
//! and its negatives' (negative sampling), the inner nodes of its Huffman path
//! (hierarchical softmax), or both; the order is `crate::cpu::update`'s module docs'.

use crate::training::Objective;

/// The output rows of one update, each with its label (positive: 1, else 0).
#[derive(Debug, Default)]
pub(crate) struct Targets {
    rows: Vec<u32>,
    positive: Vec<bool>,
}

impl Targets {
    pub(super) fn with_capacity(capacity: usize) -> Targets {
        Targets {
            rows: Vec::with_capacity(capacity),
            positive: Vec::with_capacity(capacity),
        }
    }

    /// The rows, in update order.
    #[inline(always)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &u32> {
        self.rows.iter()
    }

    /// How many rows.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether row `k` has label 1.
    #[inline(always)]
    pub(super) fn is_positive(&self, k: usize) -> bool {
        self.positive[k]
    }
}

/// Fills `ids` with the outputs of an update of `centre` (module docs): the inner nodes of
/// its Huffman path, then the centre word and the negatives of `slot_base..slot_base + K`.
#[inline(always)]
pub(crate) fn choose_outputs(
    ids: &mut Targets,
    objective: &Objective<'_>,
    key: u32,
    centre: u32,
    position: u32,
    slot_base: u32,
    negative: usize,
) {
    ids.rows.clear();
    ids.positive.clear();
    if let Some((tree, first_row)) = objective.tree {
        ids.rows
            .extend(tree.nodes(centre).iter().map(|&node| first_row + node));
        ids.positive
            .extend(tree.turns(centre).iter().map(|&turn| turn == 0));
    }
    if let Some(sampler) = objective.negatives {
        ids.rows.push(centre);
        ids.positive.push(true);
        for k in 0..negative as u32 {
            let word = sampler.draw(key, position, slot_base + k);
            if word != centre {
                ids.rows.push(word);
                ids.positive.push(false);
            }
        }
    }
}
