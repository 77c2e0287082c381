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
//! let options = ReadOptions { lowercase: false, min_count: 1, max_vocab: None, ..ReadOptions::default() };
//! let corpus = Corpus::from_reader(text.as_bytes(), "example".as_ref(), &options)?;
//! let params = TrainConfig { dim: 16, epochs: 2, ..TrainConfig::default() }.check()?;
//! let mut backend = vectrain::cpu::CpuBackend::new(params.threads);
//! let trained = vectrain::train_to_end(&mut backend, &corpus, &params, &mut |_| {})?;
//! assert_eq!(trained.embeddings.get("cat").map(|v| v.len()), Some(16));
//! # Ok::<(), vectrain::Error>(())
//! ```
//!
//! Trained or downloaded vectors answer queries: batch lookups into a caller's buffer,
//! nearest neighbours, analogies, and pooled sentence vectors.
//!
//! ```
//! use vectrain::embeddings::{LookupOptions, Oov};
//! use vectrain::sentences::{self, Pooling};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("vectors.txt");
//! std::fs::write(&path, "3 2\nthe 1 0\ncat 0 2\nsat 4 4\n")?;
//! let emb = vectrain::read_vectors(&path)?;
//!
//! // A batch of words into a buffer of 3 x 2 values; unknown words become zeros.
//! let mut out = [0.0f32; 6];
//! let mut found = [false; 3];
//! let rows = emb.embedding_batch_into(&["cat", "dog", "sat"], LookupOptions::new(Oov::Zeros),
//!                                     &mut out, &mut found)?;
//! assert_eq!((rows, found), (3, [true, false, true]));
//! assert_eq!(out, [0.0, 2.0, 0.0, 0.0, 4.0, 4.0]);
//!
//! assert_eq!(emb.most_similar("cat", 1, &[])?[0].word, "sat");
//!
//! // The mean of a sentence's known words.
//! let pooled = sentences::pool(&emb, &[["the", "cat", "sat"]], &Pooling::Mean, Oov::Skip)?;
//! assert_eq!(pooled.row(0), [5.0 / 3.0, 2.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod backends;
pub mod batch;
pub mod checkpoint;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod cpu;
pub mod distributed;
pub mod embeddings;
pub mod error;
pub mod eval;
pub mod gpu;
pub mod huffman;
pub(crate) mod huge_pages;
pub mod io;
pub mod matrix;
pub mod memory;
pub mod metrics;
pub mod phrases;
pub mod plot;
pub mod rng;
pub mod sampling;
pub mod sentences;
pub mod subwords;
pub mod training;
pub mod units;
pub mod vocab;

pub use backends::{BackendChoice, Device};
pub use config::{GpuKernel, Model, TrainConfig, TrainParams};
pub use corpus::{Corpus, GivenVocab, ReadOptions};
pub use embeddings::Embeddings;
pub use error::{Error, Result};
pub use io::{VectorFormat, read_vectors, read_vectors_as, write_vectors};
pub use training::{Backend, train, train_to_end};
pub use vocab::Vocab;
