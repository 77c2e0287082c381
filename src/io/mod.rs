//! Reading and writing word vectors: word2vec text, word2vec binary and GloVe text; and
//! fastText `.bin` models ([`fasttext_bin`]), whose vocabulary vectors read as embeddings; and
//! the two files of TensorFlow's Embedding Projector ([`projector`], written only).
//!
//! Rows are written in the embeddings' order (most frequent word first). A file read gets a
//! vocabulary in file order whose counts decrease by row (`rows - row`), as vector files hold
//! no counts (a fastText `.bin` does, and keeps them). Readers refuse, with the file and line, anything that does not follow the
//! format: a wrong header, a wrong number of rows or values, values that are not finite
//! numbers, truncated data, repeated words. A header never makes a reader reserve more than a
//! bounded amount of memory. Writes are atomic (see [`atomic`]): a failed or interrupted write
//! leaves the destination as it was.

pub mod atomic;
pub mod fasttext_bin;
pub mod glove_text;
pub mod npy;
pub mod paths;
pub mod projector;
mod rows;
pub(crate) mod text;
pub mod vocab_counts;
pub mod whole_text;
pub mod word2vec_binary;
pub mod word2vec_text;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::corpus::{CountingReader, ReadPass, ReadProgress};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::subwords::{NgramTable, SubwordModel};
use atomic::AtomicFile;

/// Buffer size of file readers.
const READ_BUFFER_BYTES: usize = 1 << 20;
/// The first two bytes of a gzip file.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// U+FEFF in UTF-8, the byte order mark.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";
/// Most bytes of a line looked at by [`detect_format`].
const DETECT_LINE_BYTES: u64 = 1 << 24;

/// A vector file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorFormat {
    /// Header `rows dim`, then `word v1 .. vD` per line.
    Word2VecText,
    /// Header `rows dim\n`, then per row the word, a space and `dim` little-endian `f32`.
    Word2VecBinary,
    /// `word v1 .. vD` per line, no header.
    GloveText,
    /// A fastText `.bin` model (see [`fasttext_bin`]): read as the vectors of its vocabulary
    /// words. Written only from a whole subword model, by
    /// [`fasttext_bin::write_fasttext_bin`]; [`write_vectors`] refuses it.
    FastTextBin,
}

impl VectorFormat {
    /// Every format [`write_vectors`] writes: all but [`VectorFormat::FastTextBin`].
    pub const ALL: [VectorFormat; 3] = [
        VectorFormat::Word2VecText,
        VectorFormat::Word2VecBinary,
        VectorFormat::GloveText,
    ];

    /// A short name: `word2vec-text`, `word2vec-binary`, `glove-text` or `fasttext-bin`.
    pub fn name(self) -> &'static str {
        match self {
            VectorFormat::Word2VecText => "word2vec-text",
            VectorFormat::Word2VecBinary => "word2vec-binary",
            VectorFormat::GloveText => "glove-text",
            VectorFormat::FastTextBin => "fasttext-bin",
        }
    }

    /// The format the command line names `name` (`--format`): `w2v-text`, `w2v-bin`,
    /// `glove` or `fasttext-bin`; [`VectorFormat::name`]'s names are taken too.
    pub fn from_name(name: &str) -> Option<VectorFormat> {
        VectorFormat::ALL
            .into_iter()
            .chain([VectorFormat::FastTextBin])
            .find(|format| format.name() == name || format.option_name() == name)
    }

    /// The name the command line's `--format` gives this format.
    pub fn option_name(self) -> &'static str {
        match self {
            VectorFormat::Word2VecText => "w2v-text",
            VectorFormat::Word2VecBinary => "w2v-bin",
            VectorFormat::GloveText => "glove",
            VectorFormat::FastTextBin => "fasttext-bin",
        }
    }

    /// The format a file is written in when none is named, from its extension (before a
    /// `.gz`, which compresses it): `.bin` word2vec binary, `.glove` GloVe text, anything else
    /// (`.txt`, `.vec`) word2vec text. A fastText `.bin` is written only when named, as `.bin`
    /// alone means word2vec's.
    pub fn for_path(path: &Path) -> VectorFormat {
        let path = if is_gzip_name(path) {
            Path::new(path.file_stem().unwrap_or_default())
        } else {
            path
        };
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("bin") => VectorFormat::Word2VecBinary,
            Some("glove") => VectorFormat::GloveText,
            _ => VectorFormat::Word2VecText,
        }
    }
}

