//! Metal and DX12 without a Mac or Windows: wgpu runs WGSL there through naga's MSL and HLSL
//! back ends. Every shader variant, with every set of `override` values the host builds, is
//! translated to MSL and HLSL here, validated with the capabilities those back ends report;
//! and for each back end the host's own choice of variant (gpu::plan) must be one that
//! translates (compare-exchange where float atomics are missing).
//!
//! What this proves: naga accepts the shaders for those targets and emits source. What it
//! does not: that Apple's or Microsoft's shader compilers accept that source, or that the
//! kernels compute the right numbers there (only a run on such a device shows that).

use std::collections::HashMap;

use naga::back::{hlsl, msl};
use naga::valid::{Capabilities, ShaderStages, SubgroupOperationSet, ValidationFlags, Validator};
use vectrain::config::{GpuKernel, Model};
use vectrain::gpu::Atomics;
use vectrain::gpu::plan::{self, DeviceTraits, KernelPlan, Reduction, StepOptions, TableSplit};
use vectrain::gpu::shaders::Shader;
use vectrain::training::UpdateShape;

/// A shader back end of wgpu, and a device it may drive.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Msl,
    Hlsl,
}

impl Target {
    /// What naga's back end can translate.
    fn capabilities(self) -> Capabilities {
        match self {
            Target::Msl => msl::supported_capabilities(),
            Target::Hlsl => hlsl::supported_capabilities(),
        }
    }

    /// Devices of this back end as planning sees them: with and without subgroups, with
    /// float atomics only where the back end can express them.
    fn devices(self) -> Vec<DeviceTraits> {
        let caps = self.capabilities();
        let base = DeviceTraits {
            name: format!("{self:?} device"),
            device_type: wgpu::DeviceType::DiscreteGpu,
            float_atomics: caps.contains(Capabilities::SHADER_FLOAT32_ATOMIC),
            subgroups: caps.contains(Capabilities::SUBGROUP),
            // Apple GPUs run 32-wide SIMD groups; D3D12 reports a wave of 4 at the least.
            subgroup_min_size: if self == Target::Msl { 32 } else { 4 },
            max_workgroup_size: 1024,
            workgroup_memory: 32 * 1024,
            max_storage_buffers: 31,
            loop_limit: None,
        };
        vec![
            base.clone(),
            DeviceTraits {
                subgroups: false,
                float_atomics: false,
                ..base
            },
        ]
    }

    /// Translates `module` (overrides already applied) for entry point `entry`.
    fn translate(
        self,
        module: &naga::Module,
        info: &naga::valid::ModuleInfo,
        entry: &str,
        native: bool,
    ) -> Result<String, String> {
        let entry_point = Some((naga::ShaderStage::Compute, entry.to_string()));
        match self {
            Target::Msl => {
                let options = msl::Options {
                    // Float atomics on buffers need MSL 3.0; SIMD-group sums need 2.1.
                    lang_version: if native { (3, 0) } else { (2, 4) },
                    ..msl::Options::default()
                };
                let pipeline = msl::PipelineOptions {
                    entry_point,
                    ..msl::PipelineOptions::default()
                };
                msl::write_string(module, info, &options, &pipeline)
                    .map(|(text, _)| text)
                    .map_err(|e| format!("{e:?}"))
            }
            Target::Hlsl => {
                let options = hlsl::Options {
                    // Wave intrinsics (subgroups) need shader model 6.0.
                    shader_model: hlsl::ShaderModel::V6_0,
                    ..hlsl::Options::default()
                };
                let pipeline = hlsl::PipelineOptions { entry_point };
                let mut text = String::new();
                hlsl::Writer::new(&mut text, &options, &pipeline)
                    .write(module, info, None)
                    .map(|_| text)
                    .map_err(|e| format!("{e:?}"))
            }
        }
    }
}

