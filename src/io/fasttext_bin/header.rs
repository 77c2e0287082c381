//! The signature (magic number, version) and the training arguments that open a `.bin`, in
//! the order of fastText's `Args::save`: `dim ws epoch minCount neg wordNgrams loss model
//! bucket minn maxn lrUpdateRate` as `int32`, then `t` as a `double`.

use std::io::{BufRead, Write};
use std::path::Path;

use super::input::{Input, Part};
use crate::error::{Error, Result};
use crate::subwords::ngrams::MAX_MAXN;
use crate::subwords::{RecordedArgs, SubwordSettings};

/// fastText's file-format magic number (`FASTTEXT_FILEFORMAT_MAGIC_INT32`).
pub const MAGIC: i32 = 793_712_314;
/// The version vectrain writes (fastText 0.9's `FASTTEXT_VERSION`).
pub const VERSION: i32 = 12;
/// The oldest version read: 11 lays the file out as 12 does (it differs only for supervised
/// models, which are refused anyway).
const OLDEST_VERSION: i32 = 11;

/// fastText's model code of a supervised model.
const SUPERVISED: i32 = 3;

/// What the header says about the model.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Header {
    /// Vector dimension.
    pub(super) dim: usize,
    /// N-gram lengths and buckets.
    pub(super) settings: SubwordSettings,
    /// The other recorded settings.
    pub(super) args: RecordedArgs,
}

/// Checks the header's codes and sizes; `fail` builds the error from a message.
fn check(
    dim: i64,
    minn: i64,
    maxn: i64,
    bucket: i64,
    args: &RecordedArgs,
    fail: impl Fn(String) -> Error,
) -> Result<(usize, SubwordSettings)> {
    match args.model {
        1 | 2 => {}
        SUPERVISED => {
            return Err(fail(
                "supervised models (model 3, trained on labels) are not supported".into(),
            ));
        }
        other => {
            return Err(fail(format!(
                "unknown model code {other} (1 is CBOW, 2 skip-gram)"
            )));
        }
    }
    if !(1..=4).contains(&args.loss) {
        return Err(fail(format!(
            "unknown loss code {} (1 is hierarchical softmax, 2 negative sampling, 3 softmax, \
             4 one-vs-all)",
            args.loss
        )));
    }
    let positive_i32 = |value: i64| (1..=i64::from(i32::MAX)).contains(&value);
    let natural_i32 = |value: i64| (0..=i64::from(i32::MAX)).contains(&value);
    if !positive_i32(dim) {
        return Err(fail(format!("dim {dim} is not a positive int32")));
    }
    for (name, value) in [("minn", minn), ("maxn", maxn), ("bucket", bucket)] {
        if !natural_i32(value) {
            return Err(fail(format!("{name} {value} is not a non-negative int32")));
        }
    }
    if maxn as usize > MAX_MAXN {
        return Err(fail(format!(
            "maxn {maxn} is above the {MAX_MAXN} characters vectrain supports"
        )));
    }
    let settings = SubwordSettings {
        minn: minn as usize,
        maxn: maxn as usize,
        bucket: bucket as u32,
    };
    let settings = settings
        .check()
        .map_err(|e| fail(format!("the n-gram settings are not valid ({e})")))?;
    Ok((dim as usize, settings))
}

/// Reads and checks the signature and the arguments.
pub(super) fn read<R: BufRead>(input: &mut Input<'_, R>) -> Result<Header> {
    let magic = input.i32(Part::Signature)?;
    if magic != MAGIC {
        return Err(input.bad(
            Part::Signature,
            format!(
                "magic number {magic} is not fastText's {MAGIC}: not a fastText .bin model (or \
                 one from before 2017, which vectrain does not read)"
            ),
        ));
    }
    let version = input.i32(Part::Signature)?;
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(input.bad(
            Part::Signature,
            format!("unsupported version {version} (vectrain reads versions {OLDEST_VERSION} and {VERSION})"),
        ));
    }
    let mut fields = [0i32; 12];
    for field in &mut fields {
        *field = input.i32(Part::Args)?;
    }
    let sample = input.f64(Part::Args)?;
    let [
        dim,
        ws,
        epoch,
        min_count,
        neg,
        word_ngrams,
        loss,
        model,
        bucket,
        minn,
        maxn,
        lr_rate,
    ] = fields;
    let args = RecordedArgs {
        model,
        window: ws,
        epochs: epoch,
        min_count,
        negative: neg,
        word_ngrams,
        loss,
        lr_update_rate: lr_rate,
        sample,
    };
    let (dim, settings) = check(
        dim.into(),
        minn.into(),
        maxn.into(),
        bucket.into(),
        &args,
        |message| input.bad(Part::Args, message),
    )?;
    Ok(Header {
        dim,
        settings,
        args,
    })
}

/// Checks that `header` can be written (and read back), then writes the signature and the
/// arguments; `path` names the file in errors.
pub(super) fn write<W: Write>(header: &Header, writer: &mut W, path: &Path) -> Result<()> {
    let settings = header.settings;
    let fail = |message: String| {
        Error::format(
            path,
            None,
            format!("the model cannot be written as a fastText .bin: {message}"),
        )
    };
    let wide = |value: usize| i64::try_from(value).unwrap_or(i64::MAX);
    check(
        wide(header.dim),
        wide(settings.minn),
        wide(settings.maxn),
        settings.bucket.into(),
        &header.args,
        fail,
    )?;
    let args = &header.args;
    let mut bytes = Vec::with_capacity(64);
    let ints = [
        MAGIC,
        VERSION,
        header.dim as i32,
        args.window,
        args.epochs,
        args.min_count,
        args.negative,
        args.word_ngrams,
        args.loss,
        args.model,
        settings.bucket as i32,
        settings.minn as i32,
        settings.maxn as i32,
        args.lr_update_rate,
    ];
    for value in ints {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes.extend_from_slice(&args.sample.to_le_bytes());
    writer
        .write_all(&bytes)
        .map_err(|e| Error::io("write", path, e))
}
