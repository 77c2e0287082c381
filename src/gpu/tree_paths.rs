//! Every word's Huffman path as the hierarchical-softmax kernel reads it.

use crate::error::{Error, Result};
use crate::huffman::HuffmanTree;

/// Bit 31 of a path cell: the turn taken below the node (`TURN` in `shaders/path_tree.wgsl`).
const TURN: u32 = 1 << 31;

/// The kernel's `tree` array for `tree`, whose inner node `n` is output row `first_row + n`:
/// cells `0..=words` hold where each word's path starts in the array itself, the paths follow,
/// root first, each node its output row with its turn in bit 31
/// (`shaders/path_tree.wgsl`).
pub fn tree_paths_array(tree: &HuffmanTree, first_row: u32) -> Result<Vec<u32>> {
    let words = tree.words();
    let head = words + 1;
    let cells = (0..words as u32).fold(head, |sum, w| sum + tree.nodes(w).len());
    let last_row = first_row as u64 + tree.inner_nodes() as u64;
    if cells > u32::MAX as usize || last_row > u64::from(TURN) {
        return Err(Error::DeviceLimit {
            what: "the words' Huffman paths (--hs)".into(),
            needed: (cells as u64 * 4).max(last_row),
            limit: u32::MAX as u64 * 4,
            limit_name: "32-bit indexing of the paths, and rows below 2^31",
        });
    }
    let mut array = Vec::with_capacity(cells);
    let mut start = head as u32;
    for w in 0..words as u32 {
        array.push(start);
        start += tree.nodes(w).len() as u32;
    }
    array.push(start);
    for w in 0..words as u32 {
        let cells = tree.nodes(w).iter().zip(tree.turns(w));
        array.extend(cells.map(|(&node, &turn)| (first_row + node) | (u32::from(turn) << 31)));
    }
    Ok(array)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_its_rows_and_turns_after_the_starts() {
        let counts = [9, 7, 4, 3, 1, 1];
        let tree = HuffmanTree::new(&counts, crate::huffman::Ties::Leaves);
        let first_row = 6;
        let array = tree_paths_array(&tree, first_row).expect("array");
        for w in 0..counts.len() {
            let path = &array[array[w] as usize..array[w + 1] as usize];
            let nodes = tree.nodes(w as u32);
            assert_eq!(path.len(), nodes.len());
            for (k, &cell) in path.iter().enumerate() {
                assert_eq!(cell & !TURN, first_row + nodes[k]);
                assert_eq!(cell >> 31, u32::from(tree.turns(w as u32)[k]));
            }
        }
        assert_eq!(array.len(), array[counts.len()] as usize);
    }
}
