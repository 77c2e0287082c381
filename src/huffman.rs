//! The Huffman tree of hierarchical softmax (word2vec.c `-hs 1`, gensim `hs=1`).
//!
//! Each word is a leaf of a binary tree built from the word counts, so frequent words sit
//! near the root. A word's probability is the product, along its path from the root, of
//! `σ(x · o_n)` where the path turns one way at inner node `n` and `σ(-x · o_n)` where it
//! turns the other, with `o_n` the output row of node `n`. An update therefore scores the
//! input against the path's inner nodes, each with label `1 - turn`: the negative-sampling
//! update of `crate::cpu::update` with those rows and labels in place of the centre and its
//! negatives (word2vec.c's `g = (1 - code - σ(f)) α`).
//!
//! The tree is built as word2vec.c builds it (`CreateBinaryTree`): with the words sorted by
//! falling count, the two least frequent of the leaves and the inner nodes made so far are
//! joined, the leaves scanned from the rare end and the inner nodes in the order they were
//! made. The second of each pair takes turn 1. Inner node `i` is the `i`-th made, so the root
//! is the last, `words - 2`. Where a leaf and an inner node have the same count, [`Ties`]
//! says which is joined first: word2vec.c and fastText take the inner node, gensim (a heap
//! ordered by count, then index, the leaves' indices first) the leaf. Both trees are optimal
//! codes, gensim's the one of least variance in path length; on mix8m their depths are all
//! but the same, and what differs is which words share inner nodes. There gensim's trains
//! better vectors (README, "Hierarchical softmax against gensim and word2vec.c").

/// Which of a leaf and an inner node of the same count the tree joins first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ties {
    /// The leaf, as gensim: of the optimal codes, the one of least path-length variance.
    Leaves,
    /// The inner node, as word2vec.c and fastText; fastText rebuilds this tree from the
    /// counts of a `.bin`.
    Nodes,
}

impl Ties {
    /// The rule a run takes unless told otherwise: gensim's for word vectors, fastText's
    /// with subwords (whose `.bin` fastText reads with the tree it rebuilds).
    pub fn default_for(subwords: bool) -> Ties {
        if subwords { Ties::Nodes } else { Ties::Leaves }
    }
}

/// Every word's path from the root to its leaf: the inner nodes passed and the turn taken
/// at each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HuffmanTree {
    /// Where each word's path starts in `nodes` and `turns`; one more than there are words.
    starts: Vec<usize>,
    /// Inner-node numbers, root first, path after path.
    nodes: Vec<u32>,
    /// The turn (0 or 1) taken at the inner node of the same index in `nodes`.
    turns: Vec<u8>,
}

impl HuffmanTree {
    /// The tree over words with these counts (by word id; any order of counts), ties
    /// broken by `ties`.
    pub fn new(counts: &[u64], ties: Ties) -> HuffmanTree {
        let words = counts.len();
        // Word ids by falling count; ties keep id order, so a vocabulary already in
        // frequency order (vectrain's) is its own order, as in word2vec.c.
        let mut by_count: Vec<usize> = (0..words).collect();
        by_count.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
        let inner = words.saturating_sub(1);
        // Nodes 0..words are the leaves in `by_count` order, words.. the inner nodes.
        let mut weight: Vec<u128> = by_count.iter().map(|&w| u128::from(counts[w])).collect();
        weight.resize(words + inner, 0);
        let mut parent = vec![0usize; words + inner];
        let mut turn = vec![0u8; words + inner];
        // The next leaf from the rare end, and the next inner node not yet joined.
        let mut leaf = words.checked_sub(1);
        let mut next_inner = words;
        for made in 0..inner {
            let mut take = || match leaf {
                Some(l)
                    if next_inner >= words + made
                        || weight[l] < weight[next_inner]
                        || (ties == Ties::Leaves && weight[l] == weight[next_inner]) =>
                {
                    leaf = l.checked_sub(1);
                    l
                }
                _ => {
                    next_inner += 1;
                    next_inner - 1
                }
            };
            let (first, second) = (take(), take());
            let node = words + made;
            weight[node] = weight[first] + weight[second];
            parent[first] = node;
            parent[second] = node;
            turn[second] = 1;
        }
        let root = words + inner.saturating_sub(1);
        let mut paths: Vec<Vec<(u32, u8)>> = vec![Vec::new(); words];
        if inner > 0 {
            for (leaf_node, &word) in by_count.iter().enumerate() {
                let path = &mut paths[word];
                let mut node = leaf_node;
                while node != root {
                    path.push(((parent[node] - words) as u32, turn[node]));
                    node = parent[node];
                }
                path.reverse();
            }
        }
        let mut tree = HuffmanTree {
            starts: Vec::with_capacity(words + 1),
            nodes: Vec::new(),
            turns: Vec::new(),
        };
        tree.starts.push(0);
        for path in paths {
            tree.nodes.extend(path.iter().map(|&(node, _)| node));
            tree.turns.extend(path.iter().map(|&(_, turn)| turn));
            tree.starts.push(tree.nodes.len());
        }
        tree
    }

