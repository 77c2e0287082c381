//! Choosing an adapter, opening a device, and the pipeline cache every kernel shares.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
pub use crate::gpu::binding_limit::BINDING_LIMIT_VARIABLE;
use crate::gpu::binding_limit::binding_limit;
use crate::gpu::shaders::{Binding, Shader};

/// What to ask of [`GpuContext::new`].
#[derive(Clone, Debug, Default)]
pub struct GpuOptions {
    /// Use the best adapter whose name contains this (case-insensitive); `None` takes the
    /// best of all. Backends can be narrowed with the `WGPU_BACKEND` environment variable.
    pub adapter: Option<String>,
    /// Which of the matching adapters to take, counted from the best and wrapping around;
    /// hardware ones only where there are any: 0 takes the best; a distributed run passes
    /// each rank's local rank, so that the ranks on one host use distinct GPUs.
    pub nth: usize,
    /// Opens the device with `max_storage_buffer_binding_size` lowered to this many bytes
    /// (never raised), so that tests split small tables across bindings as big ones are on
    /// any device; `None` reads [`BINDING_LIMIT_VARIABLE`], and without it the adapter's own
    /// limit applies.
    pub binding_limit: Option<u64>,
}

/// What to do when `--adapter` matches none of the adapters there are.
const ADAPTER_HINT: &str =
    "give --adapter a part of one of those names (`vectrain devices` lists them)";

/// What `WGPU_BACKEND` may hold.
const BACKEND_HINT: &str = "WGPU_BACKEND takes a comma-separated list of vulkan (or vk), \
     metal (mtl), dx12 (d3d12), gl (gles, opengl); unset, every backend is tried";

/// The names wgpu accepts in `WGPU_BACKEND` (`wgpu::Backends::from_comma_list`, which skips
/// any other name silently, leaving no backend and no adapter).
const BACKEND_NAMES: [&str; 11] = [
    "vulkan", "vk", "dx12", "d3d12", "metal", "mtl", "opengl", "gles", "gl", "webgpu", "noop",
];

/// What to install when no adapter is found.
const INSTALL_HINT: &str = "install a Vulkan driver for your GPU (Linux: the vendor's driver or \
     Mesa's, plus the Vulkan loader libvulkan1); without a GPU, Mesa's software Vulkan driver \
     lavapipe works (Debian/Ubuntu package mesa-vulkan-drivers); WGPU_BACKEND=vulkan|gl|metal|dx12 \
     picks a backend";

/// One adapter as `vectrain devices` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct AdapterSummary {
    /// The adapter's name, e.g. "NVIDIA GeForce RTX 4090" or "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// Vulkan, Metal, Dx12 or Gl.
    pub backend: wgpu::Backend,
    /// Discrete, integrated, virtual, CPU or other.
    pub device_type: wgpu::DeviceType,
    /// Whether `atomicAdd` on `atomic<f32>` in storage buffers is available.
    pub float_atomics: bool,
    /// Whether subgroup operations (`subgroupAdd`) are available (wgpu's `SUBGROUP`).
    pub subgroups: bool,
    /// Smallest and largest subgroup size the adapter reports.
    pub subgroup_sizes: (u32, u32),
    /// Largest storage buffer binding, bytes (bounds one embedding table).
    pub max_storage_buffer_binding_size: u64,
    /// Largest buffer, bytes.
    pub max_buffer_size: u64,
    /// Workgroup memory, bytes.
    pub max_compute_workgroup_storage_size: u32,
    /// Invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
    /// Storage buffers one shader stage may bind.
    pub max_storage_buffers_per_shader_stage: u32,
}

impl AdapterSummary {
    fn of(adapter: &wgpu::Adapter) -> AdapterSummary {
        let info = adapter.get_info();
        let limits = adapter.limits();
        AdapterSummary {
            name: info.name,
            backend: info.backend,
            device_type: info.device_type,
            float_atomics: adapter
                .features()
                .contains(wgpu::Features::SHADER_FLOAT32_ATOMIC),
            subgroups: adapter.features().contains(wgpu::Features::SUBGROUP),
            subgroup_sizes: (info.subgroup_min_size, info.subgroup_max_size),
            max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
            max_buffer_size: limits.max_buffer_size,
            max_compute_workgroup_storage_size: limits.max_compute_workgroup_storage_size,
            max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
            max_storage_buffers_per_shader_stage: limits.max_storage_buffers_per_shader_stage,
        }
    }
}

