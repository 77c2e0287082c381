// The <path> block of negative_sampling_v2.wgsl for hierarchical softmax (--hs): an update
// scores its input against the inner nodes of the centre word's Huffman path (src/huffman.rs)
// before any other output row. The host puts this file in place of that block.
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.

// Every word's path in one array: cells 0..=vocab hold where each word's path starts in this
// same array (word w's path is tree[tree[w]..tree[w + 1]], root first); each node of a path
// is its output row, with the turn taken below it in bit 31 (rows stay below 2^31).
@group(0) @binding(24) var<storage, read> tree: array<u32>;

// Most nodes of one path (the host refuses a deeper tree): mirrored by V2_PATH_CELLS in
// src/gpu/plan.rs.
const PATH_CELLS: u32 = 64u;
// Bit 31 of a node: the turn (1: the second child, label 0).
const TURN: u32 = 0x80000000u;

// The path of the current centre, two halves by parity (a slow lane may still read the
// previous centre's).
var<workgroup> path: array<u32, 2u * PATH_CELLS>;
// Where the current path starts in `path`, and its length (the same in every lane).
var<private> path_at: u32;
var<private> path_nodes: u32;

fn path_length(word: u32) -> u32 {
    return tree[word + 1u] - tree[word];
}

fn path_start(lane: u32, lanes: u32, word: u32, half: u32) {
    path_at = half * PATH_CELLS;
    path_nodes = path_length(word);
    let first = tree[word];
    for (var k = lane; k < path_nodes; k += lanes) {
        path[path_at + k] = tree[first + k];
    }
}

fn current_path_length() -> u32 {
    return path_nodes;
}

fn path_row(k: u32) -> u32 {
    return path[path_at + k] & ~TURN;
}

fn path_positive(k: u32) -> bool {
    return (path[path_at + k] & TURN) == 0u;
}
