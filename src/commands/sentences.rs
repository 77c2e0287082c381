//! `vectrain sentences`: sentence (and document) vectors of a text file, or with
//! `--sequence` the padded per-token vectors and their mask.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::json;
use vectrain::io::atomic::AtomicFile;
use vectrain::io::npy;
use vectrain::sentences::{self, Frequencies, Pooled, Pooling, SifConfig};

use super::lookup::OovArg;

/// How token vectors are pooled.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PoolArg {
    /// Mean of the token vectors.
    Mean,
    /// Element-wise maximum.
    Max,
    /// Smooth inverse frequency weights, first principal component of the batch removed.
    Sif,
}

/// Where SIF's word probabilities come from.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FrequenciesArg {
    /// Zipf's law on the file's row order (vector files hold no counts).
    Zipf,
    /// The vocabulary's counts.
    Counts,
}

/// Options of `vectrain sentences`.
#[derive(Args, Debug)]
pub struct SentencesArgs {
    /// Vector file (word2vec text or binary, or GloVe text; detected).
    file: PathBuf,
    /// Text, one sentence per line, tokens separated by white space.
    #[arg(long)]
    input: PathBuf,
    /// Pooling of the token vectors.
    #[arg(long, value_enum, default_value_t = PoolArg::Mean)]
    pool: PoolArg,
    /// Blank lines separate documents; each row becomes [sentence ; document] (2 x dim).
    #[arg(long)]
    documents: bool,
    /// Per-token vectors instead of pooled ones: OUTPUT (`.npy` only) gets float32
    /// [sentences, max_len, dim], zero-padded, and OUTPUT with `.mask.npy` for `.npy` gets the
    /// uint8 [sentences, max_len] mask (1 where a position holds a token).
    #[arg(long, conflicts_with_all = ["documents", "pool", "sif_a", "frequencies"])]
    sequence: bool,
    /// Output: `.npy` (float32, [rows, dim]) or text (one row of values per line).
    #[arg(long)]
    output: PathBuf,
    /// SIF's smoothing parameter a.
    #[arg(long, default_value_t = sentences::DEFAULT_SIF_A)]
    sif_a: f64,
    /// SIF's word probabilities.
    #[arg(long, value_enum, default_value_t = FrequenciesArg::Zipf)]
    frequencies: FrequenciesArg,
    /// What to do with a word outside the vocabulary.
    #[arg(long, value_enum, default_value_t = OovArg::Skip)]
    oov: OovArg,
    /// Lower-case the input before looking words up.
    #[arg(long)]
    lowercase: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain sentences`.
pub fn run(args: SentencesArgs) -> anyhow::Result<()> {
    let emb = vectrain::read_vectors(&args.file)?;
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let text = if args.lowercase {
        text.to_lowercase()
    } else {
        text
    };
    if args.sequence {
        return run_sequence(&args, &emb, &text);
    }
    let pooling = match args.pool {
        PoolArg::Mean => Pooling::Mean,
        PoolArg::Max => Pooling::Max,
        PoolArg::Sif => Pooling::Sif(SifConfig {
            a: args.sif_a,
            frequencies: match args.frequencies {
                FrequenciesArg::Zipf => Frequencies::Zipf,
                FrequenciesArg::Counts => Frequencies::Counts,
            },
            ..SifConfig::default()
        }),
    };
    let oov = args.oov.into();
    let pooled = if args.documents {
        // Blank lines end a document; runs of them make no empty document.
        let mut documents: Vec<Vec<Vec<String>>> = vec![Vec::new()];
        for line in text.lines() {
            if !line.trim().is_empty() {
                if let Some(doc) = documents.last_mut() {
                    doc.push(tokenize(line));
                }
            } else if documents.last().is_some_and(|d| !d.is_empty()) {
                documents.push(Vec::new());
            }
        }
        documents.retain(|d| !d.is_empty());
        sentences::documents(&emb, &documents, &pooling, oov)?
    } else {
        let batch: Vec<Vec<String>> = text.lines().map(tokenize).collect();
        sentences::pool(&emb, &batch, &pooling, oov)?
    };
    write(&pooled, &args.output)?;
    if args.json {
        let out = json!({"output": args.output, "rows": pooled.rows, "dim": pooled.dim});
        println!("{out}");
    } else {
        println!(
            "{} rows of {} values written to {}",
            pooled.rows,
            pooled.dim,
            args.output.display()
        );
    }
    Ok(())
}

/// One sentence per line, split at white space.
fn tokenize(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

/// Where `--sequence` writes the mask of `output`: `x.npy` -> `x.mask.npy`.
pub fn mask_path(output: &Path) -> PathBuf {
    output.with_extension("mask.npy")
}

/// `--sequence`: the padded per-token vectors and their mask, both `.npy`.
fn run_sequence(
    args: &SentencesArgs,
    emb: &vectrain::Embeddings,
    text: &str,
) -> anyhow::Result<()> {
    if args.output.extension().is_none_or(|e| e != "npy") {
        anyhow::bail!(
            "--sequence writes .npy only (a 3-D array and its mask), not {}",
            args.output.display()
        );
    }
    let batch: Vec<Vec<String>> = text.lines().map(tokenize).collect();
    let seq = sentences::sequences(emb, &batch, args.oov.into())?;
    let mask_path = mask_path(&args.output);
    npy::write_f32_file(&args.output, &[seq.batch, seq.max_len, seq.dim], &seq.data)?;
    let mask: Vec<u8> = seq.mask.iter().map(|&m| u8::from(m)).collect();
    npy::write_u8_file(&mask_path, &[seq.batch, seq.max_len], &mask)?;
    if args.json {
        let out = json!({
            "output": args.output,
            "mask": mask_path,
            "sentences": seq.batch,
            "max_len": seq.max_len,
            "dim": seq.dim,
        });
        println!("{out}");
    } else {
        println!(
            "{} x {} x {} token vectors written to {}, mask to {}",
            seq.batch,
            seq.max_len,
            seq.dim,
            args.output.display(),
            mask_path.display()
        );
    }
    Ok(())
}

/// Writes `.npy` if `path` ends so, else text rows; atomically either way.
fn write(pooled: &Pooled, path: &Path) -> anyhow::Result<()> {
    if path.extension().is_some_and(|e| e == "npy") {
        npy::write_f32_file(path, &[pooled.rows, pooled.dim], &pooled.data)?;
        return Ok(());
    }
    let mut file = AtomicFile::create(path)?;
    for row in pooled.data.chunks_exact(pooled.dim.max(1)) {
        let values: Vec<String> = row.iter().map(f32::to_string).collect();
        writeln!(file, "{}", values.join(" "))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    file.commit()?;
    Ok(())
}
