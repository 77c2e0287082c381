// Negative-sampling training step, second kernel: the update of src/cpu/update.rs
// (`train_batch`) for skip-gram, CBOW (the `CBOW` override) or batch skip-gram (`BATCH`), with
// the semantics of negative_sampling.wgsl (its header has the maths), organised for a GPU that
// runs thousands of invocations at once:
//
// - Persistent workgroups. The host launches N workgroups per dispatch (N = the bound on
//   centres in flight). Each takes the next centre of the dispatch from an atomic counter
//   (`control[params.counter]`) until none is left or it has taken `params.share` centres,
//   so no barrier separates the centres of a batch and no workgroup waits for a slow one.
//   Every centre is taken exactly once: a workgroup stops only when the counter has passed
//   the end, or after its share, and the host keeps count <= N share.
// - One round trip per row. Lane `lane` owns the dimensions c = lane + t WG (t < SPAN). An
//   update issues the loads of x and of every output row before it uses any, keeps them in
//   private arrays (registers) from the dot products to the scatter, and never loads a row
//   twice.
// - Negatives drawn once per centre, spread across the lanes (skip-gram: the negatives of
//   every context of the window), into workgroup memory, published by the same barrier that
//   hands out the next centre.
// - The dot products reduced by the <reduce> block: a conflict-free tree in workgroup memory
//   here, subgroupAdd in reduce_subgroup.wgsl.
// - The loss summed in a register and added to the loss buffer once, when the workgroup ends.
//
// Workgroup memory shared between updates is double-buffered by parity (negatives per
// centre, partial sums per reduction), so a fast lane never overwrites what a slow lane is
// still reading, without a second barrier.
//
// Random draws and the order of updates within a centre are those of negative_sampling.wgsl,
// so with one workgroup the tables equal the CPU's up to rounding.
//
// Hierarchical softmax (--hs): an update also scores its input against the inner nodes of the
// centre's Huffman path, which come first among its output rows (src/cpu/targets.rs), held
// by the path block below; with NEG = 0 the update has no other output.

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
    // Vector dimension (equal to DIM).
    dim: u32,
    // Largest window.
    window: u32,
    // Rows of each table (= length of the alias table).
    vocab: u32,
    // Slots of the loss sums at the start of `control`.
    loss_slots: u32,
    // Most centres one workgroup takes in this dispatch.
    share: u32,
    // Cell of `control` counting the centres taken in this dispatch (zeroed before).
    counter: u32,
    // First cell of `control` counting how often each centre was trained (COUNT_VISITS).
    visits: u32,
}

// Skip-gram (false) or CBOW (true).
override CBOW: bool = false;
// Batch skip-gram (true; CBOW is then false).
override BATCH: bool = false;
// Negatives per update (0: hierarchical softmax alone).
override NEG: u32 = 5u;
// Vector dimension.
override DIM: u32 = 100u;
// Dimensions per lane: ceil(DIM / WG).
override SPAN: u32 = 2u;
// Negatives one centre draws: (2 window + 1) NEG for skip-gram, NEG otherwise (at least 1:
// an array has a cell).
override NEG_CELLS: u32 = 55u;
// Count each centre trained in control[params.visits + i] (tests only).
override COUNT_VISITS: bool = false;

// Private cells per lane for the input rows of an update (SPAN, or 2 window SPAN for batch
// skip-gram) and for its output rows ((path + NEG + 1) SPAN); the host checks the fit.
const X_CELLS: u32 = 512u;
const O_CELLS: u32 = 512u;

// An output slot with no row (a negative equal to the centre word).
const NONE: u32 = 0xffffffffu;
// What a workgroup gets from the counter when its share is used up.
const END: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> words: array<u32>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read> sentences: array<u32>;
// [2 s] the f32 bits of loss slot s, [2 s + 1] its number of updates; then the centre
// counters of the dispatches (params.counter) and the visit counts (params.visits).
@group(0) @binding(8) var<storage, read_write> control: array<atomic<u32>>;

// This lane's dimensions of the input rows and of the output rows of the current update, and
// the dot products (partial, then reduced, then replaced by g).
var<private> xs: array<f32, X_CELLS>;
var<private> os: array<f32, O_CELLS>;
var<private> dots: array<f32, MAX_DOTS>;

// <draws> The random draws of src/rng.rs and the sigmoids, the same in every training
// kernel: the host puts training_draws.wgsl here (with the alias table's bindings).
// </draws>

