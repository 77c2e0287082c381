//! The third pass: the corpus written again with its phrases joined, on every core, each
//! block's lines rewritten by a worker and written in text order.

use std::io::Write;
use std::path::Path;

use super::FrozenPhrases;
use super::frozen::Joiner;
use crate::corpus::TextSource;
use crate::corpus::{MAX_SENTENCE_TOKENS, MAX_TOKEN_BYTES, ReadOptions, ReadPass, ReadProgress};
use crate::corpus::{for_each_block, separates_tokens, token_text};
use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;

/// What rewriting a corpus did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rewritten {
    /// Lines written: as many as were read (a text not ending in a newline gets one; a line
    /// longer than a read block, 4 MiB, which training cuts there too, becomes two).
    pub lines: u64,
    /// Tokens read.
    pub tokens: u64,
    /// Tokens joined to the one before them (tokens written: `tokens − joined`): a phrase of
    /// two words counts one, and one more for each connector word inside it.
    pub joined: u64,
}

impl Rewritten {
    fn add(&mut self, other: &Rewritten) {
        self.lines += other.lines;
        self.tokens += other.tokens;
        self.joined += other.joined;
    }
}

impl FrozenPhrases {
    /// Writes the corpus `input` (plain or gzip) to `output` with these phrases joined
    /// (atomically: `output` is complete or untouched). Each line stays a line, its tokens
    /// separated by one space; `threads` rewrite it (`None`: every core).
    pub fn rewrite(
        &self,
        input: &Path,
        output: &Path,
        threads: Option<usize>,
        progress: Option<&ReadProgress>,
    ) -> Result<Rewritten> {
        let source = TextSource::File(input.to_path_buf());
        rewrite(self, &source, input, output, threads, progress)
    }
}

/// Writes `text` to `output` with `phrases` joined, on `threads` (`None`: every core).
pub(super) fn rewrite(
    phrases: &FrozenPhrases,
    text: &TextSource<'_>,
    name: &Path,
    output: &Path,
    threads: Option<usize>,
    progress: Option<&ReadProgress>,
) -> Result<Rewritten> {
    let mut file = AtomicFile::create(output)?;
    let mut total = Rewritten::default();
    let workers = ReadOptions {
        threads,
        ..ReadOptions::default()
    }
    .workers();
    for_each_block(
        text,
        name,
        workers,
        progress.map(|p| (p, ReadPass::Rewriting)),
        || (),
        |(), block| rewrite_block(phrases, block),
        |(bytes, counts)| {
            total.add(&counts);
            file.write_all(&bytes)
                .map_err(|e| Error::io("write", output, e))
        },
    )?;
    file.commit()?;
    Ok(total)
}

/// One block of whole lines, rewritten.
fn rewrite_block(phrases: &FrozenPhrases, block: &[u8]) -> (Vec<u8>, Rewritten) {
    let mut out = Vec::with_capacity(block.len() + 64);
    let mut counts = Rewritten::default();
    let mut lines = block.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() && line.is_empty() {
            break; // The block ended with its last line's newline.
        }
        rewrite_line(phrases, line, &mut out, &mut counts);
        out.push(b'\n');
        counts.lines += 1;
    }
    (out, counts)
}

/// One line's tokens, joined where they form phrases, decoded as training decodes them.
fn rewrite_line(phrases: &FrozenPhrases, line: &[u8], out: &mut Vec<u8>, counts: &mut Rewritten) {
    let delimiter = phrases.delimiter().as_bytes();
    let mut first = true;
    let mut joined = 0;
    let mut emit = |word: &str, glued: bool| {
        if glued {
            out.extend_from_slice(delimiter);
            joined += 1;
        } else if !first {
            out.push(b' ');
        }
        first = false;
        out.extend_from_slice(word.as_bytes());
    };
    let mut joiner = Joiner::new(phrases);
    let mut in_sentence = 0;
    for token in line
        .split(|&b| separates_tokens(b))
        .filter(|t| !t.is_empty())
    {
        if in_sentence == MAX_SENTENCE_TOKENS {
            // Training cuts the line here, and pairs were counted as it does.
            joiner.finish(&mut emit);
            in_sentence = 0;
        }
        in_sentence += 1;
        counts.tokens += 1;
        let (text, _) = token_text(token, token.len() > MAX_TOKEN_BYTES);
        joiner.push(text, &mut emit);
    }
    joiner.finish(&mut emit);
    counts.joined += joined;
}
