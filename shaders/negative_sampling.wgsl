// Negative-sampling training step, skip-gram, CBOW (the `CBOW` override) or batch skip-gram
// (the `BATCH` override): the update of src/cpu/update.rs (`train_batch`), one workgroup per
// centre token of a batch.
//
// For the centre at batch index i (word w, corpus position p) with context indices j in its
// shrunk window (same sentence, ascending j), updates with output rows o_0 = output[w] and
// o_1..o_K = output[negatives], a negative equal to w skipped:
//     f_k = x . o_k                      (rows as they were when the update began)
//     g_k = alpha * (label_k - sigmoid(f_k)),  label_0 = 1, label_k = 0 otherwise
//     o_k += g_k * x,   and sum_k g_k * o_k(old) added to the input rows of x
// Skip-gram: one update per context j, one after the other, with x = input[words[j]].
// CBOW: one update per centre (none without context), with x the mean of the context rows
// (summed in ascending j, times 1 / count, as on the CPU), the gradient added to every
// context row.
// Batch skip-gram: one update per centre, the negatives shared by its context words j, each
// with x_j = input[words[j]]: f_jk = x_j . o_k, g_jk as above, o_k += sum_j g_jk x_j(old) and
// x_j += sum_k g_jk o_k(old); the m (K + 1) dot products are reduced GROUP at a time.
//
// Invocation `lane` owns the dimensions c with c % WG == lane: it alone reads and writes them,
// so an update's reads and writes of a cell are ordered by program order; only the dot
// products cross invocations, through partial sums in workgroup memory.
//
// Tables are atomics: several workgroups may update one row at once (Hogwild), and WGSL
// allows concurrent writes only through atomics. This file holds them as f32 bits in
// `atomic<u32>`, added to by compare-exchange loops, so no addition is lost; the host swaps
// in tables_f32.wgsl (native `atomicAdd` on `atomic<f32>`) where the adapter has it.
//
// Random draws are src/rng.rs bit for bit (`pcg`, `draw`, `unit`), keyed by the centre's
// corpus position: window shrink from stream 2, negatives from stream 3 at slots
// (j + window - i) * K + k for skip-gram and k for CBOW (index draw at 2 slot, alias coin at
// 2 slot + 1). Batch skip-gram draws like CBOW.

// Mirrors `StepParams` in src/gpu/step.rs.
struct Params {
    // First centre (batch index) of this dispatch.
    base: u32,
    // Centres in this dispatch.
    count: u32,
    // Tokens in the batch.
    len: u32,
    // The epoch key (rng::epoch_key).
    key: u32,
    // Learning rate.
    alpha: f32,
    // Vector dimension.
    dim: u32,
    // Largest window.
    window: u32,
    // Rows of each table (= length of the alias table).
    vocab: u32,
    // Slots of the loss buffer.
    loss_slots: u32,
    // The second kernel's (negative_sampling_v2.wgsl); unused here, they pad the struct to
    // a multiple of 16 bytes.
    share: u32,
    counter: u32,
    visits: u32,
}

// Skip-gram (false) or CBOW (true).
override CBOW: bool = false;
// Batch skip-gram (true; CBOW is then false).
override BATCH: bool = false;
// Batch skip-gram: most context words of a centre (2 window); 1 otherwise.
override MAX_CONTEXT: u32 = 1;
// Batch skip-gram: WG (the lanes' output deltas are kept in `stash`); 1 otherwise.
override STASH_LANES: u32 = 1;
// Invocations per workgroup: a power of two.
override WG: u32 = 64;
// Negatives per update.
override NEG: u32 = 5;
// Output rows whose dot products are reduced together (bounds workgroup memory).
override GROUP: u32 = 6;

// An output slot with no row (a negative equal to the centre word).
const NONE: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> words: array<u32>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read> sentences: array<u32>;
// Per slot s: [2 s] the f32 bits of a loss sum, [2 s + 1] the number of updates.
@group(0) @binding(8) var<storage, read_write> loss: array<atomic<u32>>;
// Only for `rng_check`: five u32 per test case.
@group(0) @binding(9) var<storage, read_write> check_out: array<u32>;

// Output rows of the current update: the centre word, then the negatives.
var<workgroup> ids: array<u32, NEG + 1u>;
// g_k of the current update.
var<workgroup> gs: array<f32, NEG + 1u>;
// Loss term of each output of the current update (0 for a skipped negative).
var<workgroup> losses: array<f32, NEG + 1u>;
// Partial dot products, GROUP outputs (batch skip-gram: pairs) of WG lanes at a time.
var<workgroup> red: array<f32, WG * GROUP>;
// Batch skip-gram: g_jk and the loss term of pair (j, k) at j (NEG + 1) + k.
var<workgroup> pair_gs: array<f32, MAX_CONTEXT * (NEG + 1u)>;
var<workgroup> pair_losses: array<f32, MAX_CONTEXT * (NEG + 1u)>;
// Batch skip-gram: lane l's delta of output k for its current dimension at k WG + l.
var<workgroup> stash: array<f32, (NEG + 1u) * STASH_LANES>;