// <tables> The two tables and the four functions all table access goes through
// (load_input, load_output, add_input, add_output): the host puts tables_cas.wgsl here
// (compare-exchange adds, valid everywhere), tables_f32.wgsl on adapters with float atomics,
// or, for the second kernel, a split form (tables_split.wgsl, tables_split_f32.wgsl).
// </tables>

// <input_rows> The rows of the input table that stand for a word: its own row only, valid for
// every model. With --subwords the host replaces this block, through its closing marker, with
// input_rows_subwords.wgsl (the word's own row, then its character n-grams' rows). An
// update's input vector is the mean of these rows, and its gradient goes to each of them.

// Rows of word `word` (at least 1).
fn row_count(word: u32) -> u32 {
    return 1u;
}

// Row r < row_count(word) of word `word`.
fn input_row(word: u32, r: u32) -> u32 {
    return word;
}
// </input_rows>

// <path> The Huffman path of the centre word, the first output rows of an update: none here.
// With --hs the host replaces this block, through its closing marker, with path_tree.wgsl.

// Nodes on the path of word `word`, read where control flow must stay uniform.
fn path_length(word: u32) -> u32 {
    return 0u;
}

// Called by every lane before the barrier that publishes a centre's negatives: makes the
// path of word `word` the current one, in workgroup memory half `half`, `lanes` lanes
// sharing the copy.
fn path_start(lane: u32, lanes: u32, word: u32, half: u32) {
}

// Nodes on the current path.
fn current_path_length() -> u32 {
    return 0u;
}

// Output row of node k of the current path.
fn path_row(k: u32) -> u32 {
    return 0u;
}

// Whether node k of the current path scores with label 1 (the path turns to its first child).
fn path_positive(k: u32) -> bool {
    return false;
}
// </path>

// <reduce> Sums over the workgroup's lanes by a tree in workgroup memory: valid everywhere.
// On adapters with subgroups (wgpu's SUBGROUP) the host replaces this block, through its
// closing marker, with reduce_subgroup.wgsl (the same declarations on subgroupAdd).

// Invocations per workgroup: a power of two.
override WG: u32 = 64u;
// Dot products reduced per round (bounds workgroup memory).
override GROUP: u32 = 8u;
// Dot products of one update a lane holds.
const MAX_DOTS: u32 = 256u;
// Partial sums each lane adds per level of the tree.
const RADIX: u32 = 8u;

// Partial sums of a round, GROUP dot products of WG lanes, two halves by parity.
var<workgroup> red: array<f32, 2u * GROUP * WG>;
// Rounds reduced so far (the same in every lane): picks the half.
var<private> rounds: u32;

// Called once, first thing, by every lane.
fn reduce_start(lane: u32) {
}

// Replaces sums[first..first + count], each lane's partial dot products, by their sums over
// the workgroup's lanes, in every lane. Lane l writes its partials at k WG + l; each level
// adds RADIX cells at stride `next` into the first `next` cells of each dot product (lanes
// read consecutive cells: no bank conflicts), until RADIX or fewer remain, which every lane
// adds itself: 1 barrier per round up to 8 lanes, 2 up to 64, 3 up to 512.
fn reduce(lane: u32, sums: ptr<private, array<f32, MAX_DOTS>>, first: u32, count: u32) {
    for (var done = 0u; done < count; done += GROUP) {
        let n = min(GROUP, count - done);
        let half = (rounds & 1u) * GROUP * WG;
        rounds += 1u;
        for (var k = 0u; k < n; k++) {
            red[half + k * WG + lane] = (*sums)[first + done + k];
        }
        workgroupBarrier();
        var width = WG;
        loop {
            if width <= RADIX {
                break;
            }
            let next = width / RADIX;
            // Cell l < next of a dot product is written only by the lane that reads it at
            // r = 0, so one level needs no barrier inside.
            for (var p = lane; p < n * next; p += WG) {
                let at = half + (p / next) * WG + p % next;
                var sum = 0.0;
                for (var r = 0u; r < RADIX; r++) {
                    sum += red[at + r * next];
                }
                red[at] = sum;
            }
            workgroupBarrier();
            width = next;
        }
        for (var k = 0u; k < n; k++) {
            var sum = 0.0;
            for (var l = 0u; l < width; l++) {
                sum += red[half + k * WG + l];
            }
            (*sums)[first + done + k] = sum;
        }
    }
}
// </reduce>

