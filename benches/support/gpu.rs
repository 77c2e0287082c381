//! The adapter the benches run on, shared by `benches/kernels.rs` and `benches/lookup.rs`.

use vectrain::gpu::{GpuContext, GpuOptions};

/// The GPU to bench on (`VECTRAIN_BENCH_ADAPTER` picks one by name), or `None`, with the
/// reason printed, when there is none or `VECTRAIN_BENCH_GPU=0`.
pub fn bench_gpu() -> Option<GpuContext> {
    if std::env::var("VECTRAIN_BENCH_GPU").as_deref() == Ok("0") {
        println!("GPU: left out (VECTRAIN_BENCH_GPU=0)");
        return None;
    }
    let options = GpuOptions {
        adapter: std::env::var("VECTRAIN_BENCH_ADAPTER").ok(),
        ..GpuOptions::default()
    };
    match GpuContext::new(&options) {
        Ok(ctx) => {
            println!("GPU: {}", ctx.describe());
            Some(ctx)
        }
        Err(e) => {
            println!("GPU: none ({e})");
            None
        }
    }
}
