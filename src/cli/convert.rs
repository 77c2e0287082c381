//! `vectrain convert`: rewrite a vector file in another format.

use std::path::PathBuf;

use crate::VectorFormat;
use crate::cli::reading_bar::with_reading_bar;
use crate::cli::say::out;
use crate::io::projector::{ProjectorFiles, write_projector};
use clap::{Args, ValueEnum};

/// A format `convert` writes.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// word2vec text: header `rows dim`, then `word v1 .. vD` per line.
    W2vText,
    /// word2vec binary: header line, then word, space and little-endian f32 per row.
    W2vBin,
    /// GloVe text: `word v1 .. vD` per line, no header.
    Glove,
    /// TensorFlow Embedding Projector: OUTPUT.vectors.tsv and OUTPUT.metadata.tsv (or
    /// vectors.tsv and metadata.tsv inside OUTPUT when it is a directory).
    Projector,
}

impl FormatArg {
    /// The vector file format, or `None` for the projector's pair of files.
    fn vector_format(self) -> Option<VectorFormat> {
        match self {
            FormatArg::W2vText => Some(VectorFormat::Word2VecText),
            FormatArg::W2vBin => Some(VectorFormat::Word2VecBinary),
            FormatArg::Glove => Some(VectorFormat::GloveText),
            FormatArg::Projector => None,
        }
    }
}

/// Options of `vectrain convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input vector file (format detected).
    input: PathBuf,
    /// Output file, written atomically (for --format projector: a stem or a directory).
    output: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vectrain convert`.
pub fn run(args: ConvertArgs) -> anyhow::Result<()> {
    let from = crate::io::detect_format(&args.input)?;
    let emb =
        with_reading_bar(|progress| crate::io::read_vectors_reporting(&args.input, progress))?;
    let (outputs, to_name) = match args.format.vector_format() {
        Some(to) => {
            crate::write_vectors(&emb, &args.output, to)?;
            (vec![args.output.clone()], to.name())
        }
        None => {
            let files = ProjectorFiles::for_output(&args.output);
            write_projector(&emb, &files)?;
            (vec![files.vectors, files.metadata], "projector")
        }
    };
    if args.json {
        let output: serde_json::Value = match outputs.as_slice() {
            [one] => serde_json::json!(one),
            many => serde_json::json!(many),
        };
        let out = serde_json::json!({
            "input": args.input, "input_format": from.name(), "output": output,
            "output_format": to_name, "words": emb.len(), "dim": emb.dim(),
        });
        out!("{out}");
    } else {
        out!(
            "{} ({}) -> {} ({}): {} words of {}",
            args.input.display(),
            from.name(),
            joined(&outputs),
            to_name,
            emb.len(),
            emb.dim()
        );
    }
    Ok(())
}

/// The paths separated by ` and `.
fn joined(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(" and ")
}