impl fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MIB: u64 = 1 << 20;
        write!(
            f,
            "{} ({:?}, {:?}): float atomics {}, subgroups {}, storage binding {} MiB, buffer {} \
             MiB, workgroup memory {} KiB, {} invocations/workgroup, {} storage buffers/stage",
            self.name,
            self.backend,
            self.device_type,
            if self.float_atomics { "yes" } else { "no" },
            if self.subgroups {
                format!("{}..{}", self.subgroup_sizes.0, self.subgroup_sizes.1)
            } else {
                "no".to_string()
            },
            self.max_storage_buffer_binding_size / MIB,
            self.max_buffer_size / MIB,
            self.max_compute_workgroup_storage_size / 1024,
            self.max_compute_invocations_per_workgroup,
            self.max_storage_buffers_per_shader_stage,
        )
    }
}

/// Preference among device types: discrete first, CPU (software) last.
fn rank(device_type: wgpu::DeviceType) -> u8 {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

fn instance() -> wgpu::Instance {
    wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env())
}

/// The backends `WGPU_BACKEND` enables (all when it is unset); an error naming the variable
/// and the valid names when it holds anything else.
fn backends() -> Result<wgpu::Backends> {
    let Some(value) = std::env::var_os("WGPU_BACKEND") else {
        return Ok(wgpu::Backends::all());
    };
    let value = value.to_string_lossy();
    let unknown: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|name| !BACKEND_NAMES.contains(&name.to_lowercase().as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::NoAdapter {
            details: format!(
                "WGPU_BACKEND={value:?} holds an unknown backend name: {}",
                unknown.join(", ")
            ),
            hint: BACKEND_HINT,
        });
    }
    Ok(wgpu::Backends::from_comma_list(&value))
}

/// All adapters of the backends enabled (all, or those `WGPU_BACKEND` names), best first.
fn adapters(instance: &wgpu::Instance) -> Result<Vec<wgpu::Adapter>> {
    let backends = backends()?;
    let mut adapters = pollster::block_on(instance.enumerate_adapters(backends));
    adapters.sort_by_key(|a| {
        let info = a.get_info();
        (
            rank(info.device_type),
            info.backend != wgpu::Backend::Vulkan,
        )
    });
    Ok(adapters)
}

/// Every adapter wgpu can see (honouring `WGPU_BACKEND`), best first; an error when
/// `WGPU_BACKEND` names no backend wgpu knows.
pub fn list_adapters() -> Result<Vec<AdapterSummary>> {
    Ok(adapters(&instance())?
        .iter()
        .map(AdapterSummary::of)
        .collect())
}

/// A compiled kernel: its pipeline and the layout of its one bind group.
#[derive(Clone, Debug)]
pub(crate) struct Kernel {
    /// The pipeline.
    pub pipeline: wgpu::ComputePipeline,
    /// The layout of bind group 0.
    pub layout: wgpu::BindGroupLayout,
}

/// Cache key: the shader, its entry point and its `override` values (as f64 bits).
type KernelKey = (Shader, &'static str, Vec<(&'static str, u64)>);

/// An open device with everything the kernels need: the device, its queue, what it can do,
/// and the pipelines built so far (each built once, on first use).
pub struct GpuContext {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// Name, backend and type of the adapter.
    pub adapter_info: wgpu::AdapterInfo,
    /// Whether the device has `atomicAdd` on `atomic<f32>` (`SHADER_FLOAT32_ATOMIC`).
    pub float_atomics: bool,
    /// Whether the device has subgroup operations (`SUBGROUP`); the adapter's subgroup sizes
    /// are in `adapter_info`.
    pub subgroups: bool,
    /// The limits the device was opened with (the adapter's own, not WebGPU's defaults).
    pub limits: wgpu::Limits,
    /// Device-local memory in bytes, where the backend tells ([`super::device_memory`]).
    pub memory: Option<u64>,
    kernels: Mutex<HashMap<KernelKey, Kernel>>,
    modules: Mutex<HashMap<Shader, wgpu::ShaderModule>>,
    uncaptured: Arc<Mutex<Vec<String>>>,
}

