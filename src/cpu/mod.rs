//! The CPU path: the reference update every GPU kernel is checked against, and a fast
//! multi-threaded trainer built on the same maths.

pub mod tables;
pub mod trainer;
pub mod update;

pub use trainer::{
    CPU_CHUNK_TOKENS, CheckpointFn, Control, Outcome, Resume, Snapshot, Trained, train, train_with,
};
