//! Lookup API throughput: batch lookups (rows/s), `most_similar_batch` for 1,000 queries over
//! a 100k-word vocabulary, each on the CPU and on the GPU side by side, and loading a
//! 100k x 300 word2vec text file, against gensim's `load_word2vec_format` on the same file
//! (run through the test Python).
//!
//! `cargo bench --bench lookup`. Sizes: `VECTRAIN_BENCH_WORDS` (100000) and
//! `VECTRAIN_BENCH_DIM` (300); `VECTRAIN_BENCH_GPU=0` leaves the GPU out (otherwise the best
//! adapter is used, `WGPU_BACKEND` and `VECTRAIN_BENCH_ADAPTER` narrowing it). Every GPU figure
//! names its adapter and backend. GPU calls return data read back to the host, so the device
//! has finished when the clock stops. Prints; asserts nothing about time.

#[path = "support/gpu.rs"]
mod support_gpu;

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use support_gpu::bench_gpu;
use vectrain::embeddings::{CpuGather, LookupOptions, Oov, Query};
use vectrain::gpu::GpuEmbeddings;
use vectrain::{Embeddings, Vocab};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn values(n: usize, seed: u32) -> Vec<f32> {
    vectrain::rng::uniform_values(n, seed)
}

fn main() {
    let (n, dim) = (
        env_usize("VECTRAIN_BENCH_WORDS", 100_000),
        env_usize("VECTRAIN_BENCH_DIM", 300),
    );
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    println!("lookup bench: {n} words x {dim}, {threads} threads available");
    let words: Vec<String> = (0..n).map(|i| format!("word{i}")).collect();
    let emb = Embeddings::new(
        Vocab::from_ordered(words.clone(), (1..=n as u64).rev().collect()),
        dim,
        values(n * dim, 1),
    )
    .expect("a consistent matrix");

    // Batch lookups: 1,000 batches of 1,024 random words (1% unknown), by word and by id.
    let picks: Vec<usize> = values(1024, 2)
        .iter()
        .map(|x| ((x + 0.5) * n as f32 * 1.01) as usize)
        .collect();
    let batch_words: Vec<String> = picks.iter().map(|&i| format!("word{i}")).collect();
    let batch_ids: Vec<u32> = picks.iter().map(|&i| i as u32).collect();
    let mut out = vec![0.0f32; 1024 * dim];
    let mut found = vec![false; 1024];
    let options = LookupOptions::new(Oov::Zeros);
    let rounds = 1000;
    let start = Instant::now();
    for _ in 0..rounds {
        emb.embedding_batch_into(&batch_words, options, &mut out, &mut found)
            .expect("buffers of the right size");
        black_box(&out);
    }
    let by_word = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..rounds {
        emb.embedding_ids_into(&batch_ids, options, &mut out, &mut found)
            .expect("buffers of the right size");
        black_box(&out);
    }
    let by_id = start.elapsed().as_secs_f64();
    let rows = (rounds * 1024) as f64;
    println!(
        "batch lookup (1024 per batch, {dim} floats per row): by word {:.2} M rows/s, by id {:.2} M rows/s",
        rows / by_word / 1e6,
        rows / by_id / 1e6
    );

    let ctx = bench_gpu();
    let device = ctx.as_ref().map(|ctx| {
        let start = Instant::now();
        let device = GpuEmbeddings::new(ctx, &emb).expect("the table fits the device");
        println!(
            "GPU upload of {n} x {dim}: {:.3} s [{}]",
            start.elapsed().as_secs_f64(),
            ctx.describe()
        );
        device
    });

    // Batch lookup through the Gather seam, by id: CPU and GPU side by side.
    let gather_rounds = env_usize("VECTRAIN_BENCH_GATHER_ROUNDS", 200);
    let start = Instant::now();
    for _ in 0..gather_rounds {
        emb.gather_with(&CpuGather, &batch_ids, options, &mut out, &mut found)
            .expect("buffers of the right size");
        black_box(&out);
    }
    let cpu_gather = start.elapsed().as_secs_f64();
    let gather_rows = (gather_rounds * 1024) as f64;
    println!(
        "gather_with (1024 ids per batch, {gather_rounds} batches): CpuGather {:.2} M rows/s",
        gather_rows / cpu_gather / 1e6
    );
    if let (Some(ctx), Some(device)) = (&ctx, &device) {
        // One warm-up call builds the pipeline.
        emb.gather_with(device, &batch_ids, options, &mut out, &mut found)
            .expect("the GPU gather runs");
        let start = Instant::now();
        for _ in 0..gather_rounds {
            emb.gather_with(device, &batch_ids, options, &mut out, &mut found)
                .expect("the GPU gather runs");
            black_box(&out);
        }
        let gpu_gather = start.elapsed().as_secs_f64();
        println!(
            "gather_with (1024 ids per batch, {gather_rounds} batches): GpuEmbeddings {:.2} M rows/s, \
             {:.2} ms/batch incl. upload of ids and read-back [{}]",
            gather_rows / gpu_gather / 1e6,
            gpu_gather * 1e3 / gather_rounds as f64,
            ctx.describe()
        );
    }

    // most_similar_batch: 1,000 word queries, top 10.
    let queries: Vec<Query<'_>> = (0..1000).map(|i| Query::Id((i * 97 % n) as u32)).collect();
    let start = Instant::now();
    emb.norms();
    let norms = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let answers = emb
        .most_similar_batch(&queries, 10)
        .expect("queries are in range");
    let batch = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for q in &queries[..50] {
        black_box(emb.most_similar(*q, 10, &[]).expect("in range"));
    }
    let single = start.elapsed().as_secs_f64() / 50.0;
    println!(
        "most_similar_batch: 1000 queries x {n} words in {batch:.3} s ({:.2} ms/query; norms {norms:.3} s once); most_similar one at a time: {:.1} ms/query",
        batch * 1e3 / 1000.0,
        single * 1e3
    );

    if let (Some(ctx), Some(device)) = (&ctx, &device) {
        // The first call uploads the normalised table and builds the pipeline.
        let start = Instant::now();
        let first = device
            .most_similar_batch(&emb, &queries[..1], 10)
            .expect("the GPU search runs");
        let warm_up = start.elapsed().as_secs_f64();
        black_box(first);
        let start = Instant::now();
        let gpu_answers = device
            .most_similar_batch(&emb, &queries, 10)
            .expect("the GPU search runs");
        let gpu_batch = start.elapsed().as_secs_f64();
        let same = gpu_answers
            .iter()
            .zip(&answers)
            .filter(|(g, c)| g.iter().map(|n| n.id).eq(c.iter().map(|n| n.id)))
            .count();
        println!(
            "most_similar_batch on the GPU: 1000 queries x {n} words in {gpu_batch:.3} s \
             ({:.2} ms/query; first call with upload {warm_up:.3} s; {same}/1000 answer lists \
             identical to the CPU's) [{}]",
            gpu_batch * 1e3 / 1000.0,
            ctx.describe()
        );
    }

    // Loading a word2vec text file: vectrain vs gensim.
    let dir = std::env::temp_dir().join(format!("vectrain-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("vectors.txt");
    let mut text = String::with_capacity(n * dim * 9);
    writeln!(text, "{n} {dim}").expect("writing to a String");
    for (i, word) in words.iter().enumerate() {
        text.push_str(word);
        for x in emb.row(i as u32) {
            write!(text, " {x:.6}").expect("writing to a String");
        }
        text.push('\n');
    }
    std::fs::write(&path, &text).expect("writing the bench file");
    let megabytes = text.len() as f64 / 1e6;
    drop(text);
    let start = Instant::now();
    let loaded = vectrain::read_vectors(&path).expect("the file just written");
    let ours = start.elapsed().as_secs_f64();
    assert_eq!(loaded.len(), n);
    drop(loaded);
    let python = std::env::var_os("VECTRAIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python")));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/gensim_load.py");
    let gensim = Command::new(&python).arg(script).arg(&path).output();
    let gensim = match gensim {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            text.split_whitespace()
                .next()
                .and_then(|s| s.parse::<f64>().ok())
                .map_or_else(
                    || format!("unreadable output {text:?}"),
                    |s| format!("{s:.2} s"),
                )
        }
        Ok(out) => format!("failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => format!("cannot run {}: {e}", python.display()),
    };
    println!(
        "load {n} x {dim} word2vec text ({megabytes:.0} MB): vectrain {ours:.2} s, gensim load_word2vec_format {gensim}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
