//! The integration tests: one binary (`cargo test --test integration`), each file of tests/ a
//! module of it, so the tests link once instead of once a file, and the tests of different
//! files run side by side (the GPU tests on one shared device context).

mod common;
mod support {
    pub mod cli;
    pub mod python;
}

mod api_numpy;
mod api_vs_gensim;
mod bad_input;
mod checkpoint;
mod cli_api;
mod cli_gpu;
mod cli_pictures;
mod cli_subwords;
mod cli_train;
mod config;
mod corpus;
mod cpu_trainer;
mod distributed;
mod eval_vs_gensim;
mod fasttext_bin_gensim;
mod fasttext_bin_reference;
mod fuzz_regressions;
mod gensim_interop;
mod gpu_checkpoint;
mod gpu_hs;
mod gpu_kernels;
mod gpu_lookup;
mod gpu_similarity;
mod gpu_split_tables;
mod gpu_subwords;
mod gpu_subwords_hs;
mod gpu_trainer;
mod gpu_training;
mod io_errors;
mod kernel_counts;
#[cfg(feature = "mpi")]
mod mpi;
mod phrases;
mod pretrained;
mod read_vocab;
mod sampling;
mod shader_mirrors;
mod shader_translation;
mod subword_training;
mod word_classes;