/// `path` opened for reading, decompressed where it is gzip (by its first bytes, whatever
/// its name), as gensim reads `GoogleNews-vectors-negative300.bin.gz`, and past a UTF-8 byte
/// order mark, which editors on Windows put before text (and which no word2vec header or
/// first word begins with).
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    open_reporting(path, None)
}

/// [`open`], the stored bytes read added to `progress` where given, as a
/// [`ReadPass::Loading`] pass over the file's size.
fn open_reporting(path: &Path, progress: Option<&ReadProgress>) -> Result<Box<dyn BufRead>> {
    let file = counted(File::open(path), path, progress)?;
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    let start = reader.fill_buf().map_err(|e| Error::io("read", path, e))?;
    let mut reader: Box<dyn BufRead> = if start.starts_with(&GZIP_MAGIC) {
        let decoder = MultiGzDecoder::new(reader);
        Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, decoder))
    } else {
        Box::new(reader)
    };
    let start = reader.fill_buf().map_err(|e| Error::io("read", path, e))?;
    if start.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    Ok(reader)
}

/// The file `opened` of `path`, its bytes counted into `progress` where given (a
/// [`ReadPass::Loading`] pass over its size, started here).
fn counted(
    opened: std::io::Result<File>,
    path: &Path,
    progress: Option<&ReadProgress>,
) -> Result<Box<dyn Read>> {
    let file = opened.map_err(|e| Error::io("open", path, e))?;
    let Some(progress) = progress else {
        return Ok(Box::new(file));
    };
    let size = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    progress.start(ReadPass::Loading, size);
    Ok(Box::new(CountingReader {
        inner: file,
        progress: progress.clone(),
    }))
}

/// The fastText `.bin` model in `path`, gzip-compressed or not (fastText ships its models as
/// `cc.en.300.bin.gz`).
pub fn read_model(path: &Path) -> Result<SubwordModel> {
    read_model_reporting(path, None)
}

fn read_model_reporting(path: &Path, progress: Option<&ReadProgress>) -> Result<SubwordModel> {
    let mut start = [0; GZIP_MAGIC.len()];
    let read = File::open(path)
        .and_then(|mut file| file.read(&mut start))
        .map_err(|e| Error::io("read", path, e))?;
    if start[..read] == GZIP_MAGIC {
        fasttext_bin::read(open_reporting(path, progress)?, path)
    } else {
        let length = File::open(path)
            .and_then(|file| file.metadata())
            .map_err(|e| Error::io("read", path, e))?
            .len();
        let file = counted(File::open(path), path, progress)?;
        fasttext_bin::read_sized(file, path, length)
    }
}

/// Whether `path` names a gzip file: `.gz`, which [`write_vectors`] compresses.
fn is_gzip_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Guesses the format of `path` from its first two lines (or its magic number).
///
/// A file that starts with fastText's magic number is a fastText `.bin`. A first line of two integers is a word2vec header; the file is then text if its second line
/// is a word and `dim` numbers (or if it declares no rows), else binary. Any other first line
/// that is a word and numbers makes a GloVe file.
///
/// Two cases are guessed wrong; [`read_vectors_as`] reads them as intended: a GloVe file whose
/// first line is an integer word and one integer value (taken for word2vec), and a word2vec
/// text file whose first row is malformed (taken for binary; [`read_vectors`] then reports
/// the text reader's error, which names the row's fault).
pub fn detect_format(path: &Path) -> Result<VectorFormat> {
    sniff(path).map(|(format, _)| format)
}

