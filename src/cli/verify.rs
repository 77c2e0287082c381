//! `vectrain verify`: the kernel checks on the user's own adapter, a self-test for drivers
//! vectrain has never seen.

use crate::cli::say::out;
use crate::gpu::{GpuContext, GpuOptions};
use clap::Args;

/// Options of `vectrain verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Use the GPU adapter whose name contains this (see `vectrain devices`).
    #[arg(long)]
    adapter: Option<String>,
}

/// Runs `vectrain verify`; fails when any check fails.
pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let ctx = GpuContext::new(&GpuOptions {
        adapter: args.adapter,
        ..GpuOptions::default()
    })?;
    out!(
        "adapter: {} (float atomics: {})",
        ctx.describe(),
        if ctx.float_atomics { "yes" } else { "no" }
    );
    let checks = crate::gpu::verify(&ctx);
    for check in &checks {
        out!("{check}");
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} kernel checks failed on {}",
            checks.len(),
            ctx.describe()
        );
    }
    out!("all {} kernel checks passed", checks.len());
    Ok(())
}
