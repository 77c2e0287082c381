//! The second kernel's plan: which of its blocks to swap in, its `override` constants, its
//! workgroup size and the share of centres one workgroup takes per dispatch.

use super::*;

/// An error for a shape the second kernel cannot hold.
fn v2_refused(reason: String) -> Error {
    Error::InvalidOption {
        option: "gpu-kernel",
        reason: format!("{reason}; --gpu-kernel v1 trains this shape"),
    }
}

/// The most output rows of one update of `shape`: the nodes of a Huffman path of up to
/// `depth` (0 without `--hs`), then with negatives the centre and its negatives.
pub fn v2_outputs(shape: &UpdateShape, depth: u32) -> usize {
    depth as usize
        + if shape.negative > 0 {
            shape.negative + 1
        } else {
            0
        }
}

/// Input rows (per lane: SPAN cells each) and output rows one update of `shape` holds.
fn v2_rows(shape: &UpdateShape, depth: u32) -> (usize, usize) {
    let inputs = match shape.model {
        Model::BatchSkipGram => 2 * shape.window,
        Model::SkipGram | Model::Cbow => 1,
    };
    (inputs, v2_outputs(shape, depth))
}

/// Whether the rows of an update fit the lanes' private cells at `span` dimensions a lane.
fn v2_fits(shape: &UpdateShape, depth: u32, span: usize) -> bool {
    let (inputs, outputs) = v2_rows(shape, depth);
    inputs * span <= V2_X_CELLS && outputs * span <= V2_O_CELLS
}

pub(super) fn plan_v2(
    shape: &UpdateShape,
    device: &DeviceTraits,
    options: &StepOptions,
) -> Result<KernelPlan> {
    let native = device.native_atomics(options.atomics)?;
    let subgroups = match options.reduction {
        Reduction::Auto => device.subgroups,
        Reduction::Tree => false,
        Reduction::Subgroup if device.subgroups => true,
        Reduction::Subgroup => {
            return Err(Error::Gpu {
                during: "choosing a kernel's reduction",
                message: format!("{} has no subgroup operations (SUBGROUP)", device.name),
            });
        }
    };
    let depth = options.tree_depth.unwrap_or(0);
    let (inputs, outputs) = v2_rows(shape, depth);
    let dots = inputs * outputs;
    if dots > V2_MAX_DOTS {
        return Err(v2_refused(format!(
            "the v2 kernel holds at most {V2_MAX_DOTS} dot products per update, and this shape \
             has {dots}"
        )));
    }
    let span_of = |wg: u32| shape.dim.div_ceil(wg as usize);
    let cap = device.workgroup_cap();
    let wg = match options.workgroup_size {
        Some(size) => {
            let size = device.checked_workgroup_size(size)?;
            if !v2_fits(shape, depth, span_of(size)) {
                return Err(v2_refused(format!(
                    "a workgroup of {size} lanes would hold {} dimensions of {} rows per lane, \
                     more than the v2 kernel's {V2_O_CELLS} private cells",
                    span_of(size),
                    inputs.max(outputs)
                )));
            }
            size
        }
        None => {
            // CPU adapters: 8 lanes, llvmpipe's SIMD width and subgroup. GPUs: one subgroup
            // (no barrier in the reduction) or 32 lanes, widened to GPU_SPAN dimensions a lane.
            let mut wg = if device.is_cpu() {
                8
            } else if subgroups {
                device.subgroup_min_size.max(8)
            } else {
                32
            }
            .min(cap);
            while wg < cap && !device.is_cpu() && span_of(wg) > GPU_SPAN {
                wg *= 2;
            }
            while wg < cap && !v2_fits(shape, depth, span_of(wg)) {
                wg *= 2;
            }
            if !v2_fits(shape, depth, span_of(wg)) {
                return Err(v2_refused(format!(
                    "d = {} needs more than the v2 kernel's {V2_O_CELLS} private cells per lane \
                     even with {wg} lanes",
                    shape.dim
                )));
            }
            wg
        }
    };
    let span = span_of(wg);
    // An array has at least one cell (hierarchical softmax alone draws no negatives).
    let neg_cells = match shape.model {
        Model::SkipGram => (2 * shape.window + 1) * shape.negative,
        Model::Cbow | Model::BatchSkipGram => shape.negative,
    }
    .max(1) as u64;
    let subgroup_count = if subgroups {
        (wg / device.subgroup_min_size).max(1)
    } else {
        0
    };
    // Per round, both halves: a cell per lane (tree) or per subgroup, for each dot product.
    let per_dot = 8 * if subgroups { subgroup_count } else { wg } as u64;
    // The negatives (both halves), the next centre, the subgroup counter, the path (both
    // halves).
    let path_cells = if options.tree_depth.is_some() {
        V2_PATH_CELLS as u64
    } else {
        0
    };
    let fixed = 8 * neg_cells + 8 + 8 * path_cells;
    let budget = budget(device);
    let needs_red = !subgroups || subgroup_count > 1;
    let least = fixed + if needs_red { per_dot } else { 0 };
    if least > budget {
        return Err(memory_error(shape, least, budget));
    }
    let group = if needs_red {
        ((budget - fixed) / per_dot).clamp(1, dots as u64)
    } else {
        1
    };
    let share = match (options.share, device.loop_limit) {
        (Some(share), _) => share.max(1),
        (None, None) => u32::MAX,
        (None, Some(limit)) => {
            let rows = options.subword_rows.unwrap_or(1);
            let per_centre = v2_loop_iterations_per_centre(shape, wg, subgroup_count, rows, depth);
            if per_centre > limit {
                let reason = format!(
                    "one centre may run {per_centre} loop iterations, more than {} allows \
                     ({limit})",
                    device.name
                );
                return Err(match options.subword_rows {
                    // v1 has no subword form to fall back on: name what shrinks the loops.
                    Some(rows) => Error::InvalidOption {
                        option: "subwords",
                        reason: format!(
                            "{reason}: a word has {rows} input rows; a lower --maxn, a \
                             smaller --window or a hardware GPU trains it"
                        ),
                    },
                    None => v2_refused(reason),
                });
            }
            (limit / per_centre).clamp(1, u32::MAX as u64) as u32
        }
    };
    let mut constants = vec![
        ("CBOW", flag(shape.model == Model::Cbow)),
        ("BATCH", flag(shape.model == Model::BatchSkipGram)),
        ("NEG", shape.negative as f64),
        ("DIM", shape.dim as f64),
        ("SPAN", span as f64),
        ("NEG_CELLS", neg_cells as f64),
        ("COUNT_VISITS", flag(options.count_visits.is_some())),
        ("WG", wg as f64),
        ("GROUP", group as f64),
    ];
    if subgroups {
        constants.push(("SUBGROUPS", subgroup_count as f64));
    }
    if let Some(split) = options.split {
        constants.push(("PART", split.rows as f64 * shape.dim as f64));
    }
    Ok(KernelPlan {
        kernel: GpuKernel::V2,
        shader: Shader::NegativeSamplingV2(V2Blocks {
            float_atomics: native,
            subgroups,
            subwords: options.subword_rows.is_some(),
            split: options.split.is_some(),
            tree: options.tree_depth.is_some(),
        }),
        constants,
        workgroup_size: wg,
        share,
    })
}