/// [`detect_format`]'s guess, and whether a word2vec file's first row is a line of text (so
/// that a file taken for binary may be malformed text).
fn sniff(path: &Path) -> Result<(VectorFormat, bool)> {
    let mut reader = open(path)?;
    let start = reader.fill_buf().map_err(|e| Error::io("read", path, e))?;
    if start.starts_with(&fasttext_bin::MAGIC.to_le_bytes()) {
        return Ok((VectorFormat::FastTextBin, false));
    }
    let mut line = Vec::new();
    let mut next_line = |line: &mut Vec<u8>| {
        line.clear();
        (&mut reader)
            .take(DETECT_LINE_BYTES)
            .read_until(b'\n', line)
            .map_err(|e| Error::io("read", path, e))
    };
    if next_line(&mut line)? == 0 {
        return Err(Error::format(path, None, "the file is empty"));
    }
    if is_header(&line) {
        let (rows, dim) = rows::parse_header(&line, path)?;
        next_line(&mut line)?;
        let format = if rows == 0 || is_text_row(&line, Some(dim)) {
            VectorFormat::Word2VecText
        } else {
            VectorFormat::Word2VecBinary
        };
        return Ok((format, is_printable_line(&line)));
    }
    if is_text_row(&line, None) {
        return Ok((VectorFormat::GloveText, false));
    }
    let message = format!(
        "line 1 is neither a word2vec header `rows dim` nor a GloVe row `word v1 .. vD`: {}",
        rows::snippet(&String::from_utf8_lossy(&line))
    );
    Err(Error::format(path, Some(1), message))
}

/// True if `line` is two unsigned integers: a word2vec header, valid or not.
fn is_header(line: &[u8]) -> bool {
    let fields: Vec<&[u8]> = line
        .split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty())
        .collect();
    fields.len() == 2 && fields.iter().all(|f| f.iter().all(u8::is_ascii_digit))
}

/// True if `line` is UTF-8 `word v1 .. vD` with `dim` values (any number of at least one if
/// `None`).
fn is_text_row(line: &[u8], dim: Option<usize>) -> bool {
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let mut fields = text.split_ascii_whitespace();
    let mut values = 0;
    fields.next();
    for field in fields {
        if field.parse::<f32>().is_err() {
            return false;
        }
        values += 1;
    }
    values > 0 && dim.is_none_or(|dim| dim == values)
}

/// True if `line` is printable UTF-8 text ending in a newline, with a word and something
/// after it: a binary row's float bytes almost never are.
fn is_printable_line(line: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let printable = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'));
    printable && text.ends_with('\n') && text.split_whitespace().nth(1).is_some()
}

/// Reads the vectors of `path`, whose format is found by [`detect_format`]. A word2vec file
/// taken for binary whose first row is a line of text, and which does not read as binary, is
/// malformed text: the text reader's error is given, as it names the row's fault.
pub fn read_vectors(path: &Path) -> Result<Embeddings> {
    read_sniffed(path, sniff(path)?, None)
}

/// [`read_vectors`], adding the file's bytes to `progress` as they are read (a
/// [`ReadPass::Loading`] pass over the file's stored size), for a progress bar.
pub fn read_vectors_reporting(path: &Path, progress: &ReadProgress) -> Result<Embeddings> {
    read_sniffed(path, sniff(path)?, Some(progress))
}

/// [`read_vectors`] once `path` has been sniffed.
fn read_sniffed(
    path: &Path,
    (format, text_row): (VectorFormat, bool),
    progress: Option<&ReadProgress>,
) -> Result<Embeddings> {
    match read_as(path, format, progress) {
        Err(_) if format == VectorFormat::Word2VecBinary && text_row => {
            read_as(path, VectorFormat::Word2VecText, progress)
        }
        read => read,
    }
}

/// Reads the vectors of `path` in the given format. A fastText `.bin` gives its vocabulary
/// words' vectors ([`fasttext_bin::vocabulary_embeddings`]), with their counts.
pub fn read_vectors_as(path: &Path, format: VectorFormat) -> Result<Embeddings> {
    read_as(path, format, None)
}