/// Validates `shader` with `target`'s capabilities, applies `constants`, and translates
/// `entry`; an error says which step failed.
fn build(
    target: Target,
    shader: Shader,
    entry: &str,
    constants: &[(&str, f64)],
) -> Result<String, String> {
    let module = naga::front::wgsl::parse_str(shader.source())
        .map_err(|e| format!("parse: {}", e.emit_to_string(shader.source())))?;
    let info = Validator::new(ValidationFlags::all(), target.capabilities())
        .subgroup_stages(ShaderStages::COMPUTE)
        .subgroup_operations(SubgroupOperationSet::all())
        .validate(&module)
        .map_err(|e| format!("validate: {}", e.emit_to_string(shader.source())))?;
    let constants: naga::back::PipelineConstants = constants
        .iter()
        .map(|&(name, value)| (name.to_string(), value))
        .collect();
    let (module, info) = naga::back::pipeline_constants::process_overrides(
        &module,
        &info,
        Some((naga::ShaderStage::Compute, entry)),
        &constants,
    )
    .map_err(|e| format!("overrides: {e:?}"))?;
    let text = target.translate(&module, &info, entry, shader.needs_float_atomics())?;
    if text.trim().is_empty() {
        return Err("empty output".into());
    }
    Ok(text)
}

/// The training shapes the host plans for: each model at d = 1, 3, 100 and 300, with the
/// default window and negatives, a wide one, and no negatives (hierarchical softmax alone;
/// refused without a tree, which would leave an update no output).
fn shapes() -> Vec<UpdateShape> {
    let mut shapes = Vec::new();
    for model in [Model::SkipGram, Model::Cbow, Model::BatchSkipGram] {
        for dim in [1, 3, 100, 300] {
            for (window, negative) in [(5, 5), (2, 15), (5, 0)] {
                shapes.push(UpdateShape {
                    model,
                    dim,
                    window,
                    negative,
                });
            }
        }
    }
    shapes
}

/// Every (kernel, atomics, reduction, workgroup size) a caller may ask for, for word
/// vectors and, with the second kernel, for subwords and for hierarchical softmax.
fn every_option() -> Vec<StepOptions> {
    let mut options = Vec::new();
    for (kernel, reductions) in [
        (GpuKernel::V1, vec![Reduction::Auto]),
        (
            GpuKernel::V2,
            vec![Reduction::Auto, Reduction::Tree, Reduction::Subgroup],
        ),
    ] {
        for reduction in reductions {
            for atomics in [
                Atomics::Auto,
                Atomics::NativeFloat,
                Atomics::CompareExchange,
            ] {
                for workgroup_size in [None, Some(8), Some(32), Some(64), Some(256)] {
                    let chosen = StepOptions {
                        kernel,
                        atomics,
                        reduction,
                        workgroup_size,
                        ..StepOptions::default()
                    };
                    options.push(chosen);
                    // The second kernel's other forms: subwords (words of up to 60 rows),
                    // hierarchical softmax (paths of up to 30 nodes), tables split across
                    // bindings, and each with split tables.
                    if kernel == GpuKernel::V2 {
                        let split = Some(TableSplit { rows: 1000 });
                        for (subword_rows, tree_depth, split) in [
                            (Some(60), None, None),
                            (None, Some(30), None),
                            (None, None, split),
                            (Some(60), None, split),
                            (None, Some(30), split),
                        ] {
                            options.push(StepOptions {
                                subword_rows,
                                tree_depth,
                                split,
                                ..chosen
                            });
                        }
                    }
                }
            }
        }
    }
    options
}

