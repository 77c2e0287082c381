//! # vectrain
//!
//! Word2vec (skip-gram and CBOW with negative sampling) with a multi-threaded CPU trainer
//! and WGSL compute kernels for any GPU through wgpu, every kernel checked against the CPU
//! reference.
//!
//! ```
//! use vectrain::{Corpus, ReadOptions, TrainConfig};
//!
//! let text = "the cat sat on the mat\nthe dog sat on the log\n".repeat(50);
//! let options = ReadOptions { lowercase: false, min_count: 1, max_vocab: None };
//! let corpus = Corpus::from_reader(text.as_bytes(), "example".as_ref(), &options)?;
//! let params = TrainConfig { dim: 16, epochs: 2, ..TrainConfig::default() }.check()?;
//! let trained = vectrain::cpu::train(&corpus, &params, &mut |_| {})?;
//! assert_eq!(trained.embeddings.get("cat").map(|v| v.len()), Some(16));
//! # Ok::<(), vectrain::Error>(())
//! ```

pub mod batch;
pub mod checkpoint;
pub mod config;
pub mod corpus;
pub mod cpu;
pub mod embeddings;
pub mod error;
pub mod eval;
pub mod io;
pub mod memory;
pub mod rng;
pub mod sampling;
pub mod training;
pub mod vocab;

pub use config::{Model, TrainConfig, TrainParams};
pub use corpus::{Corpus, ReadOptions};
pub use embeddings::Embeddings;
pub use error::{Error, Result};
pub use io::{VectorFormat, read_vectors, read_vectors_as, write_vectors};
pub use vocab::Vocab;