impl fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.adapter_info.name)
            .field("backend", &self.adapter_info.backend)
            .field("float_atomics", &self.float_atomics)
            .field("subgroups", &self.subgroups)
            .finish_non_exhaustive()
    }
}

impl GpuContext {
    /// Opens the best adapter (discrete, then integrated, then others, software last) whose
    /// name contains `options.adapter`, with the adapter's own limits, and float atomics and
    /// subgroups where it has them. Without any adapter the error says what to install; when
    /// adapters exist but none matches `options.adapter`, it lists them; when `WGPU_BACKEND`
    /// names no backend, it names the valid ones.
    pub fn new(options: &GpuOptions) -> Result<GpuContext> {
        let instance = instance();
        let all = adapters(&instance)?;
        let wanted = options.adapter.as_deref().map(str::to_lowercase);
        let matching: Vec<&wgpu::Adapter> = all
            .iter()
            .filter(|a| {
                wanted
                    .as_deref()
                    .is_none_or(|w| a.get_info().name.to_lowercase().contains(w))
            })
            .collect();
        let hardware: Vec<&wgpu::Adapter> = matching
            .iter()
            .copied()
            .filter(|a| a.get_info().device_type != wgpu::DeviceType::Cpu)
            .collect();
        let candidates = if hardware.is_empty() {
            matching
        } else {
            hardware
        };
        let chosen = (!candidates.is_empty()).then(|| candidates[options.nth % candidates.len()]);
        let Some(adapter) = chosen else {
            let (details, hint) = match (&options.adapter, all.is_empty()) {
                (_, true) => match std::env::var("WGPU_BACKEND") {
                    Ok(value) => (
                        format!(
                            "wgpu sees no adapter on the backends WGPU_BACKEND={value} enables"
                        ),
                        INSTALL_HINT,
                    ),
                    Err(_) => (
                        "wgpu sees no adapter on any backend".to_string(),
                        INSTALL_HINT,
                    ),
                },
                (Some(w), false) => (
                    format!(
                        "no adapter name contains {w:?}; there are: {}",
                        all.iter()
                            .map(|a| {
                                let info = a.get_info();
                                format!("{} ({:?})", info.name, info.backend)
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    ADAPTER_HINT,
                ),
                (None, false) => unreachable!("find without a filter takes the first adapter"),
            };
            return Err(Error::NoAdapter { details, hint });
        };
        // Float atomics and subgroups where the adapter has them: kernels pick variants
        // that use them (gpu::plan).
        let features =
            adapter.features() & (wgpu::Features::SHADER_FLOAT32_ATOMIC | wgpu::Features::SUBGROUP);
        let float_atomics = features.contains(wgpu::Features::SHADER_FLOAT32_ATOMIC);
        let subgroups = features.contains(wgpu::Features::SUBGROUP);
        let mut limits = adapter.limits();
        if let Some(lowered) = binding_limit(options.binding_limit)? {
            limits.max_storage_buffer_binding_size =
                limits.max_storage_buffer_binding_size.min(lowered);
        }
        let memory = super::device_memory::device_memory(adapter);
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("vectrain"),
            required_features: features,
            required_limits: limits.clone(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&descriptor)).map_err(|e| Error::Gpu {
                during: "opening the device",
                message: e.to_string(),
            })?;
        // Errors outside any error scope would panic in wgpu's default handler; keep them
        // instead, and report them from the next scoped operation.
        let uncaptured = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&uncaptured);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            if let Ok(mut errors) = sink.lock() {
                errors.push(error.to_string());
            }
        }));
        Ok(GpuContext {
            device,
            queue,
            adapter_info: adapter.get_info(),
            float_atomics,
            subgroups,
            limits,
            memory,
            kernels: Mutex::new(HashMap::new()),
            modules: Mutex::new(HashMap::new()),
            uncaptured,
        })
    }

    /// "name (backend)", as training statistics report the device.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?})",
            self.adapter_info.name, self.adapter_info.backend
        )
    }

    /// Runs `work` inside validation, out-of-memory and internal error scopes and turns any
    /// error caught (or left uncaptured since the last call) into [`Error::Gpu`].
    pub(crate) fn scoped<T>(&self, during: &'static str, work: impl FnOnce() -> T) -> Result<T> {
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let memory = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = work();
        let errors = [
            pollster::block_on(validation.pop()),
            pollster::block_on(memory.pop()),
            pollster::block_on(internal.pop()),
        ];
        if let Some(error) = errors.into_iter().flatten().next() {
            return Err(Error::Gpu {
                during,
                message: error.to_string(),
            });
        }
        let left = self
            .uncaptured
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        if let Some(message) = left.into_iter().next() {
            return Err(Error::Gpu { during, message });
        }
        Ok(value)
    }

    /// Checks that a buffer of `bytes` may be created and, when `binding`, bound as a whole
    /// storage buffer: [`Error::DeviceLimit`] otherwise.
    pub fn check_buffer_size(&self, what: &str, bytes: u64, binding: bool) -> Result<()> {
        let checks = [
            (true, self.limits.max_buffer_size, "max_buffer_size"),
            (
                binding,
                self.limits.max_storage_buffer_binding_size,
                "max_storage_buffer_binding_size",
            ),
        ];
        for (applies, limit, limit_name) in checks {
            if applies && bytes > limit {
                return Err(Error::DeviceLimit {
                    what: what.to_string(),
                    needed: bytes,
                    limit,
                    limit_name,
                });
            }
        }
        Ok(())
    }

    /// The pipeline of `entry` in `shader` with `constants` as its `override` values, built on
    /// first use and cached.
    pub(crate) fn kernel(
        &self,
        shader: Shader,
        entry: &'static str,
        constants: &[(&'static str, f64)],
    ) -> Result<Kernel> {
        let key: KernelKey = (
            shader,
            entry,
            constants.iter().map(|&(n, v)| (n, v.to_bits())).collect(),
        );
        if let Some(kernel) = self.kernels.lock().ok().and_then(|k| k.get(&key).cloned()) {
            return Ok(kernel);
        }
        let module = self.module(shader)?;
        let kernel = self.scoped("building a compute pipeline", || {
            let entries: Vec<wgpu::BindGroupLayoutEntry> = shader
                .bindings(entry)
                .iter()
                .map(|(number, binding)| wgpu::BindGroupLayoutEntry {
                    binding: *number,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: match binding {
                        Binding::Uniform { dynamic } => wgpu::BindingType::Buffer {
                            ty: wgpu::BufferBindingType::Uniform,
                            has_dynamic_offset: *dynamic,
                            min_binding_size: None,
                        },
                        Binding::Storage { read_only } => wgpu::BindingType::Buffer {
                            ty: wgpu::BufferBindingType::Storage {
                                read_only: *read_only,
                            },
                            has_dynamic_offset: false,
                            min_binding_size: None,
                        },
                    },
                    count: None,
                })
                .collect();
            let layout = self
                .device
                .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                    label: Some(&shader.name()),
                    entries: &entries,
                });
            let pipeline_layout =
                self.device
                    .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                        label: Some(&shader.name()),
                        bind_group_layouts: &[Some(&layout)],
                        immediate_size: 0,
                    });
            let pipeline = self
                .device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&shader.name()),
                    layout: Some(&pipeline_layout),
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants,
                        zero_initialize_workgroup_memory: false,
                    },
                    cache: None,
                });
            Kernel { pipeline, layout }
        })?;
        if let Ok(mut kernels) = self.kernels.lock() {
            kernels.insert(key, kernel.clone());
        }
        Ok(kernel)
    }

    fn module(&self, shader: Shader) -> Result<wgpu::ShaderModule> {
        if let Some(module) = self
            .modules
            .lock()
            .ok()
            .and_then(|m| m.get(&shader).cloned())
        {
            return Ok(module);
        }
        let module = self.scoped("compiling a shader", || {
            self.device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(&shader.name()),
                    source: wgpu::ShaderSource::Wgsl(shader.source().into()),
                })
        })?;
        if let Ok(mut modules) = self.modules.lock() {
            modules.insert(shader, module.clone());
        }
        Ok(module)
    }
}
