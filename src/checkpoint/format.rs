//! The checkpoint file's binary layout: writing, and reading with every size bounded by the
//! file's length (the layout is in the module docs of [`crate::checkpoint`]).

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use crate::checkpoint::codec::{Decoder, Encoder};
use crate::checkpoint::distributed::{
    DistributedRun, read_fingerprint, read_section, read_state, write_fingerprint, write_section,
    write_state,
};
use crate::checkpoint::{Checkpoint, Header, RunFiles};
use crate::config::{GpuKernel, Model, TrainParams};
use crate::error::{Error, Result};
use crate::huffman::Ties;
use crate::io::VectorFormat;
use crate::io::atomic::AtomicFile;
use crate::subwords::SubwordSettings;
use crate::training::Every;
use crate::vocab::Vocab;

/// The first bytes of every checkpoint.
pub const MAGIC: [u8; 8] = *b"VTRNCKPT";
/// The layout version written: 5 added the distributed section, 6 the hierarchical-softmax
/// flag after `negative` (and the tree's rows in the output table), 7 its value 2 for a tree
/// that gives ties to leaves ([`Ties::Leaves`]; 1 stays the tree of version 6, nodes first).
pub const VERSION: u32 = 7;
/// The oldest layout version read: 4, the same but for the distributed section.
pub const OLDEST_VERSION: u32 = 4;

/// Writes a checkpoint to `path` atomically (temporary file, then rename): an interrupted
/// write leaves the previous checkpoint in place. `input` and `output` are the tables,
/// row-major, `vocab.len() * dim` values each.
pub fn write(path: &Path, header: &Header<'_>, input: &[f32], output: &[f32]) -> Result<()> {
    write_distributed(path, header, None, input, output)
}

/// [`write()`], for a distributed run with its `distributed` part (`None`: a run in one
/// process). The header's state and corpus are rank 0's.
pub fn write_distributed(
    path: &Path,
    header: &Header<'_>,
    distributed: Option<&DistributedRun>,
    input: &[f32],
    output: &[f32],
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    let mut out = Encoder {
        writer: &mut file,
        path,
        hasher: crc32fast::Hasher::new(),
    };
    out.bytes(&MAGIC)?;
    out.u32(VERSION)?;
    out.str(header.trainer)?;
    let p = header.params;
    out.bytes(&[match p.model {
        Model::SkipGram => 0,
        Model::Cbow => 1,
        Model::BatchSkipGram => 2,
    }])?;
    out.u64(p.dim as u64)?;
    out.u64(p.window as u64)?;
    out.u64(p.negative as u64)?;
    out.bytes(&[match (p.hs, p.hs_ties) {
        (false, _) => 0,
        (true, Ties::Nodes) => 1,
        (true, Ties::Leaves) => 2,
    }])?;
    out.bytes(&p.alpha.to_le_bytes())?;
    out.bytes(&p.min_alpha.to_le_bytes())?;
    out.u64(p.epochs as u64)?;
    out.u64(p.min_count)?;
    out.u64(p.max_vocab.map_or(0, |m| m as u64))?;
    out.f64(p.sample)?;
    out.f64(p.ns_exponent)?;
    out.u32(p.seed)?;
    out.bytes(&[p.lowercase as u8, p.deterministic as u8])?;
    out.u64(p.threads as u64)?;
    out.u64(p.parts as u64)?;
    match p.subwords {
        None => out.bytes(&[0])?,
        Some(settings) => {
            out.bytes(&[1])?;
            out.u64(settings.minn as u64)?;
            out.u64(settings.maxn as u64)?;
            out.u32(settings.bucket)?;
        }
    }
    let files = header.files;
    match &files.corpus {
        None => out.bytes(&[0])?,
        Some(corpus) => {
            out.bytes(&[1])?;
            out.path(corpus)?;
        }
    }
    out.path(&files.output)?;
    out.bytes(&[format_code(files.format)])?;
    let (kind, amount) = match files.every {
        None => (0, 0),
        Some(Every::Time(interval)) => (1, interval.as_secs()),
        Some(Every::Words(words)) => (2, words),
    };
    out.bytes(&[kind])?;
    out.u64(amount)?;
    write_state(&mut out, header.state)?;
    write_fingerprint(&mut out, &header.corpus)?;
    let vocab = header.vocab;
    out.u64(vocab.len() as u64)?;
    for (word, &count) in vocab.words().iter().zip(vocab.counts()) {
        out.str(word)?;
        out.u64(count)?;
    }
    let values = p.output_rows(vocab.len()) as u64 * p.dim as u64;
    let input_values = p.input_rows(vocab.len()) as u64 * p.dim as u64;
    out.table(input, input_values, "input")?;
    out.table(output, values, "output")?;
    write_section(&mut out, distributed)?;
    let crc = out.hasher.clone().finalize();
    out.writer
        .write_all(&crc.to_le_bytes())
        .map_err(|e| Error::io("write", path, e))?;
    file.commit()
}

