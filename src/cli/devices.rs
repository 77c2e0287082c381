//! `vectrain devices`: the GPU adapters wgpu sees.

use clap::Args;
use serde_json::json;

use crate::cli::say::out;

/// Options of `vectrain devices`.
#[derive(Args, Debug)]
pub struct DevicesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

const MIB: f64 = (1 << 20) as f64;

/// Runs `vectrain devices`.
pub fn run(args: DevicesArgs) -> anyhow::Result<()> {
    let adapters = crate::gpu::list_adapters()?;
    if args.json {
        let list: Vec<_> = adapters
            .iter()
            .map(|a| {
                json!({
                    "name": a.name, "backend": format!("{:?}", a.backend),
                    "type": format!("{:?}", a.device_type), "float_atomics": a.float_atomics,
                    "subgroups": a.subgroups, "subgroup_min_size": a.subgroup_sizes.0,
                    "subgroup_max_size": a.subgroup_sizes.1,
                    "max_storage_buffer_binding_size": a.max_storage_buffer_binding_size,
                    "max_buffer_size": a.max_buffer_size,
                    "max_compute_workgroup_storage_size": a.max_compute_workgroup_storage_size,
                    "max_compute_invocations_per_workgroup": a.max_compute_invocations_per_workgroup,
                })
            })
            .collect();
        out!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    if adapters.is_empty() {
        anyhow::bail!(
            "wgpu sees no GPU adapter: install a Vulkan driver (without a GPU: Mesa's lavapipe, Debian package mesa-vulkan-drivers)"
        );
    }
    out!(
        "{:<40} {:<8} {:<14} {:>13} {:>10} {:>14} {:>12} {:>10}",
        "adapter (best first)",
        "backend",
        "type",
        "float atomics",
        "subgroups",
        "binding (MiB)",
        "buffer (MiB)",
        "wg memory"
    );
    for a in &adapters {
        out!(
            "{:<40} {:<8} {:<14} {:>13} {:>10} {:>14.0} {:>12.0} {:>10}",
            a.name,
            format!("{:?}", a.backend),
            format!("{:?}", a.device_type),
            if a.float_atomics { "yes" } else { "no" },
            if a.subgroups {
                format!("{}..{}", a.subgroup_sizes.0, a.subgroup_sizes.1)
            } else {
                "no".to_string()
            },
            a.max_storage_buffer_binding_size as f64 / MIB,
            a.max_buffer_size as f64 / MIB,
            a.max_compute_workgroup_storage_size
        );
    }
    Ok(())
}