fn read_as(
    path: &Path,
    format: VectorFormat,
    progress: Option<&ReadProgress>,
) -> Result<Embeddings> {
    let open = || open_reporting(path, progress);
    match format {
        VectorFormat::Word2VecText => word2vec_text::read(open()?, path),
        VectorFormat::Word2VecBinary => word2vec_binary::read(open()?, path),
        VectorFormat::GloveText => glove_text::read(open()?, path),
        VectorFormat::FastTextBin => {
            fasttext_bin::vocabulary_embeddings(&read_model_reporting(path, progress)?)
        }
    }
}

/// Reads the first `limit` rows of a word2vec file, binary or text as `binary` says (gzipped
/// or not), and none of the rest: gensim's `load_word2vec_format(path, binary, limit=limit)`,
/// which reads the first words of a large file (GoogleNews-vectors-negative300.bin's 3
/// million) without the memory or time of the whole.
pub fn read_word2vec_first(path: &Path, binary: bool, limit: usize) -> Result<Embeddings> {
    if binary {
        word2vec_binary::read_first(open(path)?, path, limit)
    } else {
        word2vec_text::read_first(open(path)?, path, limit)
    }
}

/// Reads the vectors of `path` like [`read_vectors`], with the n-gram rows that give vectors
/// to unseen words where the format has them (a fastText `.bin`).
pub fn read_vectors_and_ngrams(path: &Path) -> Result<(Embeddings, Option<NgramTable>)> {
    vectors_and_ngrams(path, None)
}

/// [`read_vectors_and_ngrams`], adding the file's bytes to `progress` as
/// [`read_vectors_reporting`] does.
pub fn read_vectors_and_ngrams_reporting(
    path: &Path,
    progress: &ReadProgress,
) -> Result<(Embeddings, Option<NgramTable>)> {
    vectors_and_ngrams(path, Some(progress))
}

fn vectors_and_ngrams(
    path: &Path,
    progress: Option<&ReadProgress>,
) -> Result<(Embeddings, Option<NgramTable>)> {
    match sniff(path)? {
        (VectorFormat::FastTextBin, _) => {
            let model = read_model_reporting(path, progress)?;
            let embeddings = fasttext_bin::vocabulary_embeddings(&model)?;
            Ok((embeddings, Some(NgramTable::from_model(model))))
        }
        sniffed => Ok((read_sniffed(path, sniffed, progress)?, None)),
    }
}

/// Writes `emb` to `path` in `format`, atomically: `path` is replaced only once the whole file
/// is written, and is left untouched on error.
///
/// Refuses (with [`Error::Format`]) a word that is empty or holds whitespace, and a value that
/// is not finite, as no reader could read them back. Refuses [`VectorFormat::FastTextBin`]
/// (with [`Error::InvalidOption`]): a `.bin` holds a whole subword model, not plain vectors.
pub fn write_vectors(emb: &Embeddings, path: &Path, format: VectorFormat) -> Result<()> {
    type Writer = fn(&Embeddings, &mut dyn Write, &Path) -> Result<()>;
    let write: Writer = match format {
        VectorFormat::Word2VecText => |emb, file, path| word2vec_text::write(emb, file, path),
        VectorFormat::Word2VecBinary => |emb, file, path| word2vec_binary::write(emb, file, path),
        VectorFormat::GloveText => |emb, file, path| glove_text::write(emb, file, path),
        VectorFormat::FastTextBin => {
            return Err(Error::InvalidOption {
                option: "format",
                reason: "fasttext-bin holds a whole subword model (n-gram and output tables), \
                         not plain vectors: only a model trained with subwords is written so"
                    .into(),
            });
        }
    };
    let mut file = AtomicFile::create(path)?;
    if is_gzip_name(path) {
        // Buffered before the encoder: the writers' many small writes each cost a call into
        // the compressor otherwise.
        let encoder = GzEncoder::new(&mut file, Compression::default());
        let mut compressed = BufWriter::with_capacity(READ_BUFFER_BYTES, encoder);
        write(emb, &mut compressed, path)?;
        compressed
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(GzEncoder::finish)
            .map_err(|e| Error::io("write", path, e))?;
    } else {
        write(emb, &mut file, path)?;
    }
    file.commit()
}