// <draws> The random draws of src/rng.rs and the sigmoids, the same in every training
// kernel: the host puts training_draws.wgsl here (with the alias table's bindings).
// </draws>

// <tables> The two tables and the four functions all table access goes through
// (load_input, load_output, add_input, add_output): the host puts tables_cas.wgsl here
// (compare-exchange adds, valid everywhere), tables_f32.wgsl on adapters with float atomics,
// or, for the second kernel, a split form (tables_split.wgsl, tables_split_f32.wgsl).
// </tables>

fn add_loss(slot: u32, value: f32, updates: u32) {
    var old = atomicLoad(&loss[2u * slot]);
    loop {
        let swap = atomicCompareExchangeWeak(&loss[2u * slot], old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old_value;
    }
    atomicAdd(&loss[2u * slot + 1u], updates);
}

// The input vector x of an update: one context row (skip-gram), or the mean of the context
// rows of centre i, in start..end and its sentence, scaled by `inverse` (CBOW).
struct Input {
    row: u32,
    i: u32,
    start: u32,
    end: u32,
    inverse: f32,
}

// Whether token j is in the context of centre `x.i` (CBOW).
fn in_context(x: Input, j: u32) -> bool {
    return j != x.i && sentences[j] == sentences[x.i];
}

// Element c of x.
fn input_element(x: Input, c: u32) -> f32 {
    if CBOW {
        var sum = 0.0;
        for (var j = x.start; j < x.end; j++) {
            if in_context(x, j) {
                sum += load_input(words[j] * params.dim + c);
            }
        }
        return sum * x.inverse;
    }
    return load_input(x.row * params.dim + c);
}

// Adds element c of the input gradient to the rows x came from.
fn add_gradient(x: Input, c: u32, gradient: f32) {
    if CBOW {
        for (var j = x.start; j < x.end; j++) {
            if in_context(x, j) {
                add_input(words[j] * params.dim + c, gradient);
            }
        }
    } else {
        add_input(x.row * params.dim + c, gradient);
    }
}

// One update of input x against the centre `centre` and the negatives of slots
// slot_base..slot_base + NEG. Returns the update's loss (meaningful in lane 0 only).
fn update(lane: u32, centre: u32, position: u32, slot_base: u32, x_in: Input) -> f32 {
    let dim = params.dim;
    // Everyone is done with the previous update's ids and gs.
    workgroupBarrier();
    for (var k = lane; k < NEG; k += WG) {
        let word = negative(params.key, position, slot_base + k);
        ids[k + 1u] = select(word, NONE, word == centre);
    }
    if lane == 0u {
        ids[0] = centre;
    }
    workgroupBarrier();

    var total = 0.0;
    for (var first = 0u; first <= NEG; first += GROUP) {
        for (var m = 0u; m < GROUP; m++) {
            red[m * WG + lane] = 0.0;
        }
        for (var c = lane; c < dim; c += WG) {
            let x = input_element(x_in, c);
            for (var m = 0u; m < GROUP && first + m <= NEG; m++) {
                let id = ids[first + m];
                if id != NONE {
                    red[m * WG + lane] += x * load_output(id * dim + c);
                }
            }
        }
        workgroupBarrier();
        // Lane m sums the WG partial products of output first + m: two barriers per group
        // where a tree would take log2(WG) + 1.
        for (var m = lane; m < GROUP && first + m <= NEG; m += WG) {
            var f = 0.0;
            for (var l = 0u; l < WG; l++) {
                f += red[m * WG + l];
            }
            let k = first + m;
            let label = select(0.0, 1.0, k == 0u);
            gs[k] = params.alpha * (label - sigmoid(f));
            losses[k] = select(0.0, neg_log_sigmoid(select(-f, f, k == 0u)), ids[k] != NONE);
        }
        // gs and losses are complete for this group, and red may be overwritten.
        workgroupBarrier();
    }
    if lane == 0u {
        for (var k = 0u; k <= NEG; k++) {
            total += losses[k];
        }
    }

    for (var c = lane; c < dim; c += WG) {
        let x = input_element(x_in, c);
        var gradient = 0.0;
        for (var k = 0u; k <= NEG; k++) {
            if ids[k] != NONE {
                gradient += gs[k] * load_output(ids[k] * dim + c);
            }
        }
        for (var k = 0u; k <= NEG; k++) {
            if ids[k] != NONE {
                add_output(ids[k] * dim + c, gs[k] * x);
            }
        }
        add_gradient(x_in, c, gradient);
    }
    return total;
}

// The batch skip-gram update of centre `x.i` (word `centre`, m context words in
// x.start..x.end) against the negatives of slots 0..NEG. Returns the loss (meaningful in
// lane 0 only).
fn batch_update(lane: u32, centre: u32, position: u32, x: Input, m: u32) -> f32 {
    let dim = params.dim;
    let outputs = NEG + 1u;
    for (var k = lane; k < NEG; k += WG) {
        let word = negative(params.key, position, k);
        ids[k + 1u] = select(word, NONE, word == centre);
    }
    if lane == 0u {
        ids[0] = centre;
    }
    workgroupBarrier();

    // Pair p = n outputs + k: the n-th context word (in ascending j) and output k.
    let pairs = m * outputs;
    for (var first = 0u; first < pairs; first += GROUP) {
        for (var g = 0u; g < GROUP; g++) {
            red[g * WG + lane] = 0.0;
        }
        for (var c = lane; c < dim; c += WG) {
            var n = 0u;
            for (var j = x.start; j < x.end; j++) {
                if !in_context(x, j) {
                    continue;
                }
                let low = n * outputs;
                n += 1u;
                if low + outputs <= first || low >= first + GROUP {
                    continue;
                }
                let value = load_input(words[j] * dim + c);
                for (var k = 0u; k < outputs; k++) {
                    let p = low + k;
                    if p >= first && p < first + GROUP && ids[k] != NONE {
                        red[(p - first) * WG + lane] += value * load_output(ids[k] * dim + c);
                    }
                }
            }
        }
        workgroupBarrier();
        for (var g = lane; g < GROUP && first + g < pairs; g += WG) {
            var f = 0.0;
            for (var l = 0u; l < WG; l++) {
                f += red[g * WG + l];
            }
            let p = first + g;
            let k = p % outputs;
            let label = select(0.0, 1.0, k == 0u);
            pair_gs[p] = params.alpha * (label - sigmoid(f));
            pair_losses[p] = select(0.0, neg_log_sigmoid(select(-f, f, k == 0u)), ids[k] != NONE);
        }
        // pair_gs is complete for this group, and red may be overwritten.
        workgroupBarrier();
    }
    var total = 0.0;
    if lane == 0u {
        for (var p = 0u; p < pairs; p++) {
            total += pair_losses[p];
        }
    }

    // Each lane owns its dimensions: it reads every old value it needs before writing any.
    for (var c = lane; c < dim; c += WG) {
        for (var k = 0u; k < outputs; k++) {
            stash[k * WG + lane] = 0.0;
        }
        var n = 0u;
        for (var j = x.start; j < x.end; j++) {
            if !in_context(x, j) {
                continue;
            }
            let value = load_input(words[j] * dim + c);
            for (var k = 0u; k < outputs; k++) {
                stash[k * WG + lane] += pair_gs[n * outputs + k] * value;
            }
            n += 1u;
        }
        n = 0u;
        for (var j = x.start; j < x.end; j++) {
            if !in_context(x, j) {
                continue;
            }
            var gradient = 0.0;
            for (var k = 0u; k < outputs; k++) {
                if ids[k] != NONE {
                    gradient += pair_gs[n * outputs + k] * load_output(ids[k] * dim + c);
                }
            }
            add_input(words[j] * dim + c, gradient);
            n += 1u;
        }
        for (var k = 0u; k < outputs; k++) {
            if ids[k] != NONE {
                add_output(ids[k] * dim + c, stash[k * WG + lane]);
            }
        }
    }
    return total;
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    let n = wg.x + wg.y * groups.x;
    if n >= params.count {
        return;
    }
    let i = params.base + n;
    let centre = words[i];
    let position = positions[i];
    let r = reach(params.key, position, params.window);
    let start = select(0u, i - r, i >= r);
    let end = min(i + r + 1u, params.len);
    var x = Input(0u, i, start, end, 1.0);
    var total = 0.0;
    var updates = 0u;
    if BATCH {
        var m = 0u;
        for (var j = start; j < end; j++) {
            if in_context(x, j) {
                m += 1u;
            }
        }
        if m == 0u {
            return;
        }
        total = batch_update(lane, centre, position, x, m);
        updates = m;
    } else if CBOW {
        var count = 0u;
        for (var j = start; j < end; j++) {
            if in_context(x, j) {
                count += 1u;
            }
        }
        if count == 0u {
            return;
        }
        x.inverse = 1.0 / f32(count);
        total = update(lane, centre, position, 0u, x);
        updates = 1u;
    } else {
        for (var j = start; j < end; j++) {
            if !in_context(x, j) {
                continue;
            }
            x.row = words[j];
            total += update(lane, centre, position, (j + params.window - i) * NEG, x);
            updates += 1u;
        }
    }
    if lane == 0u && updates > 0u {
        add_loss(n % params.loss_slots, total, updates);
    }
}

// Draws of test case `t` (derived from t alone, as src/gpu/step.rs does on the CPU), written
// to check_out[5 t..5 t + 5]: pcg, draw, unit (bits), reach, negative.
@compute @workgroup_size(64)
fn rng_check(@builtin(global_invocation_id) id: vec3<u32>) {
    let t = id.x;
    if 5u * t + 4u >= arrayLength(&check_out) {
        return;
    }
    let key = pcg(t ^ 0x9e3779b9u);
    let stream = 1u + t % 4u;
    let position = t * 2654435761u;
    let slot = t % 61u;
    let window = 1u + t % 10u;
    let bits = draw(key, stream, position, slot);
    check_out[5u * t] = pcg(t);
    check_out[5u * t + 1u] = bits;
    check_out[5u * t + 2u] = bitcast<u32>(unit(bits));
    check_out[5u * t + 3u] = reach(key, position, window);
    check_out[5u * t + 4u] = negative(key, position, slot);
}
