//! Reading a `.bin`: header, dictionary (`Dictionary::save`), then the input and output
//! tables, each after its quantisation flag (`DenseMatrix::save`: rows and columns as `int64`,
//! then the floats row by row).

use std::collections::HashSet;
use std::io::BufRead;

use super::header::{self, Header};
use super::input::{Input, Part};
use crate::error::{Error, Result};
use crate::subwords::{SubwordIndex, SubwordModel};

/// Longest word accepted, in bytes: a file without NULs is refused early, not buffered.
const MAX_WORD_BYTES: usize = 1 << 20;
/// Most dictionary entries reserved up front, whatever the dictionary claims.
const RESERVE_WORDS_MAX: usize = 1 << 16;
/// Entry type of a word (`entry_type::word`); 1 is a label.
const WORD_ENTRY: u8 = 0;
const LABEL_ENTRY: u8 = 1;
/// `pruneidx_size` of a dictionary that was not pruned.
const NOT_PRUNED: i64 = -1;

/// The vocabulary of the dictionary.
struct Dictionary {
    words: Vec<String>,
    counts: Vec<u64>,
}

/// Reads a whole `.bin` model from `input`, which must end after the output matrix.
pub(super) fn model<R: BufRead>(input: &mut Input<'_, R>) -> Result<SubwordModel> {
    let header = header::read(input)?;
    let dictionary = dictionary(input, &header)?;
    let nwords = dictionary.words.len();
    let input_rows = nwords + header.settings.bucket as usize;
    let table = matrix(input, Part::InputMatrix, input_rows, header.dim)?;
    let output = matrix(input, Part::OutputMatrix, nwords, header.dim)?;
    if !input.at_end()? {
        let message = "more data after the output matrix (a .bin ends there)";
        return Err(Error::format(input.path(), None, message));
    }
    check_index_size(&dictionary.words, &header, input)?;
    let index = SubwordIndex::new(&dictionary.words, header.settings)
        .map_err(|e| input.bad(Part::Args, e))?;
    Ok(SubwordModel {
        words: dictionary.words,
        counts: dictionary.counts,
        dim: header.dim,
        index,
        input: table,
        output,
        args: header.args,
    })
}

/// Refuses words whose n-grams could overflow the index's 32-bit entries, before the index is
/// built (a word of `c` characters between its markers has at most `c * min(maxn, c)`).
fn check_index_size<R: BufRead>(
    words: &[String],
    header: &Header,
    input: &Input<'_, R>,
) -> Result<()> {
    if !header.settings.has_ngrams() {
        return Ok(());
    }
    let mut entries = words.len() as u64;
    for word in words {
        let chars = word.chars().count() as u64 + 2;
        entries += chars * chars.min(header.settings.maxn as u64);
    }
    if entries > u64::from(u32::MAX) {
        let message = format!(
            "the words' n-grams may need up to {entries} index entries, more than the {} \
             vectrain addresses",
            u32::MAX
        );
        return Err(input.bad(Part::Args, message));
    }
    Ok(())
}

