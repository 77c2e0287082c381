//! Data-parallel training across processes: one process (rank) per device, on one host or
//! many, each training its own share of the corpus on its own copy of the tables, the
//! copies averaged every so many words.
//!
//! - [`Collective`] is what the ranks need of each other: sums and an all-gather. MPI
//!   provides it ([`MpiWorld`], with the cargo feature `mpi`); [`ThreadGroup`] provides it
//!   between threads of one process (tests, and several GPUs driven from one process).
//! - [`read_corpus`] reads this rank's share of the corpus file with the vocabulary of the
//!   whole file, the same on every rank.
//! - [`TableSync`] makes the ranks' tables one again at the points the run driver asks
//!   ([`crate::training::Averager`]), adding up every rank's changes ([`SyncMode`]), and
//!   agrees on when to stop and when a checkpoint is due.
//! - [`RankCheckpoints`] takes a checkpoint right after a synchronisation: every rank sends
//!   its place in its share, rank 0 writes the one file; [`resume_share`] continues from it
//!   on every rank.

mod averager;
mod changed_rows;
mod checkpoints;
mod corpus;
#[cfg(feature = "mpi")]
mod mpi;
mod shared;
mod threads;

pub use crate::config::{SyncMode, SyncRows, SyncSettings};
pub use averager::{TableSync, Traffic};
pub use changed_rows::sum_changed_rows;
pub use checkpoints::{RankCheckpoints, RankResume, resume_share, sync_differences};
pub use corpus::{read_corpus, vocab_fingerprint};
#[cfg(feature = "mpi")]
pub use mpi::MpiWorld;
pub use shared::SharedCollective;
pub use threads::ThreadGroup;

use crate::error::Result;

/// The operations the ranks of a distributed run perform together. Every rank calls the
/// same operations in the same order; each call returns once every rank has made it.
pub trait Collective {
    /// This rank, from 0.
    fn rank(&self) -> usize;
    /// How many ranks there are.
    fn size(&self) -> usize;
    /// Replaces `values` by their element-wise sum over every rank (every rank passes as
    /// many).
    fn sum_f32(&mut self, values: &mut [f32]) -> Result<()>;
    /// Replaces `values` by their element-wise sum over every rank.
    fn sum_u64(&mut self, values: &mut [u64]) -> Result<()>;
    /// Every rank's `mine`, in rank order.
    fn gather(&mut self, mine: &[u8]) -> Result<Vec<Vec<u8>>>;
}
