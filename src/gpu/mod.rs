//! The GPU path: WGSL compute kernels run through wgpu on any adapter (Vulkan, Metal, DX12,
//! GL), each checked against its CPU twin.
//!
//! - [`GpuContext`] opens the best adapter and caches compiled pipelines.
//! - [`lookup`]: embedding tables on the device, batch lookup and gradient scatter-add.
//! - [`GpuEmbeddings`]: an [`crate::Embeddings`] on the device: batch lookups and
//!   [`most_similar_batch`](GpuEmbeddings::most_similar_batch), whose cosines [`similarity`]
//!   computes as a tiled matrix product.
//! - [`step`]: the training kernels (skip-gram, CBOW, batch skip-gram; two kernels, see
//!   [`crate::GpuKernel`]), the reference semantics of [`crate::cpu::update`] on the GPU;
//!   [`plan`] picks a kernel's variant for a device.
//!   [`loss`] reads the loss the kernels sum on the device; [`rng_check`] runs their random
//!   draws against the CPU's.
//! - [`GpuBackend`]: training on the GPU under the run driver of [`crate::training`].
//! - [`verify()`]: the kernel checks, run on the user's adapter (`vectrain verify`).
//!
//! Kernels live in `shaders/` as self-contained WGSL files ([`shaders`] is the registry);
//! sizes are `override` constants set when a pipeline is built.

pub mod backend;
pub mod binding_limit;
pub mod buffers;
pub mod context;
pub mod device_memory;
pub mod dispatch;
pub mod embeddings;
pub mod lookup;
pub mod loop_bound;
pub mod loss;
pub mod plan;
pub mod rng_check;
pub mod shaders;
pub mod similarity;
pub mod step;
pub mod table_parts;
pub mod tree_paths;
pub mod verify;
mod verify_hs;
mod verify_inputs;
mod verify_subwords;
pub mod word_rows;

pub use backend::{
    GPU_CHUNK_TOKENS, GpuBackend, HS_DEFAULT_IN_FLIGHT, centres_in_flight, default_in_flight,
};
pub use context::{AdapterSummary, GpuContext, GpuOptions, list_adapters};
pub use embeddings::GpuEmbeddings;
pub use lookup::{Atomics, GpuTable, gather, scatter_add};
pub use similarity::similarity_scores;
pub use verify::{KernelCheck, verify};
