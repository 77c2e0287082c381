//! Cutting a batch into dispatches of the training kernels: runs of centres, each trained by
//! a bounded number of workgroups.

/// One dispatch: centres `base..base + count` of the batch, trained by `workgroups`
/// workgroups, with learning rate `alpha` and epoch key `key`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// First centre.
    pub base: u32,
    /// Number of centres.
    pub count: u32,
    /// Workgroups launched: `count` for the first kernel (one per centre), at most the bound
    /// on centres in flight for the second.
    pub workgroups: u32,
    /// Learning rate.
    pub alpha: f32,
    /// Epoch key.
    pub key: u32,
}

impl Step {
    /// The first kernel's dispatches of a batch of `len` centres: runs of at most
    /// `in_flight` centres, a workgroup each (dispatches of one pass run one after the other,
    /// so at most that many train at once).
    pub fn split(len: usize, in_flight: usize, alpha: f32, key: u32) -> Vec<Step> {
        Step::persistent(len, in_flight, 1, alpha, key)
    }

    /// The second kernel's dispatches of a batch of `len` centres: `in_flight` workgroups
    /// (fewer for a short batch), each taking at most `share` centres per dispatch, so a
    /// dispatch holds up to `in_flight * share` centres. With `share = 1` these are the first
    /// kernel's dispatches.
    pub fn persistent(len: usize, in_flight: usize, share: u32, alpha: f32, key: u32) -> Vec<Step> {
        let workgroups = in_flight.clamp(1, len.max(1));
        let piece = workgroups.saturating_mul(share.max(1) as usize);
        (0..len)
            .step_by(piece)
            .map(|base| {
                let count = piece.min(len - base);
                Step {
                    base: base as u32,
                    count: count as u32,
                    workgroups: workgroups.min(count) as u32,
                    alpha,
                    key,
                }
            })
            .collect()
    }
}
