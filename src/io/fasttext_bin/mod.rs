//! fastText's `.bin` model files, read and written: the whole subword model (vocabulary with
//! counts, training settings, input table of words and n-gram buckets, output table), which
//! fastText (`fasttext.load_model`) and gensim (`load_facebook_model`) load and train on.
//!
//! The layout is fastText 0.9's (`FastText::saveModel`), little-endian:
//! - `int32` magic 793712314 and version 12 (11 is read too: same layout);
//! - the arguments, in `Args::save` order: `int32` dim ws epoch minCount neg wordNgrams loss
//!   model bucket minn maxn lrUpdateRate, then `double` t;
//! - the dictionary: `int32` size, nwords, nlabels, `int64` ntokens, pruneidx_size, then per
//!   word its bytes, a NUL, an `int64` count and an `int8` type (0 for a word);
//! - a `bool` quantisation flag, the input table (`int64` rows and columns, then `f32` row by
//!   row: `nwords + bucket` rows of `dim`), a second flag and the output table (`nwords` rows).
//!
//! Only unsupervised dense models are read. Refused, with the reason: supervised models
//! (model code 3, labels in the dictionary), quantized `.ftz` models (a true flag, or a pruned
//! dictionary, `pruneidx_size` other than -1, which only `fasttext quantize` makes: fastText
//! itself refuses a pruned dictionary in a dense model), pre-2017 files without the magic
//! number, non-UTF-8 or repeated words, tables whose shape disagrees with the dictionary and
//! header, non-finite values, truncated files and bytes after the output table, and n-grams
//! longer than 64 characters (`maxn` > 64; fastText's default is 6, and a word's n-grams cost
//! time quadratic in `maxn`). No count read from a file makes the reader reserve more than a
//! bounded amount of memory before the bytes are known to be there.
//!
//! fastText gives its end-of-sentence word `</s>` no n-grams; [`SubwordIndex`] gives it some,
//! as gensim does, so that word alone gets another vector here than in fastText.
//!
//! [`SubwordIndex`]: crate::subwords::SubwordIndex
//!
//! `ntokens` (fastText's count of the corpus tokens) is not kept: a written file records the
//! sum of the counts there.

mod header;
mod input;
mod read;
mod write;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;
use crate::subwords::SubwordModel;
use crate::vocab::Vocab;
use input::Input;

pub use header::{MAGIC, VERSION};
pub use write::write;

/// Buffer size of the file reader.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// Reads the `.bin` model at `path`.
///
/// Its length is known, so the tables' declared sizes are checked against it before memory
/// is reserved for them.
pub fn read_fasttext_bin(path: &Path) -> Result<SubwordModel> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let length = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    read_sized(file, path, length)
}

/// Reads a `.bin` model of `length` bytes from `reader`; `path` names the file in errors.
pub(crate) fn read_sized<R: Read>(reader: R, path: &Path, length: u64) -> Result<SubwordModel> {
    let reader = BufReader::with_capacity(READ_BUFFER_BYTES, reader);
    read::model(&mut Input::new(reader, path, Some(length)))
}

/// Reads a `.bin` model from `reader` (of unknown length); `path` names the file in errors.
pub fn read<R: Read>(reader: R, path: &Path) -> Result<SubwordModel> {
    let reader = BufReader::with_capacity(READ_BUFFER_BYTES, reader);
    read::model(&mut Input::new(reader, path, None))
}

/// Writes `model` to `path` as a `.bin`, atomically: `path` is replaced only once the whole
/// file is written, and left untouched on error. See [`write()`] for what is refused.
pub fn write_fasttext_bin(model: &SubwordModel, path: &Path) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write::write(model, &mut file, path)?;
    file.commit()
}

/// The vectors of the vocabulary words of `model` (each the mean of its own row and its
/// n-gram rows, as fastText's `.vec`), in the model's order and with its counts.
pub fn vocabulary_embeddings(model: &SubwordModel) -> Result<Embeddings> {
    let vocab = Vocab::from_ordered(model.words.clone(), model.counts.clone());
    Embeddings::new(vocab, model.dim, model.word_vectors())
}
