//! `vectrain sentences`: sentence (and document) vectors of a text file, or with
//! `--sequence` the padded per-token vectors and their mask.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::say::out;
use crate::embeddings::Oov;
use crate::io::atomic::AtomicFile;
use crate::io::npy;
use crate::sentences::{self, Coverage, Frequencies, Pooled, Pooling, SifConfig};
use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::json;

use super::lookup::OovArg;
use super::unseen::{self, UnseenReport};

/// Unknown words and lines listed in the text report.
const SHOWN: usize = 20;
/// Largest `--input` read: it is held whole, with a vector per sentence beside it.
const MAX_INPUT_BYTES: u64 = 4 << 30;

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
    /// Vector file (word2vec text or binary, GloVe text or fastText .bin; detected).
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
    /// uint8 [sentences, max_len] mask. Position t is token t of the line; the mask is 1
    /// where it holds a vector (0 for padding, and for an unknown word under --oov skip).
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
    /// What to do with a word outside the vocabulary (skip: left out of pooling; with
    /// --sequence a zero row, mask 0; subword: its n-gram vector) [default: subword for a
    /// fastText .bin, else skip].
    #[arg(long, value_enum)]
    oov: Option<OovArg>,
    /// Lower-case the input before looking words up.
    #[arg(long)]
    lowercase: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain sentences`.
pub fn run(args: SentencesArgs) -> anyhow::Result<()> {
    let mask = mask_path(&args.output);
    let mut writes = vec![("output", args.output.as_path())];
    if args.sequence {
        writes.push(("output", &mask));
    }
    let reads = [
        ("vector file", args.file.as_path()),
        ("--input", &args.input),
    ];
    crate::io::paths::refuse_overlaps(&writes, &reads)?;
    let loaded = unseen::read(&args.file)?;
    let oov = OovArg::resolve(args.oov, &loaded, OovArg::Skip, &args.file)?;
    let text = crate::io::whole_text::read_text(&args.input, MAX_INPUT_BYTES)?;
    let text = if args.lowercase {
        text.to_lowercase()
    } else {
        text
    };
    // Each sentence with its line number: every line, or (--documents) every non-blank one.
    let lines: Vec<(usize, Vec<String>)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !args.documents || !line.trim().is_empty())
        .map(|(i, line)| (i + 1, tokenize(line)))
        .collect();
    let batch: Vec<&[String]> = lines.iter().map(|(_, s)| s.as_slice()).collect();
    // Coverage counts the vocabulary's words; unseen ones given n-gram vectors are counted
    // beside it.
    let coverage = sentences::coverage(&loaded.embeddings, &batch);
    let (emb, unseen) = match oov {
        OovArg::Subword => {
            loaded.with_unseen(batch.iter().flat_map(|s| s.iter().map(String::as_str)))?
        }
        _ => (loaded.embeddings, UnseenReport::default()),
    };
    let coverage = Report {
        coverage,
        line_numbers: lines.iter().map(|(n, _)| *n).collect(),
        unseen: (oov == OovArg::Subword).then_some(unseen),
    };
    let oov = oov.policy();
    if args.sequence {
        return run_sequence(&args, &emb, &batch, &coverage, oov);
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
    let pooled = if args.documents {
        // Blank lines end a document; runs of them make no empty document. `lines` holds the
        // non-blank lines, so a gap in their numbers is a document boundary.
        let mut documents: Vec<Vec<&[String]>> = Vec::new();
        let mut previous = None;
        for (number, sentence) in &lines {
            match documents.last_mut() {
                Some(doc) if previous == Some(number - 1) => doc.push(sentence),
                _ => documents.push(vec![sentence.as_slice()]),
            }
            previous = Some(*number);
        }
        sentences::documents(&emb, &documents, &pooling, oov)?
    } else {
        sentences::pool(&emb, &batch, &pooling, oov)?
    };
    write(&pooled, &args.output)?;
    if args.json {
        let mut out = json!({"output": args.output, "rows": pooled.rows, "dim": pooled.dim});
        coverage.add_to(&mut out);
        out!("{out}");
    } else {
        out!(
            "{} rows of {} values written to {}",
            pooled.rows,
            pooled.dim,
            args.output.display()
        );
        coverage.print();
    }
    Ok(())
}

/// The coverage of the input, with the input line of each sentence.
struct Report {
    coverage: Coverage,
    /// The 1-based input line of each sentence.
    line_numbers: Vec<usize>,
    /// Under `--oov subword`, the unknown words given n-gram vectors and those without any.
    unseen: Option<UnseenReport>,
}

impl Report {
    /// Input lines that hold tokens but no known word.
    fn lines_without_known_word(&self) -> Vec<usize> {
        let c = &self.coverage;
        c.without_known_word
            .iter()
            .map(|&i| self.line_numbers[i])
            .collect()
    }

    /// Adds the coverage fields to the JSON object `out`.
    fn add_to(&self, out: &mut serde_json::Value) {
        let c = &self.coverage;
        let mut fields = json!({
            "tokens": c.tokens, "found": c.found, "coverage": c.ratio(),
            "unknown_words": c.unknown,
            "lines_without_known_word": self.lines_without_known_word(),
        });
        if let Some(unseen) = self.unseen {
            fields["from_ngrams"] = unseen.from_ngrams.into();
            fields["without_ngrams"] = unseen.without_ngrams.into();
        }
        if let (Some(out), serde_json::Value::Object(fields)) = (out.as_object_mut(), fields) {
            out.extend(fields);
        }
    }

    /// Prints found / total tokens, the first unknown words and the lines without a known
    /// word, as `vectrain matrix` reports its coverage.
    fn print(&self) {
        let c = &self.coverage;
        let percent = c
            .ratio()
            .map_or("n/a".to_string(), |r| format!("{:.1}%", 100.0 * r));
        out!(
            "found {} of {} tokens ({percent}), {} distinct unknown words",
            c.found,
            c.tokens,
            c.unknown.len()
        );
        if let Some(unseen) = self.unseen {
            out!(
                "unknown words given their n-gram vector: {}, without any n-gram (zeros): {}",
                unseen.from_ngrams,
                unseen.without_ngrams
            );
        }
        if !c.unknown.is_empty() {
            out!(
                "first unknown (input order): {}",
                first(c.unknown.iter(), c.unknown.len())
            );
        }
        let lines = self.lines_without_known_word();
        if !lines.is_empty() {
            out!(
                "{} lines without a known word: {}",
                lines.len(),
                first(lines.iter(), lines.len())
            );
        }
    }
}

/// The first [`SHOWN`] of `items`, space-separated, then `(+N more)` if there are more.
fn first<T: std::fmt::Display>(items: impl Iterator<Item = T>, len: usize) -> String {
    let shown: Vec<String> = items.take(SHOWN).map(|x| x.to_string()).collect();
    let more = len.saturating_sub(SHOWN);
    let tail = if more > 0 {
        format!(" (+{more} more)")
    } else {
        String::new()
    };
    format!("{}{tail}", shown.join(" "))
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
    emb: &crate::Embeddings,
    batch: &[&[String]],
    coverage: &Report,
    oov: Oov,
) -> anyhow::Result<()> {
    if args.output.extension().is_none_or(|e| e != "npy") {
        anyhow::bail!(
            "--sequence writes .npy only (a 3-D array and its mask), not {}",
            args.output.display()
        );
    }
    let seq = sentences::sequences(emb, batch, oov)?;
    let mask_path = mask_path(&args.output);
    npy::write_f32_file(&args.output, &[seq.batch, seq.max_len, seq.dim], &seq.data)?;
    let mask: Vec<u8> = seq.mask.iter().map(|&m| u8::from(m)).collect();
    npy::write_u8_file(&mask_path, &[seq.batch, seq.max_len], &mask)?;
    if args.json {
        let mut out = json!({
            "output": args.output,
            "mask": mask_path,
            "sentences": seq.batch,
            "max_len": seq.max_len,
            "dim": seq.dim,
        });
        coverage.add_to(&mut out);
        out!("{out}");
    } else {
        out!(
            "{} x {} x {} token vectors written to {}, mask to {}",
            seq.batch,
            seq.max_len,
            seq.dim,
            args.output.display(),
            mask_path.display()
        );
        coverage.print();
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
