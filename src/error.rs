//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in vectrain, as one enum.
///
/// Causes (I/O errors, GPU errors) are kept as [`std::error::Error::source`] and are not
/// repeated in the message, so a caller that prints the chain sees each fact once.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done: "read", "write", "create", "rename to"...
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A training or query option is out of range.
    #[error("invalid option --{option}: {reason}")]
    InvalidOption {
        /// The option's name as on the command line, without dashes.
        option: &'static str,
        /// Why the value was refused.
        reason: String,
    },
    /// The corpus holds no token at all.
    #[error("corpus {} holds no words", path.display())]
    EmptyCorpus {
        /// The corpus file.
        path: PathBuf,
    },
    /// No word of the corpus is frequent enough to enter the vocabulary.
    #[error(
        "no word in {} occurs at least {min_count} times (the corpus has {distinct} distinct words): lower --min-count",
        path.display()
    )]
    EmptyVocabulary {
        /// The corpus file.
        path: PathBuf,
        /// The minimum count in force.
        min_count: u64,
        /// How many distinct words the corpus has.
        distinct: usize,
    },
    /// The corpus is larger than positions of 32 bits can address.
    #[error("corpus {} has more than {limit} tokens, the most vectrain can index", path.display())]
    CorpusTooLarge {
        /// The corpus file.
        path: PathBuf,
        /// The largest token count supported.
        limit: u64,
    },
    /// A file's contents do not follow its format.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Format {
        /// The file.
        path: PathBuf,
        /// The 1-based line (or record) where the problem was seen, where there is one.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// Two inputs that must agree do not (e.g. vector dimensions).
    #[error("{0}")]
    Mismatch(String),
    /// A word asked for is not in the vocabulary.
    #[error("word {0:?} is not in the vocabulary")]
    UnknownWord(String),
    /// Training produced a non-finite loss.
    #[error(
        "training diverged in epoch {} (loss is not finite): lower --alpha (now {alpha})",
        epoch + 1
    )]
    Diverged {
        /// The epoch, from 0.
        epoch: usize,
        /// The starting learning rate.
        alpha: f32,
    },
    /// Training ended without a single example: the vectors are their random start.
    #[error(
        "training saw no example, so the vectors would be their random start: no sentence kept two words{}",
        if *sample > 0.0 {
            format!(" (a corpus this small loses most tokens to --sample {sample}; --sample 0 keeps them)")
        } else {
            String::new()
        }
    )]
    NoExample {
        /// The subsampling threshold in force.
        sample: f64,
    },
    /// No GPU adapter could be found.
    #[error("no GPU adapter found ({details}); {hint}")]
    NoAdapter {
        /// What wgpu said.
        details: String,
        /// What to install or set.
        hint: &'static str,
    },
    /// The GPU (driver, validation, device lost) reported an error.
    #[error("GPU error during {during}: {message}")]
    Gpu {
        /// The operation under way.
        during: &'static str,
        /// wgpu's message.
        message: String,
    },
    /// The machine has too little free memory for the run (checked before allocating).
    #[error(
        "not enough memory: training needs about {} ({details}), but only {} are available; lower --dim or --threads, or shrink the vocabulary with --min-count or --max-vocab",
        crate::units::human_bytes(*needed), crate::units::human_bytes(*available)
    )]
    InsufficientMemory {
        /// Bytes needed.
        needed: u64,
        /// Bytes available.
        available: u64,
        /// What the bytes are for.
        details: String,
    },
    /// Something asked for (an embedding matrix) is larger than the free memory (checked
    /// before allocating).
    #[error("{0}")]
    OutOfMemory(String),
    /// A GPU run needs more memory than the device has (checked before allocating).
    #[error(
        "not enough device memory: the run needs about {} ({details}), but the device has {}; {hint}",
        crate::units::human_bytes(*needed), crate::units::human_bytes(*available)
    )]
    DeviceMemory {
        /// Bytes needed on the device.
        needed: u64,
        /// Bytes the device has.
        available: u64,
        /// What the bytes are for.
        details: String,
        /// The options that lower the need.
        hint: &'static str,
    },
    /// A buffer would exceed a device limit.
    #[error(
        "{what} needs {needed} bytes, but the device allows at most {limit} bytes ({limit_name})"
    )]
    DeviceLimit {
        /// The buffer concerned.
        what: String,
        /// Bytes needed.
        needed: u64,
        /// Bytes allowed.
        limit: u64,
        /// The wgpu limit that applies.
        limit_name: &'static str,
    },
    /// Drawing a picture failed: the drawing library refused (a font without a glyph, a
    /// size it cannot draw).
    #[error("cannot draw {}: {message}", path.display())]
    Plot {
        /// The picture being drawn.
        path: PathBuf,
        /// What the drawing library said.
        message: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error about `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A format error in `path` at `line` (1-based), if known.
    pub fn format(path: impl Into<PathBuf>, line: Option<u64>, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