// Declared after every named override (the <reduce> block's included): naga's override
// pass (wgpu 30) processes overrides in declaration order and fails on an array-size
// expression met before a named override.
// The negatives of the current centre, two halves by parity: skip-gram context j of window
// start..end at (j - start) NEG + k - 1 for output k >= 1; CBOW and batch skip-gram at k - 1.
var<workgroup> negs: array<u32, 2u * NEG_CELLS>;
// The centre the workgroup trains next, handed out by lane 0.
var<workgroup> next_centre: u32;

fn add_loss(slot: u32, value: f32, updates: u32) {
    var old = atomicLoad(&control[2u * slot]);
    loop {
        let swap = atomicCompareExchangeWeak(&control[2u * slot], old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old_value;
    }
    atomicAdd(&control[2u * slot + 1u], updates);
}

// Whether token j is in the context of centre i.
fn in_context(i: u32, j: u32) -> bool {
    return j != i && sentences[j] == sentences[i];
}

// The next centre of the dispatch for a workgroup that has taken `taken` (lane 0 only).
fn grab(taken: u32) -> u32 {
    if taken >= params.share {
        return END;
    }
    return atomicAdd(&control[params.counter], 1u);
}

// Output rows of an update of `centre`: its path's nodes, then with negatives the centre word
// and its NEG negatives. Uniform across the workgroup (the path's length is read from the
// read-only tree, not from workgroup memory): it bounds reductions.
fn output_count(centre: u32) -> u32 {
    return path_length(centre) + select(0u, NEG + 1u, NEG > 0u);
}

// Output row k of an update whose negatives start at negs[cell]: the current path's nodes,
// then the centre word, then the negatives.
fn output_id(centre: u32, cell: u32, k: u32) -> u32 {
    let nodes = current_path_length();
    if k < nodes {
        return path_row(k);
    }
    if k == nodes {
        return centre;
    }
    return negs[cell + k - nodes - 1u];
}

// Whether output k scores with label 1: a path node by its turn, else the centre word.
fn output_positive(k: u32) -> bool {
    let nodes = current_path_length();
    if k < nodes {
        return path_positive(k);
    }
    return k == nodes;
}

// Draws the negatives of centre i (word `centre`, window start..end) into negs[cell..].
fn draw_negatives(lane: u32, i: u32, start: u32, end: u32, centre: u32, position: u32, cell: u32) {
    if CBOW || BATCH {
        for (var k = lane; k < NEG; k += WG) {
            let word = negative(params.key, position, k);
            negs[cell + k] = select(word, NONE, word == centre);
        }
        return;
    }
    let slots = (end - start) * NEG;
    // No slot without negatives; the divisor only has to be a valid one there.
    let per_context = max(NEG, 1u);
    for (var s = lane; s < slots; s += WG) {
        let j = start + s / per_context;
        if in_context(i, j) {
            let slot = (j + params.window - i) * NEG + s % per_context;
            let word = negative(params.key, position, slot);
            negs[cell + s] = select(word, NONE, word == centre);
        }
    }
}

// Loads this lane's dimensions of row `row` of the input table into xs[at..at + SPAN].
fn load_x(lane: u32, row: u32, at: u32) {
    for (var t = 0u; t < SPAN; t++) {
        let c = lane + t * WG;
        var value = 0.0;
        if c < DIM {
            value = load_input(row * DIM + c);
        }
        xs[at + t] = value;
    }
}

// Loads this lane's dimensions of the update's `outputs` output rows into os.
fn load_outputs(lane: u32, centre: u32, cell: u32, outputs: u32) {
    for (var k = 0u; k < outputs; k++) {
        let id = output_id(centre, cell, k);
        for (var t = 0u; t < SPAN; t++) {
            let c = lane + t * WG;
            var value = 0.0;
            if id != NONE && c < DIM {
                value = load_output(id * DIM + c);
            }
            os[k * SPAN + t] = value;
        }
    }
}

// This lane's part of the dot products of input row xs[at..] with the `outputs` output rows,
// into dots[first..first + outputs].
fn partial_dots(at: u32, first: u32, outputs: u32) {
    for (var k = 0u; k < outputs; k++) {
        var sum = 0.0;
        for (var t = 0u; t < SPAN; t++) {
            sum += xs[at + t] * os[k * SPAN + t];
        }
        dots[first + k] = sum;
    }
}

// Replaces the reduced dot products dots[first..first + outputs] by g_k; returns the loss.
fn scores(centre: u32, cell: u32, first: u32, outputs: u32) -> f32 {
    var loss = 0.0;
    for (var k = 0u; k < outputs; k++) {
        let f = dots[first + k];
        let positive = output_positive(k);
        let label = select(0.0, 1.0, positive);
        dots[first + k] = params.alpha * (label - sigmoid(f));
        if output_id(centre, cell, k) != NONE {
            loss += neg_log_sigmoid(select(-f, f, positive));
        }
    }
    return loss;
}

// Adds g_k x (x = xs[at..]) to the update's `outputs` output rows, for this lane's dimension
// t.
fn add_outputs(centre: u32, cell: u32, c: u32, t: u32, at: u32, outputs: u32) {
    for (var k = 0u; k < outputs; k++) {
        let id = output_id(centre, cell, k);
        if id != NONE {
            add_output(id * DIM + c, dots[k] * xs[at + t]);
        }
    }
}

// sum_k g_k o_k(old) over the `outputs` output rows, dimension t of this lane.
fn input_gradient(centre: u32, cell: u32, t: u32, first: u32, outputs: u32) -> f32 {
    var gradient = 0.0;
    for (var k = 0u; k < outputs; k++) {
        if output_id(centre, cell, k) != NONE {
            gradient += dots[first + k] * os[k * SPAN + t];
        }
    }
    return gradient;
}

// Sets this lane's dimensions of x, xs[0..SPAN], to the mean of word `word`'s input rows:
// summed in list order, then multiplied by 1 / n in f32, as src/cpu/subword_update.rs does.
// The first row is stored, not added, so a word of one row (every word without subwords)
// costs what load_x does: one load site, no dependent add, and a multiply by 1 that folds
// away.
fn load_mean(lane: u32, word: u32) {
    let rows = row_count(word);
    for (var r = 0u; r < rows; r++) {
        let row = input_row(word, r);
        for (var t = 0u; t < SPAN; t++) {
            let c = lane + t * WG;
            var value = 0.0;
            if c < DIM {
                value = load_input(row * DIM + c);
            }
            xs[t] = select(xs[t] + value, value, r == 0u);
        }
    }
    let inverse = 1.0 / f32(rows);
    for (var t = 0u; t < SPAN; t++) {
        xs[t] *= inverse;
    }
}

// Adds `gradient` to dimension c of every input row of word `word`.
fn add_word(word: u32, c: u32, gradient: f32) {
    let rows = row_count(word);
    for (var r = 0u; r < rows; r++) {
        add_input(input_row(word, r) * DIM + c, gradient);
    }
}

// One skip-gram update: context word `word` against the centre's outputs (its path, the
// centre and the negatives at negs[cell]).
fn skipgram_update(lane: u32, word: u32, centre: u32, cell: u32) -> f32 {
    let outputs = output_count(centre);
    load_mean(lane, word);
    load_outputs(lane, centre, cell, outputs);
    partial_dots(0u, 0u, outputs);
    reduce(lane, &dots, 0u, outputs);
    let loss = scores(centre, cell, 0u, outputs);
    for (var t = 0u; t < SPAN; t++) {
        let c = lane + t * WG;
        if c < DIM {
            let gradient = input_gradient(centre, cell, t, 0u, outputs);
            add_outputs(centre, cell, c, t, 0u, outputs);
            add_word(word, c, gradient);
        }
    }
    return loss;
}

// The CBOW update of centre i: x the mean of the n input rows of its context words in
// start..end, each word's rows in list order, words in position order.
fn cbow_update(lane: u32, i: u32, start: u32, end: u32, n: u32, centre: u32, cell: u32) -> f32 {
    let outputs = output_count(centre);
    let inverse = 1.0 / f32(n);
    for (var t = 0u; t < SPAN; t++) {
        let c = lane + t * WG;
        var sum = 0.0;
        if c < DIM {
            for (var j = start; j < end; j++) {
                if in_context(i, j) {
                    let word = words[j];
                    let rows = row_count(word);
                    for (var r = 0u; r < rows; r++) {
                        sum += load_input(input_row(word, r) * DIM + c);
                    }
                }
            }
        }
        xs[t] = sum * inverse;
    }
    load_outputs(lane, centre, cell, outputs);
    partial_dots(0u, 0u, outputs);
    reduce(lane, &dots, 0u, outputs);
    let loss = scores(centre, cell, 0u, outputs);
    for (var t = 0u; t < SPAN; t++) {
        let c = lane + t * WG;
        if c < DIM {
            let gradient = input_gradient(centre, cell, t, 0u, outputs);
            add_outputs(centre, cell, c, t, 0u, outputs);
            for (var j = start; j < end; j++) {
                if in_context(i, j) {
                    add_word(words[j], c, gradient);
                }
            }
        }
    }
    return loss;
}

// The batch skip-gram update of centre i: its m context rows (the n-th at xs[n SPAN..])
// against the centre and the shared negatives; pair (n, k) at dots[n (NEG + 1) + k]. Words
// are single rows here, and there is no path: batch skip-gram has no subword or hierarchical
// softmax form (the host refuses both).
fn batch_update(lane: u32, i: u32, start: u32, end: u32, m: u32, centre: u32, cell: u32) -> f32 {
    let outputs = NEG + 1u;
    var n = 0u;
    for (var j = start; j < end; j++) {
        if in_context(i, j) {
            load_x(lane, words[j], n * SPAN);
            n += 1u;
        }
    }
    load_outputs(lane, centre, cell, outputs);
    for (var p = 0u; p < m; p++) {
        partial_dots(p * SPAN, p * outputs, outputs);
    }
    reduce(lane, &dots, 0u, m * outputs);
    var loss = 0.0;
    for (var p = 0u; p < m; p++) {
        loss += scores(centre, cell, p * outputs, outputs);
    }
    for (var t = 0u; t < SPAN; t++) {
        let c = lane + t * WG;
        if c >= DIM {
            continue;
        }
        for (var k = 0u; k < outputs; k++) {
            let id = output_id(centre, cell, k);
            if id != NONE {
                var delta = 0.0;
                for (var p = 0u; p < m; p++) {
                    delta += dots[p * outputs + k] * xs[p * SPAN + t];
                }
                add_output(id * DIM + c, delta);
            }
        }
        n = 0u;
        for (var j = start; j < end; j++) {
            if in_context(i, j) {
                add_input(words[j] * DIM + c, input_gradient(centre, cell, t, n * outputs, outputs));
                n += 1u;
            }
        }
    }
    return loss;
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    reduce_start(lane);
    let me = wg.x + wg.y * groups.x;
    var taken = 0u;
    var parity = 0u;
    var total = 0.0;
    var updates = 0u;
    if lane == 0u {
        next_centre = grab(0u);
    }
    var n = workgroupUniformLoad(&next_centre);
    loop {
        if n >= params.count {
            break;
        }
        taken += 1u;
        let i = params.base + n;
        let centre = words[i];
        let position = positions[i];
        let r = reach(params.key, position, params.window);
        let start = select(0u, i - r, i >= r);
        let end = min(i + r + 1u, params.len);
        let cell = parity * NEG_CELLS;
        draw_negatives(lane, i, start, end, centre, position, cell);
        path_start(lane, WG, centre, parity);
        if lane == 0u {
            next_centre = grab(taken);
        }
        // The barrier in here also publishes the negatives and the path just drawn.
        let following = workgroupUniformLoad(&next_centre);
        if CBOW || BATCH {
            // Context words, and their input rows (CBOW's mean is over the rows).
            var m = 0u;
            var rows = 0u;
            for (var j = start; j < end; j++) {
                if in_context(i, j) {
                    m += 1u;
                    rows += row_count(words[j]);
                }
            }
            if m > 0u {
                if BATCH {
                    total += batch_update(lane, i, start, end, m, centre, cell);
                    updates += m;
                } else {
                    total += cbow_update(lane, i, start, end, rows, centre, cell);
                    updates += 1u;
                }
            }
        } else {
            for (var j = start; j < end; j++) {
                if in_context(i, j) {
                    total += skipgram_update(lane, words[j], centre, cell + (j - start) * NEG);
                    updates += 1u;
                }
            }
        }
        if COUNT_VISITS && lane == 0u {
            atomicAdd(&control[params.visits + i], 1u);
        }
        n = following;
        parity ^= 1u;
    }
    if lane == 0u && updates > 0u {
        add_loss(me % params.loss_slots, total, updates);
    }
}
