//! The CPU path: the reference update every GPU kernel is checked against, and a fast
//! multi-threaded backend built on the same maths.

pub mod backend;
#[cfg(test)]
mod fast_paths;
pub mod hot_rows;
mod row_lists;
pub mod simd;
pub mod subword_update;
pub mod tables;
mod targets;
pub mod update;

pub use backend::{CPU_CHUNK_TOKENS, CpuBackend};
