//! Analogy accuracy by 3CosAdd on the Google `questions-words.txt` format.
//!
//! The file holds `: section name` lines, each followed by questions `a b c d` ("a is to b
//! as c is to d"). A question is answered by the restricted word `w` of highest cosine with
//!
//! ```text
//! m = unit( unit(b) + unit(c) - unit(a) )        score(w) = dot(w, m) / |w|
//! ```
//!
//! exactly as gensim 4.4's `evaluate_word_analogies` (through `most_similar(positive=[b, c],
//! negative=[a], topn=5)`) does it:
//!
//! * the eight best rows are taken; the rows standing for `a`, `b`, `c` are dropped and the
//!   first five of the rest kept;
//! * the answer is the first of those five whose word is not `a`, `b` or `c` up to case (the
//!   last of them if all are), and it is right if it is `d` up to case;
//! * questions with a word outside the restricted vocabulary are skipped (counted, not
//!   answered), or with `dummy4unknown` counted as answered wrong; blank lines are ignored;
//! * without `case_insensitive`, "up to case" above is "exactly".
//!
//! Scores are computed in f32 like gensim's, but summed in another order: where two
//! candidates' cosines differ by about 1e-7 the pick may differ from gensim's.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

pub use super::analogy_report::{AnalogyReport, SectionResult};
use super::questions::{self, Question};
use super::{CaseFolded, EvalOptions};
use crate::embeddings::Embeddings;
use crate::embeddings::search::{self, TopK};
use crate::error::{Error, Result};

/// Rows gensim asks `most_similar` for: `topn=5` plus the three question words.
const CANDIDATES: usize = 8;
/// Candidates left after the question words' own rows are dropped.
const TOPN: usize = 5;

/// Evaluates `emb` on the analogy file at `path`, with gensim's arguments: a number is the
/// first rows to search (gensim's `restrict_vocab`; [`super::DEFAULT_RESTRICT`] is its
/// default), with its other defaults; [`EvalOptions`] gives them all.
pub fn evaluate_analogies(
    emb: &Embeddings,
    path: &Path,
    options: impl Into<EvalOptions>,
) -> Result<AnalogyReport> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    evaluate_analogies_reader(emb, BufReader::new(file), path, options)
}

