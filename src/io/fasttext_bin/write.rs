//! Writing a `.bin` as fastText 0.9 does (`FastText::saveModel`): header, dictionary, then
//! the input and output tables, each after a false quantisation flag.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use super::header::{self, Header};
use crate::error::{Error, Result};
use crate::subwords::SubwordModel;

/// Values converted per write of a table.
const CHUNK_VALUES: usize = 1 << 14;

/// Checks that the tables and vocabulary of `model` agree with each other.
fn check_shapes(model: &SubwordModel) -> Result<()> {
    let words = model.words.len();
    let bucket = model.index.settings.bucket as usize;
    let mismatch = |what: &str, found: usize, expected: usize| {
        Error::Mismatch(format!(
            "the subword model has {found} {what}, but its {words} words, {bucket} buckets \
             and dim {} need {expected}",
            model.dim
        ))
    };
    if model.counts.len() != words {
        return Err(mismatch("counts", model.counts.len(), words));
    }
    if model.index.vocab_size() != words {
        return Err(mismatch(
            "words in its n-gram index",
            model.index.vocab_size(),
            words,
        ));
    }
    let input = (words + bucket).saturating_mul(model.dim);
    if model.input.len() != input {
        return Err(mismatch("input values", model.input.len(), input));
    }
    let output = words.saturating_mul(model.dim);
    if model.output.len() != output {
        return Err(mismatch("output values", model.output.len(), output));
    }
    Ok(())
}

/// Writes `model` as a `.bin` to `writer`; `path` names the file in errors.
///
/// Refuses a model whose tables disagree with its vocabulary ([`Error::Mismatch`]), and
/// settings, words, counts or values that a `.bin` cannot hold or that would not read back
/// ([`Error::Format`]): a supervised model code, an empty word, a word with a NUL, a repeated
/// word, more than `i32::MAX` words, a value that is not finite. Shapes and settings are
/// checked before the first byte; words and values as they are written, so a refusal can
/// leave part of a file in `writer` ([`super::write_fasttext_bin`] then discards it).
pub fn write<W: Write>(model: &SubwordModel, mut writer: W, path: &Path) -> Result<()> {
    check_shapes(model)?;
    let fail = |message: String| {
        Error::format(
            path,
            None,
            format!("the model cannot be written as a fastText .bin: {message}"),
        )
    };
    let nwords = i32::try_from(model.words.len()).map_err(|_| {
        fail(format!(
            "{} words are more than int32 counts",
            model.words.len()
        ))
    })?;
    let header = Header {
        dim: model.dim,
        settings: model.index.settings,
        args: model.args.clone(),
    };
    header::write(&header, &mut writer, path)?;

    let io_error = |e| Error::io("write", path, e);
    // ntokens: fastText's count of the tokens read; the counts' sum is what vectrain knows.
    let ntokens = model
        .counts
        .iter()
        .fold(0u64, |sum, &c| sum.saturating_add(c));
    let mut bytes = Vec::with_capacity(1 << 16);
    bytes.extend_from_slice(&nwords.to_le_bytes());
    bytes.extend_from_slice(&nwords.to_le_bytes());
    bytes.extend_from_slice(&0i32.to_le_bytes());
    bytes.extend_from_slice(&(ntokens.min(i64::MAX as u64) as i64).to_le_bytes());
    bytes.extend_from_slice(&(-1i64).to_le_bytes());
    let mut seen = HashSet::with_capacity(model.words.len());
    for (id, (word, &count)) in model.words.iter().zip(&model.counts).enumerate() {
        if word.is_empty() || word.contains('\0') {
            return Err(fail(format!(
                "word {id} ({word:?}) is empty or holds a NUL"
            )));
        }
        if !seen.insert(word.as_str()) {
            return Err(fail(format!("word {word:?} is repeated")));
        }
        let count = i64::try_from(count)
            .map_err(|_| fail(format!("the count {count} of {word:?} exceeds int64")))?;
        bytes.extend_from_slice(word.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.push(0);
        if bytes.len() >= 1 << 16 {
            writer.write_all(&bytes).map_err(io_error)?;
            bytes.clear();
        }
    }
    writer.write_all(&bytes).map_err(io_error)?;
    matrix(&mut writer, &model.input, model.dim, "input", path)?;
    matrix(&mut writer, &model.output, model.dim, "output", path)?;
    writer.flush().map_err(io_error)
}

/// Writes a false quantisation flag, the shape and the values of a table of rows of `dim`.
fn matrix<W: Write>(
    writer: &mut W,
    values: &[f32],
    dim: usize,
    name: &str,
    path: &Path,
) -> Result<()> {
    let io_error = |e| Error::io("write", path, e);
    let mut bytes = Vec::with_capacity(CHUNK_VALUES * 4);
    bytes.push(0);
    bytes.extend_from_slice(&((values.len() / dim) as i64).to_le_bytes());
    bytes.extend_from_slice(&(dim as i64).to_le_bytes());
    for (chunk_index, chunk) in values.chunks(CHUNK_VALUES).enumerate() {
        for (offset, &value) in chunk.iter().enumerate() {
            if !value.is_finite() {
                let at = chunk_index * CHUNK_VALUES + offset;
                let message = format!(
                    "the {name} table holds {value} at row {}, column {}: fastText .bin \
                     values must be finite",
                    at / dim,
                    at % dim
                );
                return Err(Error::format(path, None, message));
            }
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        writer.write_all(&bytes).map_err(io_error)?;
        bytes.clear();
    }
    writer.write_all(&bytes).map_err(io_error)
}
