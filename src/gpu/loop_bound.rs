//! How many loop iterations one invocation of the second training kernel may run per centre:
//! what bounds a workgroup's share of a dispatch on adapters that stop long-running loops
//! (llvmpipe, [`crate::gpu::plan::LLVMPIPE_LOOP_LIMIT`]).

use crate::config::Model;
use crate::training::UpdateShape;

/// An upper bound on the loop iterations one invocation of the second kernel runs for one
/// centre of `shape` with `wg` lanes (`subgroups` per workgroup, 0 for the tree) and at most
/// `rows` input rows a word (1 without subwords) and Huffman paths of up to `depth` nodes (0
/// without `--hs`), counting every loop of
/// `negative_sampling_v2.wgsl` as if none were unrolled, with every window full and one retry
/// per compare-exchange. The host divides [`LLVMPIPE_LOOP_LIMIT`] by it to bound a
/// workgroup's centres per dispatch on CPU adapters.
pub fn v2_loop_iterations_per_centre(
    shape: &UpdateShape,
    wg: u32,
    subgroups: u32,
    rows: u32,
    depth: u32,
) -> u64 {
    let s = shape.dim.div_ceil(wg as usize) as u64;
    let o = crate::gpu::plan::v2_outputs(shape, depth) as u64;
    let w = shape.window as u64;
    let r = rows.max(1) as u64;
    let tokens = 2 * w + 1;
    let wg = wg as u64;
    // Levels of the tree above RADIX = 8 lanes.
    let mut levels = 0;
    let mut active = wg;
    while active > 8 {
        active /= 8;
        levels += 1;
    }
    // Reducing n dot products (in rounds of at least one): write, levels, final sums (tree),
    // or subgroupAdd, write and sums over the subgroups.
    let reduce = |n: u64| -> u64 {
        let tree = n * (1 + 9) + levels * (1 + 9 * (n / 8 + 1)) + n;
        let subgroup = n * (3 + subgroups as u64);
        n + tree.max(subgroup)
    };
    // The mean of a word's rows (the first loaded, the rest added, then scaled), and the
    // gradient added to each of them per dimension of a lane.
    let mean = s + r * (1 + s) + s;
    let add_word = s * (1 + r);
    let loads = mean + 2 * o * (1 + s);
    let update = loads + reduce(o) + o + s * (1 + 3 * o + 2) + add_word;
    // The path's copy into workgroup memory, shared by the lanes.
    let path = 1 + (depth as u64).div_ceil(wg);
    let per_centre = 1 + tokens + (tokens * shape.negative as u64).div_ceil(wg) + tokens + path;
    per_centre
        + match shape.model {
            Model::SkipGram => 2 * w * update,
            Model::Cbow => update + s * (2 * tokens * (1 + r) + 2) + s * tokens * (1 + r),
            Model::BatchSkipGram => {
                let m = 2 * w;
                tokens * (1 + s)
                    + o * (1 + s)
                    + m * (1 + o * (1 + s))
                    + reduce(m * o)
                    + m * (1 + o)
                    + s * (1 + o * (2 + m) + tokens + m * (1 + o + 1))
            }
        }
}
