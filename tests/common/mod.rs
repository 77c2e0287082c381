//! Helpers shared by the integration tests: the GPU context (or a loud failure), and a
//! tolerance for comparing floats.

#![allow(dead_code)]

use std::sync::OnceLock;

pub mod batches;
pub mod kernel_checks;

use vectrain::batch::Batch;
use vectrain::gpu::step::TrainState;
use vectrain::gpu::{GpuContext, GpuOptions};
use vectrain::training::LossSum;

/// The environment variable that lets GPU tests skip where no adapter exists.
pub const NO_GPU: &str = "VECTRAIN_NO_GPU";

/// The test context, opened once per test binary: `None` (with a message) only where
/// `VECTRAIN_NO_GPU=1`; without an adapter and without that variable the test panics, so a
/// machine that lost its driver fails CI instead of passing silently.
pub fn gpu() -> Option<&'static GpuContext> {
    static CONTEXT: OnceLock<Option<GpuContext>> = OnceLock::new();
    CONTEXT
        .get_or_init(|| {
            // Mesa prints a warning on every run without it; harmless but noisy.
            if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
                // SAFETY: set before any thread of this test binary reads the environment
                // through Mesa, inside the once-initialisation.
                unsafe { std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir()) };
            }
            match GpuContext::new(&GpuOptions::default()) {
                Ok(ctx) => {
                    eprintln!("GPU tests run on {}", ctx.describe());
                    Some(ctx)
                }
                Err(e) if std::env::var(NO_GPU).as_deref() == Ok("1") => {
                    eprintln!("SKIPPING GPU test: {NO_GPU}=1 and no GPU adapter: {e}");
                    None
                }
                Err(e) => panic!(
                    "no GPU adapter, so GPU tests cannot run: {e}\n\
                     (set {NO_GPU}=1 to skip them on a machine without any GPU driver)"
                ),
            }
        })
        .as_ref()
}

/// One pass of `state` over `batch` on the test context with at most `in_flight` centres at
/// once: both tables (input, output) and the loss.
pub fn train_pass(
    state: &TrainState,
    batch: &Batch,
    alpha: f32,
    in_flight: usize,
    key: u32,
) -> (Vec<f32>, Vec<f32>, LossSum) {
    let ctx = gpu().expect("checked by the caller");
    let mut device = state
        .batch_buffers(ctx, batch.len())
        .expect("batch buffers");
    state.upload(ctx, &mut device, batch).expect("upload");
    let steps = state.split(batch.len(), in_flight, alpha, key);
    state.run(ctx, &device, &steps).expect("run");
    let (input, output) = state.read_tables(ctx).expect("read tables");
    let loss = state.read_loss(ctx).expect("read loss");
    (input, output, loss)
}

/// Numbers match when `|x - y| <= max(rel * max(|x|, |y|), abs)`.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    /// Relative part.
    pub rel: f32,
    /// Absolute floor.
    pub abs: f32,
}

impl Tolerance {
    /// Bit-exact comparison.
    pub const EXACT: Tolerance = Tolerance { rel: 0.0, abs: 0.0 };

    /// Whether `x` and `y` match.
    pub fn matches(&self, x: f32, y: f32) -> bool {
        if self.rel == 0.0 && self.abs == 0.0 {
            return x.to_bits() == y.to_bits();
        }
        (x - y).abs() <= (self.rel * x.abs().max(y.abs())).max(self.abs)
    }
}

/// Largest |x - y| over two slices of equal length.
pub fn max_error(actual: &[f32], expected: &[f32]) -> f32 {
    actual
        .iter()
        .zip(expected)
        .map(|(a, e)| (a - e).abs())
        .fold(0.0, f32::max)
}

/// Panics with the first mismatches unless the slices have equal lengths and every pair
/// matches under `tolerance`.
pub fn assert_close(what: &str, actual: &[f32], expected: &[f32], tolerance: Tolerance) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: lengths differ (actual {}, expected {})",
        actual.len(),
        expected.len()
    );
    let bad: Vec<String> = actual
        .iter()
        .zip(expected)
        .enumerate()
        .filter(|(_, (a, e))| !tolerance.matches(**a, **e))
        .take(8)
        .map(|(i, (a, e))| format!("[{i}] actual {a:e} expected {e:e} (diff {:e})", a - e))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: values differ beyond {tolerance:?} (max error {:e}):\n{}",
        max_error(actual, expected),
        bad.join("\n")
    );
}

/// A small deterministic generator for test inputs (splitmix64).
pub struct TestRng(pub u64);

impl TestRng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next_u64() % n as u64) as u32
    }

    /// Uniform in [-1, 1).
    pub fn signed_unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// Runs the GPU tests of one binary one at a time on wgpu's GL backend (hold the guard for the
/// test's length): it gives up on its device's context lock after a short wait, so while one
/// test builds a pipeline that llvmpipe takes seconds to compile (the second training
/// kernel), the others failed with "Could not lock adapter context". Vulkan has no such
/// lock, so there the tests build their pipelines side by side, one per core.
pub fn serial() -> Option<std::sync::MutexGuard<'static, ()>> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let gl = gpu().is_some_and(|ctx| ctx.adapter_info.backend == wgpu::Backend::Gl);
    // A test that panicked while holding it leaves nothing behind to protect.
    gl.then(|| LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}
