//! `vectrain plot`: a 2-D map of words and their neighbours, or the curves of a training
//! metrics log, as SVG or PNG.

use std::path::{Path, PathBuf};

use crate::cli::reading_bar::with_reading_bar;
use crate::cli::say::out;
use crate::metrics::read_metrics;
use crate::plot::tsne::TsneOptions;
use crate::plot::{Curves, PictureFormat, Projection, WordMap, load_font};
use clap::{ArgGroup, Args, ValueEnum};
use serde_json::{Value, json};

/// How a map lays its points out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// The two principal components of the words' unit vectors: fast, keeps global layout.
    Pca,
    /// t-SNE (exact): keeps neighbourhoods, pulls clusters apart.
    Tsne,
}

/// Options of `vectrain plot`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("source").required(true).args(["vectors", "metrics"])))]
pub struct PlotArgs {
    /// Map words of this vector file (any format read, detected); needs --words.
    #[arg(long, value_name = "FILE", requires = "words")]
    vectors: Option<PathBuf>,
    /// Draw the loss and words/s curves of this log from `train --metrics`.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["words", "neighbours", "method", "perplexity", "seed"]
    )]
    metrics: Option<PathBuf>,
    /// The words to map, comma-separated; each gets its own colour with its neighbours.
    #[arg(long, value_delimiter = ',', value_name = "WORDS")]
    words: Vec<String>,
    /// Nearest neighbours shown around each word.
    #[arg(long, default_value_t = 10)]
    neighbours: usize,
    /// How the map lays its points out.
    #[arg(long, value_enum, default_value_t = MethodArg::Pca)]
    method: MethodArg,
    /// t-SNE's perplexity (its effective number of neighbours), lowered for few points.
    #[arg(long, default_value_t = 30.0)]
    perplexity: f64,
    /// Seed of t-SNE's starting jitter: the same seed gives the same map.
    #[arg(long, default_value_t = 1)]
    seed: u32,
    /// The picture to write: .svg or .png, by its name (written atomically).
    #[arg(long, short)]
    output: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 1200)]
    width: u32,
    /// Height in pixels [default: 900 for a map, 300 per panel for curves].
    #[arg(long)]
    height: Option<u32>,
    /// TrueType or OpenType font for the text [default: DejaVu Sans from the system's fonts].
    #[arg(long, value_name = "FILE")]
    font: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Largest width or height, in pixels: a bitmap of 8192 x 8192 is already 200 MB.
const MAX_SIDE: u32 = 8192;
/// Smallest width or height that leaves room for titles, axes and labels.
const MIN_SIDE: u32 = 200;
/// Default height of a map.
const MAP_HEIGHT: u32 = 900;
/// Default height of each panel of curves.
const PANEL_HEIGHT: u32 = 300;

/// Runs `vectrain plot`.
pub fn run(args: PlotArgs) -> anyhow::Result<()> {
    let format = PictureFormat::from_path(&args.output, "output")?;
    for (option, side) in [("width", Some(args.width)), ("height", args.height)] {
        if let Some(side) = side.filter(|s| !(MIN_SIDE..=MAX_SIDE).contains(s)) {
            anyhow::bail!(
                "invalid option --{option}: {side} pixels; give {MIN_SIDE} to {MAX_SIDE}"
            );
        }
    }
    if !(args.perplexity.is_finite() && args.perplexity >= 1.0) {
        anyhow::bail!(
            "invalid option --perplexity: {}; give a number of at least 1 (5 to 50 is usual)",
            args.perplexity
        );
    }
    let reads = [
        ("--vectors", &args.vectors),
        ("--metrics", &args.metrics),
        ("--font", &args.font),
    ];
    let reads: Vec<(&str, &Path)> = reads
        .iter()
        .filter_map(|(option, path)| Some((*option, path.as_deref()?)))
        .collect();
    crate::io::paths::refuse_overlaps(&[("output", &args.output)], &reads)?;
    crate::io::atomic::AtomicFile::check(&args.output)?;
    let font = load_font(args.font.as_deref())?;
    let summary = match (&args.vectors, &args.metrics) {
        (Some(vectors), _) => draw_map(&args, vectors, format)?,
        (None, Some(log)) => draw_curves(&args, log, format)?,
        // clap's group requires one of the two.
        (None, None) => anyhow::bail!("give --vectors FILE --words a,b,c or --metrics FILE"),
    };
    if args.json {
        let mut out = summary;
        if let Some(map) = out.as_object_mut() {
            map.insert("output".into(), json!(args.output));
            map.insert("font".into(), json!(font));
        }
        out!("{out}");
    } else {
        out!(
            "wrote {} ({} x {} pixels)",
            args.output.display(),
            summary["width"],
            summary["height"]
        );
    }
    Ok(())
}

/// Draws the map of `--words` in `vectors`; what it drew, as JSON.
fn draw_map(args: &PlotArgs, vectors: &Path, format: PictureFormat) -> anyhow::Result<Value> {
    let emb = with_reading_bar(|progress| crate::io::read_vectors_reporting(vectors, progress))?;
    let projection = match args.method {
        MethodArg::Pca => Projection::Pca,
        MethodArg::Tsne => Projection::Tsne(TsneOptions {
            perplexity: args.perplexity,
            seed: args.seed,
        }),
    };
    let words: Vec<&str> = args
        .words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    let map = WordMap::build(&emb, &words, args.neighbours, projection)?;
    let size = (args.width, args.height.unwrap_or(MAP_HEIGHT));
    map.draw(&args.output, format, size)?;
    Ok(json!({
        "kind": "map", "method": projection.name(), "words": map.words.len(),
        "queries": map.queries, "width": size.0, "height": size.1,
    }))
}

/// Draws the curves of the metrics log `log`; what it drew, as JSON.
fn draw_curves(args: &PlotArgs, log: &Path, format: PictureFormat) -> anyhow::Result<Value> {
    let curves = Curves::from_records(&read_metrics(log)?, log)?;
    let panels = curves.panels();
    let size = (
        args.width,
        args.height.unwrap_or(PANEL_HEIGHT * panels as u32),
    );
    curves.draw(&args.output, format, size)?;
    Ok(json!({
        "kind": "curves", "panels": panels, "width": size.0, "height": size.1,
    }))
}
