// The <reduce> block of negative_sampling_v2.wgsl on adapters with subgroups (wgpu's
// SUBGROUP): the host puts this file in place of that block. subgroupAdd sums a subgroup's
// partials without workgroup memory or barrier; a workgroup of one subgroup (SUBGROUPS = 1,
// the host's choice where the workgroup fits the adapter's smallest subgroup) needs nothing
// more. Larger workgroups add their subgroups' sums through workgroup memory: one barrier
// per round, and no bank conflicts (every lane reads the same cells).
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.

// Invocations per workgroup: a power of two.
override WG: u32 = 64u;
// Dot products reduced per round (bounds workgroup memory).
override GROUP: u32 = 8u;
// Most subgroups in one workgroup: WG / the adapter's smallest subgroup size, at least 1.
override SUBGROUPS: u32 = 1u;
// Dot products of one update a lane holds.
const MAX_DOTS: u32 = 256u;

// Subgroup sums of a round, GROUP dot products of SUBGROUPS subgroups, two halves by parity.
var<workgroup> red: array<f32, 2u * GROUP * SUBGROUPS>;
// Subgroups numbered so far.
var<workgroup> numbered: atomic<u32>;
// Rounds reduced so far (the same in every lane): picks the half.
var<private> rounds: u32;
// This lane's subgroup's number, whether the lane writes its subgroup's sums, and how many
// subgroups the workgroup has.
var<private> slot: u32;
var<private> leader: bool;
var<private> present: u32;

// Called once, first thing, by every lane: numbers the subgroups (in whatever order they
// arrive; nothing assumes how lanes map to subgroups).
fn reduce_start(lane: u32) {
    if SUBGROUPS == 1u {
        return;
    }
    if lane == 0u {
        atomicStore(&numbered, 0u);
    }
    workgroupBarrier();
    leader = lane == subgroupBroadcastFirst(lane);
    var mine = 0u;
    if leader {
        mine = atomicAdd(&numbered, 1u);
    }
    slot = subgroupBroadcastFirst(mine);
    workgroupBarrier();
    present = atomicLoad(&numbered);
}

// Replaces sums[first..first + count], each lane's partial dot products, by their sums over
// the workgroup's lanes, in every lane.
fn reduce(lane: u32, sums: ptr<private, array<f32, MAX_DOTS>>, first: u32, count: u32) {
    for (var k = first; k < first + count; k++) {
        (*sums)[k] = subgroupAdd((*sums)[k]);
    }
    if SUBGROUPS == 1u {
        return;
    }
    for (var done = 0u; done < count; done += GROUP) {
        let n = min(GROUP, count - done);
        let half = (rounds & 1u) * GROUP * SUBGROUPS;
        rounds += 1u;
        if leader {
            for (var k = 0u; k < n; k++) {
                red[half + k * SUBGROUPS + slot] = (*sums)[first + done + k];
            }
        }
        workgroupBarrier();
        for (var k = 0u; k < n; k++) {
            var sum = 0.0;
            for (var s = 0u; s < present; s++) {
                sum += red[half + k * SUBGROUPS + s];
            }
            (*sums)[first + done + k] = sum;
        }
    }
}
