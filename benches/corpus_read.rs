//! The encoded corpus read back alone, as epochs read it: `cargo bench --bench corpus_read`.
//!
//! Encodes a corpus into a cache file once (`VECTRAIN_READ_CORPUS`, default
//! `../shared/data/mix8m.txt.gz`), then reads every chunk of it back, sentence by sentence,
//! on 1 thread and on every core (threads take chunks in turn, as the CPU trainer's do), a
//! few times each, and prints words/s in all and per thread. The first read after encoding
//! may come from the page cache, as every epoch's after the first does in a run; a corpus
//! larger than memory reads at the disk's speed instead.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use vectrain::{Corpus, ReadOptions};

/// Chunk size of the CPU trainer's plan.
const CHUNK_TOKENS: usize = 100_000;

fn main() -> vectrain::Result<()> {
    let path = std::env::var_os("VECTRAIN_READ_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mix8m.txt.gz"),
        PathBuf::from,
    );
    let dir = std::env::temp_dir().join(format!("vectrain-read-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| vectrain::Error::io("create", &dir, e))?;
    let options = ReadOptions {
        cache_dir: Some(dir.clone()),
        ..ReadOptions::default()
    };
    let started = Instant::now();
    let corpus = Corpus::read(&path, &options)?;
    println!(
        "{}: {} tokens kept, encoded in {:.1} s ({:.0} words/s)",
        path.display(),
        corpus.len(),
        started.elapsed().as_secs_f64(),
        corpus.stats.raw_tokens as f64 / started.elapsed().as_secs_f64()
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunks = corpus.chunks(CHUNK_TOKENS);
    for threads in [1, cores] {
        for round in 1..=3 {
            let next = AtomicUsize::new(0);
            let started = Instant::now();
            let words: u64 = std::thread::scope(|scope| {
                let readers: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut words = 0u64;
                            while let Some(chunk) = chunks.get(next.fetch_add(1, Ordering::Relaxed))
                            {
                                corpus.for_each_sentence_in(chunk, |sentence, _| {
                                    words += sentence.len() as u64;
                                })?;
                            }
                            Ok::<u64, vectrain::Error>(words)
                        })
                    })
                    .collect();
                readers
                    .into_iter()
                    .map(|r| r.join().expect("reader"))
                    .sum::<vectrain::Result<u64>>()
            })?;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{threads} thread(s), read {round}: {words} words in {seconds:.3} s: {:.1}M words/s, {:.1}M per thread",
                words as f64 / seconds / 1e6,
                words as f64 / seconds / 1e6 / threads as f64
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
