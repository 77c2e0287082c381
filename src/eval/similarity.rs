//! Word-pair similarity: correlation of cosine similarity with human judgements.
//!
//! The file (WordSim-353, SimLex-999, MEN...) holds lines `word1 word2 score`, separated by
//! tabs or by white space: the first line that is not a comment decides which, and a tab
//! there means tabs throughout (gensim's `delimiter='\t'`, the words kept as they are between
//! tabs). Lines starting with `#` are comments; blank lines are ignored; a first line whose
//! score is not a number is taken for a column header and skipped.
//!
//! As gensim 4.4's `evaluate_word_pairs` does: pairs with a word outside the first
//! `restrict` rows are skipped and counted (with `dummy4unknown`, counted and correlated at
//! a model similarity of 0); the model's similarity is
//! `dot(unit(a), unit(b))` in f32, with `unit(v) = v * (1 / |v|)`; then Pearson's and
//! Spearman's coefficients are taken against the human scores (see [`super::stats`]).

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::stats;
use super::{CaseFolded, EvalOptions, split_python_whitespace};
use crate::embeddings::Embeddings;
use crate::embeddings::search;
use crate::error::{Error, Result};
use crate::io::whole_text;

/// The result of a word-pair evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarityReport {
    /// Pearson's correlation of model and human similarities (NaN if undefined).
    pub pearson: f64,
    /// Spearman's rank correlation of model and human similarities (NaN if undefined).
    pub spearman: f64,
    /// Pairs with both words in the restricted vocabulary: the pairs correlated (with
    /// `dummy4unknown`, the `oov_pairs` are correlated too).
    pub pairs_used: usize,
    /// Pairs with a word outside the restricted vocabulary: skipped, or with
    /// `dummy4unknown` correlated at a model similarity of 0.
    pub oov_pairs: usize,
    /// Whether the `oov_pairs` were correlated at a model similarity of 0 (`dummy4unknown`)
    /// rather than skipped.
    pub oov_at_zero: bool,
}

impl SimilarityReport {
    /// Fraction of the pairs that have an unknown word (gensim reports 100 times this, as a
    /// percentage).
    pub fn oov_ratio(&self) -> f64 {
        let all = self.pairs_used + self.oov_pairs;
        if all == 0 {
            0.0
        } else {
            self.oov_pairs as f64 / all as f64
        }
    }
}

impl fmt::Display for SimilarityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (correlated, fate) = if self.oov_at_zero {
            (
                self.pairs_used + self.oov_pairs,
                "correlated at similarity 0",
            )
        } else {
            (self.pairs_used, "skipped")
        };
        write!(
            f,
            "Pearson {:.4}, Spearman {:.4} over {correlated} pairs; {} pairs ({:.1}%) with unknown words {fate}",
            self.pearson,
            self.spearman,
            self.oov_pairs,
            100.0 * self.oov_ratio()
        )
    }
}

/// Evaluates `emb` on the word-pair file at `path`, with gensim's arguments: a number is the
/// first rows to use (gensim's `restrict_vocab`; [`super::DEFAULT_RESTRICT`] is its
/// default), with its other defaults; [`EvalOptions`] gives them all.
pub fn evaluate_word_pairs(
    emb: &Embeddings,
    path: &Path,
    options: impl Into<EvalOptions>,
) -> Result<SimilarityReport> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    evaluate_word_pairs_reader(emb, BufReader::new(file), path, options)
}

/// Like [`evaluate_word_pairs`], reading the pairs from `reader`; `source` names it in
/// errors.
pub fn evaluate_word_pairs_reader(
    emb: &Embeddings,
    reader: impl BufRead,
    source: &Path,
    options: impl Into<EvalOptions>,
) -> Result<SimilarityReport> {
    let options = options.into();
    let restrict = super::checked_restrict(options.restrict)?;
    let bytes = whole_text::read_bounded(reader, source, super::MAX_FILE_BYTES)?;
    let text = whole_text::utf8(&bytes, source)?;
    let pairs = parse(text, source)?;
    if pairs.is_empty() {
        return Err(Error::format(
            source,
            None,
            "holds no word pair (lines of word, word, score)",
        ));
    }
    let folded = CaseFolded::new(emb, restrict, options.case_insensitive);
    let (mut human, mut model) = (Vec::new(), Vec::new());
    let mut oov_pairs = 0;
    for pair in &pairs {
        match (folded.lookup(pair.words[0]), folded.lookup(pair.words[1])) {
            (Some(a), Some(b)) => {
                human.push(pair.score);
                model.push(f64::from(cosine(emb.row(a), emb.row(b))));
            }
            _ => {
                oov_pairs += 1;
                if options.dummy4unknown {
                    human.push(pair.score);
                    model.push(0.0);
                }
            }
        }
    }
    if oov_pairs == pairs.len() {
        return Err(Error::format(
            source,
            None,
            format!(
                "no usable word pair: all {oov_pairs} pairs have a word outside the first {} words of the vocabulary",
                folded.rows()
            ),
        ));
    }
    Ok(SimilarityReport {
        pearson: stats::pearson(&human, &model),
        spearman: stats::spearman(&human, &model),
        pairs_used: pairs.len() - oov_pairs,
        oov_at_zero: options.dummy4unknown,
        oov_pairs,
    })
}