/// Every plan the host accepts on each back end's devices translates; plans it refuses are
/// refused for a reason the back end shares (float atomics or subgroups the device lacks,
/// or a shape beyond the kernel). The default options (what training uses) always plan.
#[test]
fn every_training_variant_translates_to_msl_and_hlsl() {
    let mut failures = Vec::new();
    let mut translated = 0;
    let mut seen = HashMap::new();
    for target in [Target::Msl, Target::Hlsl] {
        for device in target.devices() {
            for shape in shapes() {
                for options in every_option() {
                    let plan = match plan::plan(&shape, &device, &options) {
                        Ok(plan) => plan,
                        Err(e) => {
                            let defaults = options.atomics == Atomics::Auto
                                && options.reduction == Reduction::Auto
                                && options.workgroup_size.is_none();
                            // The first kernel plans every default shape; the second may
                            // refuse a shape it cannot hold, pointing at the first.
                            // Either may refuse a shape beyond the device's workgroup
                            // memory, naming the limit, as on any back end.
                            let message = e.to_string();
                            // Batch skip-gram has no subword or hierarchical-softmax form.
                            let batch = shape.model == Model::BatchSkipGram;
                            let expected = message.contains("max_compute_workgroup_storage_size")
                                || (options.kernel == GpuKernel::V2
                                    && message.contains("--gpu-kernel v1"))
                                || (options.subword_rows.is_some()
                                    && batch
                                    && message.contains("batch skip-gram has no subword form"))
                                || (options.tree_depth.is_some()
                                    && batch
                                    && message.contains("not batch skip-gram"))
                                || (options.tree_depth.is_none()
                                    && shape.negative == 0
                                    && message.contains("give --hs"));
                            if defaults && !expected {
                                failures.push(format!(
                                    "{target:?}/{}: {shape:?} {options:?} refused: {e}",
                                    device.name
                                ));
                            }
                            continue;
                        }
                    };
                    check_plan(&plan, target, &device, &mut failures);
                    let key = (target as u8, plan.shader, format!("{:?}", plan.constants));
                    if seen.insert(key, ()).is_none() {
                        translated += 1;
                        if let Err(e) = build(target, plan.shader, "main", &plan.constants) {
                            failures.push(format!(
                                "{target:?}/{}: {} {:?}: {e}",
                                device.name,
                                plan.shader.name(),
                                plan.constants
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{translated} distinct training kernels translated");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The host's variant suits the device: native float atomics only where the device (and so
/// the back end) has them, subgroups likewise.
fn check_plan(
    plan: &KernelPlan,
    target: Target,
    device: &DeviceTraits,
    failures: &mut Vec<String>,
) {
    let caps = target.capabilities();
    if plan.shader.needs_float_atomics()
        && !(device.float_atomics && caps.contains(Capabilities::SHADER_FLOAT32_ATOMIC))
    {
        failures.push(format!(
            "{target:?}/{}: {} needs float atomics",
            device.name,
            plan.shader.name()
        ));
    }
    if plan.shader.needs_subgroups() && !(device.subgroups && caps.contains(Capabilities::SUBGROUP))
    {
        failures.push(format!(
            "{target:?}/{}: {} needs subgroups",
            device.name,
            plan.shader.name()
        ));
    }
}

/// The variants a back end cannot run are caught by naga here, not on the user's machine:
/// HLSL has no float atomics, so the float-atomic kernels fail validation with its
/// capabilities (which is why the host must pick compare-exchange on DX12).
#[test]
fn float_atomic_kernels_need_what_hlsl_lacks() {
    assert!(
        !Target::Hlsl
            .capabilities()
            .contains(Capabilities::SHADER_FLOAT32_ATOMIC)
    );
    for shader in Shader::all() {
        let result = build(Target::Hlsl, shader, "main", &[]);
        assert_eq!(
            result.is_err(),
            shader.needs_float_atomics(),
            "{}: {:?}",
            shader.name(),
            result.err()
        );
    }
}

/// The other kernels (lookups, similarity, the RNG check) with the values the host gives
/// their overrides.
#[test]
fn other_kernels_translate() {
    let mut failures = Vec::new();
    for target in [Target::Msl, Target::Hlsl] {
        for shader in Shader::all() {
            let mut builds: Vec<(&str, Vec<(&str, f64)>)> = match shader {
                Shader::Gather | Shader::ScatterAdd | Shader::ScatterAddCas => {
                    vec![("main", vec![("WG", 64.0)]), ("main", vec![("WG", 256.0)])]
                }
                Shader::Similarity => vec![("main", vec![])],
                Shader::NegativeSampling | Shader::NegativeSamplingF32 => {
                    vec![("rng_check", vec![])]
                }
                _ => vec![],
            };
            let unsupported = shader.needs_float_atomics()
                && !target
                    .capabilities()
                    .contains(Capabilities::SHADER_FLOAT32_ATOMIC);
            if unsupported {
                builds.clear();
            }
            for (entry, constants) in builds {
                if let Err(e) = build(target, shader, entry, &constants) {
                    failures.push(format!("{target:?}: {} {entry}: {e}", shader.name()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
