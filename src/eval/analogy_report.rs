//! What an analogy evaluation found ([`super::analogy`]): counts per section and in all, and
//! their text in the form of gensim's log.

use std::fmt;

/// The result of one section of the analogy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionResult {
    /// The section's name, as on its `: name` line.
    pub name: String,
    /// Questions answered right.
    pub correct: usize,
    /// Questions answered wrong (with `dummy4unknown`, also those with an unknown word).
    pub incorrect: usize,
    /// All questions of the section, including those skipped for unknown words.
    pub questions: usize,
}

impl SectionResult {
    /// Questions scored: `correct + incorrect` (those with all four words known, and with
    /// `dummy4unknown` the others too).
    pub fn covered(&self) -> usize {
        self.correct + self.incorrect
    }

    /// Fraction answered right among those scored; 0 where none was (as gensim).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.covered())
    }
}

/// The result of an analogy evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalogyReport {
    /// One entry per section, in file order (sections without questions included).
    pub sections: Vec<SectionResult>,
    /// Questions answered right, over all sections.
    pub correct: usize,
    /// Questions answered (all four words in the restricted vocabulary).
    pub covered: usize,
    /// All well-formed questions of the file.
    pub total_questions: usize,
    /// Rows searched: the restriction, or the vocabulary size if smaller.
    pub rows_searched: usize,
    /// Questions with an unknown word counted as answered wrong (`dummy4unknown`; else 0).
    pub unknown_counted_wrong: usize,
}

impl AnalogyReport {
    /// Fraction answered right among the questions scored, the covered ones and those
    /// counted wrong for an unknown word (gensim's score); 0 if none.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.covered + self.unknown_counted_wrong)
    }

    /// Questions answered wrong, and those counted wrong for an unknown word.
    pub fn incorrect(&self) -> usize {
        self.covered + self.unknown_counted_wrong - self.correct
    }

    /// Questions skipped because a word is outside the restricted vocabulary.
    pub fn oov_questions(&self) -> usize {
        self.total_questions - self.covered
    }

    /// Fraction of the questions that were covered; 0 for a file without questions.
    pub fn coverage(&self) -> f64 {
        ratio(self.covered, self.total_questions)
    }
}

impl fmt::Display for AnalogyReport {
    /// One line per section, then the total and the coverage, like gensim's log. A section
    /// (or a total) with no question answered has no accuracy: `n/a`, with why.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.sections {
            writeln!(
                f,
                "{}: {}",
                s.name,
                accuracy_text(s.correct, s.covered(), s.questions)
            )?;
        }
        writeln!(
            f,
            "Total accuracy: {}",
            accuracy_text(
                self.correct,
                self.covered + self.unknown_counted_wrong,
                self.total_questions
            )
        )?;
        if self.unknown_counted_wrong > 0 {
            writeln!(
                f,
                "Questions with an unknown word, counted wrong: {}",
                self.unknown_counted_wrong
            )?;
        }
        write!(
            f,
            "Questions covered: {} of {} ({:.1}%), searching the first {} words",
            self.covered,
            self.total_questions,
            100.0 * self.coverage(),
            self.rows_searched
        )
    }
}

/// `75.0% (3/4)`, or with nothing answered `n/a (none of 506 questions covered)`.
fn accuracy_text(correct: usize, covered: usize, questions: usize) -> String {
    match (covered, questions) {
        (0, 0) => "n/a (0 questions)".to_string(),
        (0, _) => format!("n/a (none of {questions} questions covered)"),
        _ => format!(
            "{:.1}% ({correct}/{covered})",
            100.0 * ratio(correct, covered)
        ),
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