/// One line of the file.
struct Pair<'a> {
    words: [&'a str; 2],
    score: f64,
}

/// How the fields of a line are separated.
#[derive(Clone, Copy)]
enum Delimiter {
    Tab,
    WhiteSpace,
}

/// Reads every pair. Lines end at `\n`, `\r\n` or `\r`, as in Python's text mode.
fn parse<'a>(text: &'a str, source: &Path) -> Result<Vec<Pair<'a>>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut delimiter = None;
    let mut pairs = Vec::new();
    for (index, line) in lines(text).enumerate() {
        let number = index as u64 + 1;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let first = delimiter.is_none();
        let delimiter = *delimiter.get_or_insert(if line.contains('\t') {
            Delimiter::Tab
        } else {
            Delimiter::WhiteSpace
        });
        let fields: Vec<&str> = match delimiter {
            Delimiter::Tab => line.split('\t').collect(),
            Delimiter::WhiteSpace => split_python_whitespace(line).collect(),
        };
        let [a, b, score] = fields[..] else {
            let separator = match delimiter {
                Delimiter::Tab => "tabs",
                Delimiter::WhiteSpace => "white space",
            };
            return Err(Error::format(
                source,
                Some(number),
                format!(
                    "expected 3 fields (word, word, score) separated by {separator}, found {}",
                    fields.len()
                ),
            ));
        };
        match score.trim().parse::<f64>() {
            Ok(score) if score.is_finite() => pairs.push(Pair {
                words: [a, b],
                score,
            }),
            Ok(_) => {
                return Err(Error::format(
                    source,
                    Some(number),
                    format!("the score {:?} is not a finite number", score.trim()),
                ));
            }
            Err(_) if first => {} // a column header
            Err(_) => {
                return Err(Error::format(
                    source,
                    Some(number),
                    format!("the score {:?} is not a number", score.trim()),
                ));
            }
        }
    }
    Ok(pairs)
}

/// Lines split at `\r\n`, `\n` or `\r`, without their ends; no empty last line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            usize::from(end < rest.len())
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

/// gensim's `dot(unitvec(a), unitvec(b))` in f32; a zero vector stays zero.
fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let ua = unit(a);
    let ub = unit(b);
    search::dot(&ua, &ub)
}