/// Like [`evaluate_analogies`], reading the questions from `reader`; `source` names it in
/// errors.
pub fn evaluate_analogies_reader(
    emb: &Embeddings,
    reader: impl BufRead,
    source: &Path,
    options: impl Into<EvalOptions>,
) -> Result<AnalogyReport> {
    let options = options.into();
    let restrict = super::checked_restrict(options.restrict)?;
    let folded = CaseFolded::new(emb, restrict, options.case_insensitive);
    let (sections, questions) = questions::read(reader, source, &folded)?;
    let total_questions = sections.iter().map(|s| s.questions).sum();
    let mut sections: Vec<SectionResult> = sections
        .into_iter()
        .map(|section| SectionResult {
            name: section.name,
            correct: 0,
            incorrect: 0,
            questions: section.questions,
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let verdicts = answer(emb, &folded, &questions, threads);
    for (question, right) in questions.iter().zip(&verdicts) {
        let section = &mut sections[question.section];
        if *right {
            section.correct += 1;
        } else {
            section.incorrect += 1;
        }
    }
    let mut unknown_counted_wrong = 0;
    if options.dummy4unknown {
        for section in &mut sections {
            let unknown = section.questions - section.covered();
            section.incorrect += unknown;
            unknown_counted_wrong += unknown;
        }
    }
    Ok(AnalogyReport {
        unknown_counted_wrong,
        correct: verdicts.iter().filter(|&&right| right).count(),
        covered: questions.len(),
        total_questions,
        rows_searched: folded.rows(),
        sections,
    })
}

/// Answers every question; `true` where the answer is right.
fn answer(
    emb: &Embeddings,
    folded: &CaseFolded,
    questions: &[Question],
    threads: usize,
) -> Vec<bool> {
    let dim = emb.dim();
    let rows = &emb.as_slice()[..folded.rows() * dim];
    let norms = search::row_norms(rows, dim);
    let mut queries = Vec::with_capacity(questions.len() * dim);
    for question in questions {
        let [a, b, c, _] = question.rows.map(|r| r as usize);
        let unit = |r: usize, i: usize| rows[r * dim + i] / norms[r];
        let mean: Vec<f32> = (0..dim)
            .map(|i| (unit(b, i) + unit(c, i)) - unit(a, i))
            .collect();
        queries.extend(unit_mean(&mean));
    }
    let top = search::top_k(rows, &norms, dim, &queries, CANDIDATES, threads);
    questions
        .iter()
        .zip(&top)
        .map(|(question, top)| judge(question, top, &folded.canonical))
        .collect()
}

/// gensim's post-processing of the summed unit vectors: divided by the total weight (3) and
/// normalised in f64, then rounded to f32. A zero sum stays zero, as in `matutils.unitvec`.
fn unit_mean(sum: &[f32]) -> impl Iterator<Item = f32> + '_ {
    let mean: Vec<f64> = sum.iter().map(|&x| f64::from(x) / 3.0).collect();
    let norm = mean.iter().map(|x| x * x).sum::<f64>().sqrt();
    let scale = if norm > 0.0 { 1.0 / norm } else { 1.0 };
    (0..sum.len()).map(move |i| (mean[i] * scale) as f32)
}

/// gensim's choice among the best rows, and whether it is the expected word.
fn judge(question: &Question, top: &TopK, canonical: &[u32]) -> bool {
    let [a, b, c, d] = question.rows;
    let asked = |row: u32| row == a || row == b || row == c;
    let mut predicted = None;
    for row in top.rows().filter(|&row| !asked(row)).take(TOPN) {
        let word = canonical[row as usize];
        predicted = Some(word);
        if !asked(word) {
            break;
        }
    }
    predicted == Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    /// Embeddings from `(word, vector)` rows, in the given order.
    fn embeddings(rows: &[(&str, &[f32])]) -> Embeddings {
        let dim = rows[0].1.len();
        let words = rows.iter().map(|(w, _)| w.to_string()).collect();
        let data = rows.iter().flat_map(|(_, v)| v.iter().copied()).collect();
        Embeddings::new(Vocab::from_ordered(words, vec![1; rows.len()]), dim, data).unwrap()
    }

    fn evaluate(
        emb: &Embeddings,
        text: &str,
        options: impl Into<crate::eval::EvalOptions>,
    ) -> Result<AnalogyReport> {
        evaluate_analogies_reader(emb, text.as_bytes(), Path::new("q.txt"), options)
    }

    /// man:king = woman:queen holds exactly; `prince` is close to `king` but wrong.
    fn royal() -> Embeddings {
        embeddings(&[
            ("man", &[1.0, 0.0, 0.0]),
            ("king", &[1.0, 1.0, 0.0]),
            ("woman", &[0.0, 0.0, 1.0]),
            ("queen", &[0.0, 1.0, 1.0]),
            ("prince", &[1.0, 1.0, 0.2]),
            ("apple", &[-1.0, -1.0, -1.0]),
        ])
    }

    #[test]
    fn answers_and_counts_per_section() {
        let text = ": royal\nman king woman queen\nman king woman apple\n\
                    : mixed\nMAN King Woman Queen\nman king woman unicorn\n";
        let report = evaluate(&royal(), text, 300_000).unwrap();
        assert_eq!(report.sections.len(), 2);
        assert_eq!(
            report.sections[0],
            SectionResult {
                name: "royal".into(),
                correct: 1,
                incorrect: 1,
                questions: 2
            }
        );
        assert_eq!(
            (report.sections[1].correct, report.sections[1].covered()),
            (1, 1)
        );
        assert_eq!(report.sections[1].questions, 2);
        assert_eq!(
            (report.correct, report.covered, report.total_questions),
            (2, 3, 4)
        );
        assert_eq!(report.oov_questions(), 1);
        assert!((report.accuracy() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(report.rows_searched, 6);
    }

    #[test]
    fn gensims_dummy4unknown_and_case_sensitivity() {
        use crate::eval::EvalOptions;
        let text = ": royal\nman king woman queen\nman king woman unicorn\n\
                    : mixed\nMAN King Woman Queen\n";
        let options = |case_insensitive, dummy4unknown| EvalOptions {
            restrict: 100,
            case_insensitive,
            dummy4unknown,
        };
        // The unknown `unicorn` counts as a wrong answer: 2 right of 3.
        let report = evaluate(&royal(), text, options(true, true)).unwrap();
        assert_eq!((report.correct, report.covered), (2, 2));
        assert_eq!(report.unknown_counted_wrong, 1);
        assert_eq!(
            (report.sections[0].correct, report.sections[0].incorrect),
            (1, 1)
        );
        assert_eq!(report.incorrect(), 1);
        assert!((report.accuracy() - 2.0 / 3.0).abs() < 1e-12);
        assert!(report.to_string().contains("counted wrong: 1"), "{report}");
        // Compared exactly, `MAN King Woman Queen` is unknown: skipped, or counted wrong.
        let report = evaluate(&royal(), text, options(false, false)).unwrap();
        assert_eq!(
            (report.correct, report.covered, report.total_questions),
            (1, 1, 3)
        );
        let report = evaluate(&royal(), text, options(false, true)).unwrap();
        assert_eq!((report.correct, report.incorrect()), (1, 2));
        assert_eq!(report.sections[1].incorrect, 1);
    }

    #[test]
    fn restriction_skips_questions_and_candidates() {
        // With 4 rows, `queen` (row 3) is known; `prince` and `apple` are not.
        let report = evaluate(
            &royal(),
            ": s\nman king woman queen\nman king prince queen\n",
            4,
        )
        .unwrap();
        assert_eq!(
            (report.correct, report.covered, report.total_questions),
            (1, 1, 2)
        );
        // With 3 rows, no question is covered and nothing is answered.
        let report = evaluate(&royal(), ": s\nman king woman queen\n", 3).unwrap();
        assert_eq!((report.correct, report.covered), (0, 0));
        assert_eq!(report.accuracy(), 0.0);
    }

    #[test]
    fn question_words_and_their_case_variants_are_never_the_answer() {
        // "b + c - a" lands exactly on `King`, a case variant of the question word `king`,
        // and on nothing else nearby: gensim skips it and answers the next candidate.
        let emb = embeddings(&[
            ("man", &[1.0, 0.0, 0.0]),
            ("king", &[1.0, 1.0, 0.0]),
            ("woman", &[1.0, 0.0, 0.01]),
            ("King", &[1.0, 1.0, 0.01]),
            ("queen", &[0.9, 1.0, 0.3]),
            ("apple", &[-1.0, -1.0, -1.0]),
        ]);
        let report = evaluate(&emb, ": s\nman king woman queen\n", 10).unwrap();
        assert_eq!(report.correct, 1);
        // Without the variant rule the answer would be `King`, so expecting it fails.
        let report = evaluate(&emb, ": s\nman king woman KING\n", 10).unwrap();
        assert_eq!(report.correct, 0);
    }

    #[test]
    fn first_case_variant_gives_the_vector() {
        // `Woman` (row 2) stands for WOMAN; the later `woman` row is ignored as a question
        // word but remains a candidate (its upper case is WOMAN, a question word: skipped).
        let emb = embeddings(&[
            ("man", &[1.0, 0.0, 0.0]),
            ("king", &[1.0, 1.0, 0.0]),
            ("Woman", &[-1.0, 0.0, 0.0]),
            ("queen", &[0.0, 1.0, 1.0]),
            ("woman", &[0.0, 0.0, 1.0]),
            ("knight", &[-1.0, 1.0, 0.0]),
        ]);
        let report = evaluate(&emb, ": s\nman king woman knight\n", 10).unwrap();
        assert_eq!((report.correct, report.covered), (1, 1));
        // With the later `woman` row as vector, the answer would be `queen`.
        let report = evaluate(&emb, ": s\nman king woman queen\n", 10).unwrap();
        assert_eq!((report.correct, report.covered), (0, 1));
    }

    #[test]
    fn tiny_vocabulary_with_nothing_left_to_answer() {
        // Only the question words exist: no candidate remains and the answer is wrong.
        let emb = embeddings(&[("a", &[1.0, 0.0]), ("b", &[0.0, 1.0]), ("c", &[1.0, 1.0])]);
        let report = evaluate(&emb, ": s\na b c b\n", 10).unwrap();
        assert_eq!((report.correct, report.covered), (0, 1));
    }

    #[test]
    fn blank_lines_are_ignored_and_names_trimmed() {
        let report = evaluate(
            &royal(),
            ":  spaced name \r\n\n  \r\nman king woman queen\r\n",
            9,
        )
        .unwrap();
        assert_eq!(report.sections[0].name, "spaced name");
        assert_eq!((report.correct, report.total_questions), (1, 1));
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let err = evaluate(&royal(), "man king woman queen\n", 9).unwrap_err();
        assert!(matches!(err, Error::Format { line: Some(1), .. }), "{err}");
        let err = evaluate(&royal(), ": s\nman king woman queen\nman king woman\n", 9).unwrap_err();
        assert!(matches!(err, Error::Format { line: Some(3), .. }), "{err}");
        assert!(err.to_string().starts_with("q.txt:3: "), "{err}");
        let err = evaluate_analogies_reader(&royal(), &b": s\n\xff\n"[..], Path::new("q"), 9)
            .unwrap_err();
        assert!(matches!(err, Error::Format { line: Some(2), .. }), "{err}");
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let path = Path::new("/nonexistent/questions-words.txt");
        let err = evaluate_analogies(&royal(), path, 10).unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert!(err.to_string().contains("questions-words.txt"));
    }

    #[test]
    fn report_prints_like_gensim_log() {
        let report = evaluate(&royal(), ": royal\nman king woman queen\n", 10).unwrap();
        let text = report.to_string();
        assert!(text.contains("royal: 100.0% (1/1)"), "{text}");
        assert!(text.contains("Total accuracy: 100.0% (1/1)"), "{text}");
    }

    #[test]
    fn sections_without_answers_print_no_percentage() {
        let text = ": empty
: unknown
man king woman zebra
: royal
man king woman queen
";
        let report = evaluate(&royal(), text, 10).unwrap().to_string();
        assert!(report.contains("empty: n/a (0 questions)\n"), "{report}");
        assert!(
            report.contains("unknown: n/a (none of 1 questions covered)\n"),
            "{report}"
        );
        assert!(!report.contains("(0/0)"), "{report}");
        let none = evaluate(
            &royal(),
            ": unknown
man king woman zebra
",
            10,
        )
        .unwrap();
        assert!(
            none.to_string()
                .contains("Total accuracy: n/a (none of 1 questions covered)"),
            "{none}"
        );
    }
}