    /// Number of words (leaves).
    pub fn words(&self) -> usize {
        self.starts.len() - 1
    }

    /// Number of inner nodes, one output row each: one fewer than the words (none for one
    /// word or none).
    pub fn inner_nodes(&self) -> usize {
        self.words().saturating_sub(1)
    }

    /// Inner nodes from the root to `word`'s leaf.
    #[inline]
    pub fn nodes(&self, word: u32) -> &[u32] {
        let w = word as usize;
        &self.nodes[self.starts[w]..self.starts[w + 1]]
    }

    /// The turn (0 or 1) taken at each of [`HuffmanTree::nodes`].
    #[inline]
    pub fn turns(&self, word: u32) -> &[u8] {
        let w = word as usize;
        &self.turns[self.starts[w]..self.starts[w + 1]]
    }

    /// The longest path.
    pub fn depth(&self) -> usize {
        self.starts
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::{HuffmanTree, Ties};
    use std::cmp::Reverse;
    use std::collections::{BTreeSet, BinaryHeap};

    /// The least total `count × path length` any binary code has: the sum of the weights of
    /// the inner nodes of any Huffman tree, here made with a heap.
    fn optimal_cost(counts: &[u64]) -> u128 {
        let mut heap: BinaryHeap<Reverse<u128>> =
            counts.iter().map(|&c| Reverse(u128::from(c))).collect();
        let mut cost = 0;
        while heap.len() > 1 {
            let (Reverse(a), Reverse(b)) = (heap.pop().unwrap(), heap.pop().unwrap());
            cost += a + b;
            heap.push(Reverse(a + b));
        }
        cost
    }

    fn check(counts: &[u64]) {
        for ties in [Ties::Leaves, Ties::Nodes] {
            check_with(counts, ties);
        }
    }

    fn check_with(counts: &[u64], ties: Ties) {
        let tree = HuffmanTree::new(counts, ties);
        let case = format!("{} words, {ties:?}", counts.len());
        assert_eq!(tree.words(), counts.len(), "{case}");
        let cost: u128 = (0..counts.len() as u32)
            .map(|w| u128::from(counts[w as usize]) * tree.nodes(w).len() as u128)
            .sum();
        assert_eq!(cost, optimal_cost(counts), "{case}: not an optimal code");
        let codes: BTreeSet<Vec<u8>> = (0..counts.len() as u32)
            .map(|w| tree.turns(w).to_vec())
            .collect();
        assert_eq!(codes.len(), counts.len(), "{case}: two words share a code");
        for a in &codes {
            for b in &codes {
                assert!(a == b || !b.starts_with(a), "{case}: {a:?} prefixes {b:?}");
            }
        }
        let mut used = BTreeSet::new();
        for w in 0..counts.len() as u32 {
            let nodes = tree.nodes(w);
            assert_eq!(nodes.len(), tree.turns(w).len(), "{case}");
            if let Some(&root) = nodes.first() {
                assert_eq!(
                    root as usize,
                    counts.len() - 2,
                    "{case}: the root is not first"
                );
            }
            // Below the root a path's nodes were made earlier and earlier.
            assert!(nodes.windows(2).all(|p| p[0] > p[1]), "{case}: {nodes:?}");
            used.extend(nodes.iter().copied());
        }
        assert_eq!(
            used.len(),
            tree.inner_nodes(),
            "{case}: an inner node is never passed"
        );
    }

    #[test]
    fn codes_are_optimal_prefix_free_and_use_every_inner_node() {
        check(&[]);
        check(&[7]);
        check(&[5, 5]);
        check(&[9, 1, 1]);
        check(&[1; 13]);
        // Fibonacci counts: the deepest tree there is, one word per level.
        let mut fib = vec![1u64, 1];
        while fib.len() < 60 {
            fib.push(fib[fib.len() - 1] + fib[fib.len() - 2]);
        }
        fib.reverse();
        check(&fib);
        assert_eq!(HuffmanTree::new(&fib, Ties::Nodes).depth(), 59);
        assert_eq!(HuffmanTree::new(&fib, Ties::Leaves).depth(), 59);
        // Zipf-like counts, unsorted, with ties.
        let zipf: Vec<u64> = (1..=1000u64)
            .map(|r| 1 + 100_000 / (r * 7 % 1000 + 1))
            .collect();
        check(&zipf);
    }

    #[test]
    fn small_trees_match_word2vec_c() {
        // Worked by hand through word2vec.c's CreateBinaryTree, counts 4, 2, 1, 1. Node 0
        // joins the two 1s, rarest leaf first, so word 2 takes turn 1. Node 1: the 2 ties
        // with node 0 and the leaf loses, so node 0 comes first and word 1 takes turn 1.
        // The root: the 4 ties with node 1 and loses again, so word 0 takes turn 1.
        let tree = HuffmanTree::new(&[4, 2, 1, 1], Ties::Nodes);
        assert_eq!(tree.nodes(0), &[2]);
        assert_eq!(tree.turns(0), &[1]);
        assert_eq!(tree.nodes(1), &[2, 1]);
        assert_eq!(tree.turns(1), &[0, 1]);
        assert_eq!(tree.nodes(2), &[2, 1, 0]);
        assert_eq!(tree.turns(2), &[0, 0, 1]);
        assert_eq!(tree.nodes(3), &[2, 1, 0]);
        assert_eq!(tree.turns(3), &[0, 0, 0]);
        // One word: no inner node, an empty path.
        let single = HuffmanTree::new(&[3], Ties::Leaves);
        assert_eq!(single.inner_nodes(), 0);
        assert!(single.nodes(0).is_empty());
    }

    #[test]
    fn leaves_first_gives_the_shallower_tree_of_the_same_cost() {
        // Counts 4, 2, 2, 1, 1 (the textbook case of minimum-variance Huffman codes). Nodes
        // first: node 0 joins the 1s, node 1 takes node 0 before the tied 2, node 2 the other
        // 2 and node 1, the root the 4 and node 2: paths of 1, 2, 3, 4 and 4 nodes. Leaves
        // first: node 1 joins the two 2s, node 2 the 1s' node 0 and the 4, the root nodes 1
        // and 2: paths of 2, 2, 2, 3 and 3. Both cost 22.
        let counts = [4, 2, 2, 1, 1];
        let depths = |ties| {
            let tree = HuffmanTree::new(&counts, ties);
            (0..5).map(|w| tree.nodes(w).len()).collect::<Vec<_>>()
        };
        assert_eq!(depths(Ties::Nodes), [1, 2, 3, 4, 4]);
        assert_eq!(depths(Ties::Leaves), [2, 2, 2, 3, 3]);
        let leaves = HuffmanTree::new(&counts, Ties::Leaves);
        assert_eq!(leaves.nodes(0), &[3, 2]);
        assert_eq!(leaves.nodes(3), &[3, 2, 0]);
        assert_eq!(leaves.nodes(1), &[3, 1]);
    }
}