fn unit(v: &[f32]) -> Vec<f32> {
    let norm = v
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt() as f32;
    if norm > 0.0 {
        let scale = (1.0 / f64::from(norm)) as f32;
        v.iter().map(|x| x * scale).collect()
    } else {
        v.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    fn embeddings(rows: &[(&str, [f32; 2])]) -> Embeddings {
        let words = rows.iter().map(|(w, _)| w.to_string()).collect();
        let data = rows.iter().flat_map(|(_, v)| *v).collect();
        Embeddings::new(Vocab::from_ordered(words, vec![1; rows.len()]), 2, data).unwrap()
    }

    /// Angles 0, 30, 60, 90 degrees from `x`.
    fn angles() -> Embeddings {
        embeddings(&[
            ("x", [1.0, 0.0]),
            ("a30", [0.866_025_4, 0.5]),
            ("a60", [1.0, 1.732_050_8]),
            ("a90", [0.0, 3.0]),
            ("Later", [5.0, 5.0]),
        ])
    }

    fn evaluate(text: &str, restrict: usize) -> Result<SimilarityReport> {
        evaluate_word_pairs_reader(&angles(), text.as_bytes(), Path::new("p.tsv"), restrict)
    }

    #[test]
    fn perfect_and_reversed_rankings() {
        let report = evaluate("# comment\nx\tA30\t9\nx\ta60\t5\nX\ta90\t1\n", 10).unwrap();
        assert!((report.spearman - 1.0).abs() < 1e-12, "{report}");
        assert!(report.pearson > 0.99);
        assert_eq!((report.pairs_used, report.oov_pairs), (3, 0));
        let report = evaluate("x a30 1\nx a60 5\nx a90 9\n", 10).unwrap();
        assert!((report.spearman + 1.0).abs() < 1e-12, "{report}");
    }

    #[test]
    fn gensims_dummy4unknown_and_case_sensitivity() {
        let options = |case_insensitive, dummy4unknown| crate::eval::EvalOptions {
            restrict: 10,
            case_insensitive,
            dummy4unknown,
        };
        let text = "x\ta30\t9\nx\ta60\t5\nX\ta90\t1\nx\tunicorn\t7\n";
        let read = |options| {
            evaluate_word_pairs_reader(&angles(), text.as_bytes(), Path::new("p"), options).unwrap()
        };
        let skipped = read(options(true, false));
        assert_eq!((skipped.pairs_used, skipped.oov_pairs), (3, 1));
        // unicorn correlated at similarity 0, as gensim: the lowest model score, with the
        // second highest human score, so the ranking is no longer perfect.
        let dummy = read(options(true, true));
        assert_eq!((dummy.pairs_used, dummy.oov_pairs), (3, 1));
        let human = [9.0, 5.0, 1.0, 7.0];
        let model = [0.866_025_4, 0.5, 0.0, 0.0].map(f64::from);
        assert!(
            (dummy.spearman - stats::spearman(&human, &model)).abs() < 1e-9,
            "{dummy}"
        );
        assert!((dummy.oov_ratio() - 0.25).abs() < 1e-12);
        assert!(dummy.to_string().contains("over 4 pairs"), "{dummy}");
        // Compared exactly, `X` is unknown too.
        let exact = read(options(false, false));
        assert_eq!((exact.pairs_used, exact.oov_pairs), (2, 2));
        // A file of unknown words only is refused, dummies or not.
        let unknown = "p\tq\t1\n";
        let error = evaluate_word_pairs_reader(
            &angles(),
            unknown.as_bytes(),
            Path::new("p"),
            options(true, true),
        )
        .unwrap_err();
        assert!(error.to_string().contains("no usable word pair"), "{error}");
    }

    #[test]
    fn cosine_matches_geometry() {
        let emb = angles();
        let c = cosine(emb.row(0), emb.row(2));
        assert!((c - 0.5).abs() < 1e-6, "{c}");
        assert_eq!(
            cosine(emb.row(1), emb.row(3)),
            cosine(emb.row(3), emb.row(1))
        );
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn unknown_and_restricted_words_are_skipped_and_counted() {
        let text = "x\ta30\t9\nx\tunicorn\t5\nx\ta60\t5\nx\tlater\t2\nx\ta90\t1\n";
        let report = evaluate(text, 4).unwrap();
        assert_eq!((report.pairs_used, report.oov_pairs), (3, 2));
        assert!((report.oov_ratio() - 0.4).abs() < 1e-12);
        let report = evaluate(text, 5).unwrap();
        assert_eq!((report.pairs_used, report.oov_pairs), (4, 1));
    }

    #[test]
    fn header_crlf_and_lone_cr_lines() {
        let text = "Word 1\tWord 2\tHuman (mean)\r\nx\ta30\t9\r\n\r\nx\ta60\t5\rx\ta90\t1";
        let report = evaluate(text, 10).unwrap();
        assert_eq!(report.pairs_used, 3);
        assert!((report.spearman - 1.0).abs() < 1e-12);
    }

    #[test]
    fn tab_files_keep_spaces_inside_fields() {
        // gensim splits on tabs only: "x " is not the word "x".
        let report = evaluate("x \ta30\t9\nx\ta60\t5\nx\ta90\t1\n", 10).unwrap();
        assert_eq!((report.pairs_used, report.oov_pairs), (2, 1));
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let err = evaluate("x\ta30\t9\nx\ta60\n", 10).unwrap_err();
        assert!(matches!(err, Error::Format { line: Some(2), .. }), "{err}");
        assert!(err.to_string().starts_with("p.tsv:2: "), "{err}");
        let err = evaluate("x a30 9\nx a60 high\n", 10).unwrap_err();
        assert!(matches!(err, Error::Format { line: Some(2), .. }), "{err}");
        let err = evaluate("x unicorn 9\n", 10).unwrap_err();
        assert!(matches!(err, Error::Format { line: None, .. }), "{err}");
        let err = evaluate_word_pairs(&angles(), Path::new("/nonexistent/ws.tsv"), 10);
        assert!(matches!(err, Err(Error::Io { .. })));
    }

    #[test]
    fn lines_split_like_python_text_mode() {
        let got: Vec<&str> = lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(got, ["a", "b", "c", "", "d"]);
        assert_eq!(lines("a\n").collect::<Vec<_>>(), ["a"]);
        assert_eq!(lines("").count(), 0);
    }
}