/// Reads the dictionary: sizes, then each entry (word, NUL, `int64` count, `int8` type).
fn dictionary<R: BufRead>(input: &mut Input<'_, R>, header: &Header) -> Result<Dictionary> {
    let part = Part::DictionarySizes;
    let size = input.i32(part)?;
    let nwords = input.i32(part)?;
    let nlabels = input.i32(part)?;
    let ntokens = input.i64(part)?;
    let pruneidx_size = input.i64(part)?;
    if nlabels > 0 {
        let message = format!(
            "{nlabels} labels: supervised models (with labels) are not supported, only \
             unsupervised word vectors (cbow, skipgram)"
        );
        return Err(input.bad(part, message));
    }
    if size < 0 || nwords < 0 || nlabels < 0 || ntokens < 0 {
        let message = format!(
            "negative size (size {size}, nwords {nwords}, nlabels {nlabels}, ntokens {ntokens})"
        );
        return Err(input.bad(part, message));
    }
    if size != nwords {
        let message = format!("{size} entries but {nwords} words and no label: the sizes disagree");
        return Err(input.bad(part, message));
    }
    if pruneidx_size != NOT_PRUNED {
        let message = if pruneidx_size < NOT_PRUNED {
            format!("invalid pruned-index size {pruneidx_size}")
        } else {
            format!(
                "the dictionary is pruned ({pruneidx_size} n-grams kept), as only `fasttext \
                 quantize` makes it: quantized .ftz models are not supported"
            )
        };
        return Err(input.bad(part, message));
    }
    let nwords = nwords as usize;
    let table_rows = nwords as u64 + u64::from(header.settings.bucket);
    if table_rows > u64::from(u32::MAX) {
        let message = format!(
            "{nwords} words plus {} buckets are more rows than vectrain addresses ({})",
            header.settings.bucket,
            u32::MAX
        );
        return Err(input.bad(part, message));
    }
    // Each entry takes at least 10 bytes: a NUL, the count and the type.
    input.expect_bytes(nwords as u64 * 10, part)?;
    let reserve = nwords.min(RESERVE_WORDS_MAX);
    let mut words = Vec::with_capacity(reserve);
    let mut counts = Vec::with_capacity(reserve);
    let mut seen = HashSet::with_capacity(reserve);
    let mut bytes = Vec::new();
    for index in 0..nwords {
        let part = Part::Entry { index, of: nwords };
        input.word(&mut bytes, MAX_WORD_BYTES, part)?;
        let count = input.i64(part)?;
        let kind = input.u8(part)?;
        let word = match std::str::from_utf8(&bytes) {
            Ok("") => return Err(input.bad(part, "an empty word")),
            Ok(word) => word.to_owned(),
            Err(e) => {
                let message = format!(
                    "the word is not UTF-8 ({e}): {:?}",
                    String::from_utf8_lossy(&bytes)
                );
                return Err(input.bad(part, message));
            }
        };
        match kind {
            WORD_ENTRY => {}
            LABEL_ENTRY => {
                let message = format!(
                    "{word:?} is a label: supervised models are not supported, only \
                     unsupervised word vectors"
                );
                return Err(input.bad(part, message));
            }
            other => return Err(input.bad(part, format!("unknown entry type {other}"))),
        }
        if count < 0 {
            return Err(input.bad(part, format!("{word:?} has a negative count {count}")));
        }
        if !seen.insert(word.clone()) {
            return Err(input.bad(part, format!("duplicate word {word:?}")));
        }
        words.push(word);
        counts.push(count as u64);
    }
    Ok(Dictionary { words, counts })
}

/// Reads a quantisation flag, then a dense matrix that must be `rows` x `dim`, refusing
/// values that are not finite.
fn matrix<R: BufRead>(
    input: &mut Input<'_, R>,
    part: Part,
    rows: usize,
    dim: usize,
) -> Result<Vec<f32>> {
    match input.u8(part)? {
        0 => {}
        1 => return Err(input.bad(part, "quantized .ftz models are not supported")),
        other => {
            return Err(input.bad(part, format!("quantisation flag {other} is not a boolean")));
        }
    }
    let declared_rows = input.i64(part)?;
    let declared_cols = input.i64(part)?;
    if declared_rows != rows as i64 || declared_cols != dim as i64 {
        let expected = match part {
            Part::InputMatrix => "the dictionary's words plus the header's buckets",
            _ => "the dictionary's words",
        };
        let message = format!(
            "{declared_rows} x {declared_cols}, but {expected} and the header's dim make \
             {rows} x {dim}"
        );
        return Err(input.bad(part, message));
    }
    let count = rows
        .checked_mul(dim)
        .filter(|&n| n <= isize::MAX as usize / 4);
    let Some(count) = count else {
        return Err(input.bad(part, format!("{rows} x {dim} values are too many to hold")));
    };
    input.expect_bytes(count as u64 * 4, part)?;
    let mut values = Vec::new();
    input.f32s(count, &mut values, part)?;
    if let Some(at) = values.iter().position(|v| !v.is_finite()) {
        let message = format!(
            "row {}, column {} holds {}, not a finite number",
            at / dim,
            at % dim,
            values[at]
        );
        return Err(input.bad(part, message));
    }
    Ok(values)
}
