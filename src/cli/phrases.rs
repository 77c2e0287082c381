//! `vectrain phrases`: join the phrases of a corpus into single tokens ("new york" ->
//! "new_york"), as word2vec.c's word2phrase does, writing a corpus to train on.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use crate::cli::reading_bar::ReadingBar;
use crate::cli::say::{note, out};
use crate::cli::settings::{at_least_one, note_reading};
use crate::corpus::{DEFAULT_COUNT_LIMIT, ReadProgress};
use crate::phrases::{
    DEFAULT_PAIR_LIMIT, ENGLISH_CONNECTOR_WORDS, FrozenPhrases, PhraseOptions, PhraseScoring,
    Phrases,
};

/// How pairs are scored.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ScoringArg {
    /// word2phrase's: (count(a b) - min-count) / (count(a) count(b)) x tokens.
    Default,
    /// Normalized pointwise mutual information, in [-1, 1] (gensim's "npmi").
    Npmi,
}

/// Options of `vectrain phrases`.
#[derive(Args, Debug)]
pub struct PhrasesArgs {
    /// Corpus to read (UTF-8 text or gzip, one sentence a line).
    #[arg(long)]
    input: PathBuf,
    /// The corpus with its phrases joined, written atomically (one line per line read).
    #[arg(long)]
    output: PathBuf,
    /// Words seen fewer times never join; the default scoring also subtracts it from each
    /// pair's count.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    min_count: u64,
    /// Pairs scoring above it are joined (higher: fewer phrases) [default: 100, or 0.5 with
    /// --scoring npmi].
    #[arg(long, allow_negative_numbers = true)]
    threshold: Option<f64>,
    /// How pairs are scored.
    #[arg(long, value_enum, default_value = "default")]
    scoring: ScoringArg,
    /// What joins the words of a phrase.
    #[arg(long, default_value = "_")]
    delimiter: String,
    /// Words that may stand inside a phrase but never begin or end one (bank_of_america),
    /// as gensim's connector_words: `english` (gensim's ENGLISH_CONNECTOR_WORDS: a, an, and,
    /// at, by, for, from, in, of, on, or, the, to, with, without) or a comma-separated list.
    #[arg(long, value_name = "WORDS", conflicts_with = "phrases_from")]
    connector_words: Option<String>,
    /// Also write every phrase found, best first: `first second score count` per line (a
    /// phrase file, which --phrases-from reads).
    #[arg(long, value_name = "PATH")]
    save_phrases: Option<PathBuf>,
    /// Join the phrases of this phrase file (--save-phrases) instead of finding them: the
    /// phrases of one corpus joined in other text.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["min_count", "threshold", "scoring", "save_phrases", "count_limit", "pair_limit"])]
    phrases_from: Option<PathBuf>,
    /// CPU threads [default: all cores].
    #[arg(long, value_parser = at_least_one())]
    threads: Option<usize>,
    /// Distinct words counted at once; past it the rarest are pruned.
    #[arg(long, default_value_t = DEFAULT_COUNT_LIMIT, value_name = "WORDS", value_parser = at_least_one())]
    count_limit: usize,
    /// Distinct pairs counted at once; past it the rarest are pruned (about 30 bytes a pair).
    #[arg(long, default_value_t = DEFAULT_PAIR_LIMIT, value_name = "PAIRS", value_parser = at_least_one())]
    pair_limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl ScoringArg {
    /// The name the command line takes.
    fn name(self) -> &'static str {
        match self {
            ScoringArg::Default => "default",
            ScoringArg::Npmi => "npmi",
        }
    }
}

impl PhrasesArgs {
    /// The connector words `--connector-words` names.
    fn connectors(&self) -> Vec<String> {
        match self.connector_words.as_deref() {
            None => Vec::new(),
            Some("english") => ENGLISH_CONNECTOR_WORDS.map(String::from).to_vec(),
            Some(list) => list.split(',').map(String::from).collect(),
        }
    }