fn format_code(format: VectorFormat) -> u8 {
    match format {
        VectorFormat::Word2VecText => 0,
        VectorFormat::Word2VecBinary => 1,
        VectorFormat::GloveText => 2,
        VectorFormat::FastTextBin => 3,
    }
}

/// Reads the checkpoint at `path`, checking its magic, version, sizes and checksum.
pub fn read(path: &Path) -> Result<Checkpoint> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let metadata = file.metadata().map_err(|e| Error::io("read", path, e))?;
    if metadata.is_dir() {
        return Err(Error::format(
            path,
            None,
            "is a directory, not a checkpoint",
        ));
    }
    read_from(
        BufReader::with_capacity(1 << 20, file),
        metadata.len(),
        path,
    )
}

/// Reads a checkpoint of `len` bytes from `reader`; `path` names it in errors. No size read
/// from the file makes it allocate more than `len` allows.
pub fn read_from(reader: impl Read, len: u64, path: &Path) -> Result<Checkpoint> {
    let mut d = Decoder {
        reader,
        path,
        left: len,
        hasher: crc32fast::Hasher::new(),
    };
    let mut magic = [0u8; 8];
    d.exact(&mut magic, "the magic bytes")
        .map_err(|_| Error::format(path, None, "not a vectrain checkpoint (too short)"))?;
    if magic != MAGIC {
        return Err(Error::format(
            path,
            None,
            "not a vectrain checkpoint (wrong magic bytes)",
        ));
    }
    let version = d.u32("the version")?;
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(Error::format(
            path,
            None,
            format!(
                "checkpoint format version {version} is not supported: this vectrain reads versions {OLDEST_VERSION} to {VERSION}"
            ),
        ));
    }
    let trainer = d.str("the trainer name")?;
    let model = match d.u8("the model")? {
        0 => Model::SkipGram,
        1 => Model::Cbow,
        2 => Model::BatchSkipGram,
        other => return Err(d.bad(format!("unknown model code {other}"))),
    };
    let dim = d.usize("dim")?;
    let window = d.usize("window")?;
    let negative = d.usize("negative")?;
    // None: no hierarchical softmax; else its tree's ties.
    let hs = match version {
        ..6 => None,
        _ => match d.u8("the hierarchical-softmax flag")? {
            0 => None,
            1 => Some(Ties::Nodes),
            2 if version >= 7 => Some(Ties::Leaves),
            other => return Err(d.bad(format!("unknown hierarchical-softmax flag {other}"))),
        },
    };
    let alpha = d.f32("alpha")?;
    let min_alpha = d.f32("min-alpha")?;
    let epochs = d.usize("epochs")?;
    let min_count = d.u64("min-count")?;
    let max_vocab = match d.usize("max-vocab")? {
        0 => None,
        m => Some(m),
    };
    let sample = d.f64("sample")?;
    let ns_exponent = d.f64("ns-exponent")?;
    let seed = d.u32("seed")?;
    let lowercase = d.u8("lowercase")? != 0;
    let deterministic = d.u8("deterministic")? != 0;
    let threads = d.usize("threads")?;
    let parts = d.usize("parts")?;
    if parts == 0 {
        return Err(d.bad("0 parts".into()));
    }
    let subwords = match d.u8("the subwords flag")? {
        0 => None,
        1 => Some(SubwordSettings {
            minn: d.usize("minn")?,
            maxn: d.usize("maxn")?,
            bucket: d.u32("bucket")?,
        }),
        other => return Err(d.bad(format!("unknown subwords flag {other}"))),
    };
    // Without a tree, the ties a run of these settings takes by default.
    let hs_ties = hs.unwrap_or(Ties::default_for(subwords.is_some()));
    let params = TrainParams {
        model,
        dim,
        window,
        negative,
        hs: hs.is_some(),
        hs_ties,
        alpha,
        min_alpha,
        epochs,
        min_count,
        max_vocab,
        sample,
        ns_exponent,
        threads,
        // An execution setting like `threads`, not saved: the resumed run's own applies.
        gpu_in_flight: None,
        gpu_kernel: GpuKernel::default(),
        seed,
        deterministic,
        lowercase,
        parts,
        subwords,
    };
    let corpus_path = match d.u8("the corpus kind")? {
        0 => None,
        1 => Some(d.path("the corpus path")?),
        other => return Err(d.bad(format!("unknown corpus kind {other}"))),
    };
    let output = d.path("the output path")?;
    let format = match d.u8("the output format")? {
        0 => VectorFormat::Word2VecText,
        1 => VectorFormat::Word2VecBinary,
        2 => VectorFormat::GloveText,
        3 => VectorFormat::FastTextBin,
        other => return Err(d.bad(format!("unknown output format code {other}"))),
    };
    let every_kind = d.u8("the checkpoint interval kind")?;
    let every_amount = d.u64("the checkpoint interval")?;
    let every = match (every_kind, every_amount) {
        (0, _) => None,
        (_, 0) => return Err(d.bad("a checkpoint interval of 0".into())),
        (1, seconds) => Some(Every::Time(std::time::Duration::from_secs(seconds))),
        (2, words) => Some(Every::Words(words)),
        (other, _) => return Err(d.bad(format!("unknown checkpoint interval kind {other}"))),
    };
    let files = RunFiles {
        corpus: corpus_path,
        output,
        format,
        every,
    };
    let state = read_state(&mut d)?;
    let corpus = read_fingerprint(&mut d)?;
    // A word takes at least 4 (length) + 8 (count) bytes.
    let words = d.count(12, "vocabulary size")?;
    if u32::try_from(words).is_err() {
        return Err(d.bad(format!("{words} words: at most {} are supported", u32::MAX)));
    }
    let mut word_list = Vec::with_capacity(words);
    let mut counts = Vec::with_capacity(words);
    for _ in 0..words {
        word_list.push(d.str("a word")?);
        counts.push(d.u64("a word count")?);
    }
    let vocab = Vocab::from_ordered(word_list, counts);
    if (0..words).any(|i| vocab.id(vocab.word(i as u32)) != Some(i as u32)) {
        return Err(d.bad("the vocabulary repeats a word".into()));
    }
    let values = params
        .output_rows(words)
        .checked_mul(dim)
        .ok_or_else(|| d.bad(format!("{words} x {dim} values cannot be addressed")))?;
    let input_values = params.input_rows(words).checked_mul(dim).ok_or_else(|| {
        d.bad(format!(
            "{words} words and their buckets cannot be addressed"
        ))
    })?;
    let input = d.table(input_values, "the input table")?;
    let output = d.table(values, "the output table")?;
    let distributed = if version >= 5 {
        read_section(&mut d, &state, &corpus)?
    } else {
        None
    };
    let expected = d.hasher.clone().finalize();
    let mut crc = [0u8; 4];
    d.exact(&mut crc, "the checksum")?;
    if u32::from_le_bytes(crc) != expected {
        return Err(d.bad("checksum mismatch: the file is corrupt".into()));
    }
    if d.left != 0 {
        return Err(d.bad(format!("{} bytes after the checksum", d.left)));
    }
    Ok(Checkpoint {
        trainer,
        params,
        files,
        vocab,
        corpus,
        state,
        input,
        output,
        distributed,
    })
}
