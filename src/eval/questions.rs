//! The file of analogy questions, Google's `questions-words.txt` format: `: section name`
//! lines, each followed by questions `a b c d` ("a is to b as c is to d"); blank lines are
//! ignored.

use std::io::{BufRead, Read};
use std::path::Path;

use super::{CaseFolded, split_python_whitespace};
use crate::error::{Error, Result};

/// Longest line read: questions-words.txt's are under 100 bytes, and an endless stream
/// without a newline (`/dev/zero`) must end in an error, not in all the memory there is.
const MAX_LINE_BYTES: u64 = 1 << 20;

/// A section of the file: its name, as on its `: name` line, and how many questions it holds.
pub(super) struct Section {
    pub name: String,
    pub questions: usize,
}

/// A covered question: its section and the rows standing for `a`, `b`, `c` and `d`.
pub(super) struct Question {
    pub section: usize,
    pub rows: [u32; 4],
}

/// The number of questions in the file of `reader`, which is checked as
/// [`super::evaluate_analogies_reader`] checks it: a run that scores analogies at its epoch
/// ends refuses a bad file before it trains.
pub fn count_analogies(reader: impl BufRead, source: &Path) -> Result<usize> {
    let (sections, _) = read(reader, source, &CaseFolded::default())?;
    Ok(sections.iter().map(|section| section.questions).sum())
}

/// Reads the file: its sections (with their question counts) and the questions whose four
/// words are among `folded`'s rows. Refuses a file that holds no question.
///
/// Lines are split at `\n` only and each must be UTF-8, as gensim reads them.
pub(super) fn read(
    mut reader: impl BufRead,
    source: &Path,
    folded: &CaseFolded,
) -> Result<(Vec<Section>, Vec<Question>)> {
    let mut sections: Vec<Section> = Vec::new();
    let mut questions = Vec::new();
    let mut bytes = Vec::new();
    let mut number = 0u64;
    loop {
        bytes.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| Error::io("read", source, e))?;
        if read == 0 {
            break;
        }
        number += 1;
        if read as u64 > MAX_LINE_BYTES {
            return Err(Error::format(
                source,
                Some(number),
                format!(
                    "a line longer than {MAX_LINE_BYTES} bytes: not a file of analogy questions"
                ),
            ));
        }
        let line = std::str::from_utf8(&bytes)
            .map_err(|_| Error::format(source, Some(number), "not valid UTF-8"))?;
        if line.starts_with(": ") {
            sections.push(Section {
                name: line.trim_start_matches([':', ' ']).trim().to_string(),
                questions: 0,
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(Error::format(
                source,
                Some(number),
                "a line before the first section header (\": name\")",
            ));
        };
        let words: Vec<&str> = split_python_whitespace(line).collect();
        if words.is_empty() {
            continue;
        }
        let [a, b, c, d] = words[..] else {
            return Err(Error::format(
                source,
                Some(number),
                format!(
                    "expected a question of 4 words (\"a b c d\"), found {} words",
                    words.len()
                ),
            ));
        };
        section.questions += 1;
        let rows = [a, b, c, d].map(|word| folded.lookup(word));
        if let [Some(a), Some(b), Some(c), Some(d)] = rows {
            questions.push(Question {
                section: sections.len() - 1,
                rows: [a, b, c, d],
            });
        }
    }
    if sections.iter().all(|section| section.questions == 0) {
        return Err(Error::format(
            source,
            None,
            "holds no analogy question (lines of 4 words under \": section\" headers)",
        ));
    }
    Ok((sections, questions))
}
