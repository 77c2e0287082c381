//! `vectrain convert`: rewrite a vector file in another format.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use vectrain::VectorFormat;

/// A vector file format.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// word2vec text: header `rows dim`, then `word v1 .. vD` per line.
    W2vText,
    /// word2vec binary: header line, then word, space and little-endian f32 per row.
    W2vBin,
    /// GloVe text: `word v1 .. vD` per line, no header.
    Glove,
}

impl From<FormatArg> for VectorFormat {
    fn from(arg: FormatArg) -> VectorFormat {
        match arg {
            FormatArg::W2vText => VectorFormat::Word2VecText,
            FormatArg::W2vBin => VectorFormat::Word2VecBinary,
            FormatArg::Glove => VectorFormat::GloveText,
        }
    }
}

/// Options of `vectrain convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input vector file (format detected).
    input: PathBuf,
    /// Output file, written atomically.
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
    let from = vectrain::io::detect_format(&args.input)?;
    let emb = vectrain::read_vectors_as(&args.input, from)?;
    let to = VectorFormat::from(args.format);
    vectrain::write_vectors(&emb, &args.output, to)?;
    if args.json {
        let out = serde_json::json!({
            "input": args.input, "input_format": from.name(), "output": args.output,
            "output_format": to.name(), "words": emb.len(), "dim": emb.dim(),
        });
        println!("{out}");
    } else {
        println!(
            "{} ({}) -> {} ({}): {} words of {}",
            args.input.display(),
            from.name(),
            args.output.display(),
            to.name(),
            emb.len(),
            emb.dim()
        );
    }
    Ok(())
}