    fn options(&self, progress: ReadProgress) -> PhraseOptions {
        let scoring = match self.scoring {
            ScoringArg::Default => PhraseScoring::Default,
            ScoringArg::Npmi => PhraseScoring::Npmi,
        };
        let default_threshold = match scoring {
            PhraseScoring::Default => 100.0,
            PhraseScoring::Npmi => 0.5,
        };
        PhraseOptions {
            min_count: self.min_count,
            threshold: self.threshold.unwrap_or(default_threshold),
            scoring,
            delimiter: self.delimiter.clone(),
            connectors: self.connectors(),
            count_limit: self.count_limit,
            pair_limit: self.pair_limit,
            threads: self.threads,
            progress: Some(progress),
        }
    }
}

/// Runs `vectrain phrases`.
pub fn run(args: PhrasesArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let progress = ReadProgress::new();
    if let Some(list) = &args.phrases_from {
        let phrases = FrozenPhrases::read(list, &args.delimiter)?;
        let bar = ReadingBar::start(progress.clone());
        let rewritten = phrases.rewrite(&args.input, &args.output, args.threads, Some(&progress));
        drop(bar);
        let rewritten = rewritten?;
        let seconds = started.elapsed().as_secs_f64();
        if args.json {
            let summary = serde_json::json!({
                "input": args.input, "output": args.output, "phrases_from": list,
                "phrases": phrases.len(), "lines": rewritten.lines, "tokens": rewritten.tokens,
                "joined": rewritten.joined,
                "tokens_written": rewritten.tokens - rewritten.joined, "seconds": seconds,
            });
            out!("{summary}");
        } else {
            out!(
                "{}: {} lines, {} tokens; the {} phrases of {} joined {} tokens to the one before, {} tokens written to {} in {:.1} s",
                args.input.display(),
                rewritten.lines,
                rewritten.tokens,
                phrases.len(),
                list.display(),
                rewritten.joined,
                rewritten.tokens - rewritten.joined,
                args.output.display(),
                seconds
            );
        }
        return Ok(());
    }
    let options = args.options(progress.clone());
    let bar = ReadingBar::start(progress);
    let found = Phrases::learn(&args.input, &options)
        .and_then(|phrases| Ok((phrases.rewrite(&args.input, &args.output)?, phrases)));
    drop(bar);
    let (rewritten, phrases) = found?;
    if let Some(path) = &args.save_phrases {
        phrases.frozen().write(path)?;
    }
    let stats = phrases.stats();
    note_reading(stats, args.count_limit);
    if phrases.pairs_pruned_below() > 0 {
        note!(
            "note: more than {} distinct pairs: counting pruned pairs seen up to {} times (raise --pair-limit to keep more)",
            args.pair_limit,
            phrases.pairs_pruned_below()
        );
    }
    let found = phrases.phrases().len();
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let summary = serde_json::json!({
            "input": args.input, "output": args.output, "lines": rewritten.lines,
            "tokens": rewritten.tokens, "words": phrases.words().len(),
            "pairs": phrases.pair_count(), "phrases": found,
            "joined": rewritten.joined, "tokens_written": rewritten.tokens - rewritten.joined,
            "threshold": options.threshold, "scoring": args.scoring.name(),
            "min_count": options.min_count, "seconds": seconds,
        });
        out!("{summary}");
    } else {
        out!(
            "{}: {} lines, {} tokens, {} words seen at least {} times, {} distinct pairs of them; \
             {} phrases score above {} ({} scoring); {} tokens joined to the one before, {} tokens written to {} in {:.1} s",
            args.input.display(),
            rewritten.lines,
            rewritten.tokens,
            phrases.words().len(),
            options.min_count,
            phrases.pair_count(),
            found,
            options.threshold,
            args.scoring.name(),
            rewritten.joined,
            rewritten.tokens - rewritten.joined,
            args.output.display(),
            seconds
        );
    }
    Ok(())
}
