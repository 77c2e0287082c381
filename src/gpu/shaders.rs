//! The shader registry: one constant per WGSL kernel in `shaders/`, and the bind group
//! layout each entry point expects.

use std::sync::LazyLock;

/// Batch embedding lookup.
pub const GATHER: &str = include_str!("../../shaders/gather.wgsl");
/// Gradient scatter-add with native float atomics.
pub const SCATTER_ADD: &str = include_str!("../../shaders/scatter_add.wgsl");
/// Gradient scatter-add with a compare-exchange loop (no float atomics needed).
pub const SCATTER_ADD_CAS: &str = include_str!("../../shaders/scatter_add_cas.wgsl");
/// Negative-sampling training step: skip-gram, CBOW or batch skip-gram (its `CBOW` and
/// `BATCH` overrides).
pub const NEGATIVE_SAMPLING: &str = include_str!("../../shaders/negative_sampling.wgsl");
/// The tables of the training step on `atomic<f32>`, put in place of the `<tables>` block of
/// [`NEGATIVE_SAMPLING`] on adapters with float atomics.
pub const TABLES_F32: &str = include_str!("../../shaders/tables_f32.wgsl");
/// Scores of many queries against a block of table rows: a workgroup-tiled matrix product.
pub const SIMILARITY: &str = include_str!("../../shaders/similarity.wgsl");

/// The line that opens the block of [`NEGATIVE_SAMPLING`] that [`TABLES_F32`] replaces.
const TABLES_BEGIN: &str = "// <tables>";
/// The line that closes it.
const TABLES_END: &str = "\n// </tables>\n";

/// The training step with native float atomics: [`NEGATIVE_SAMPLING`] with its `<tables>`
/// block replaced by [`TABLES_F32`], composed once.
static NEGATIVE_SAMPLING_F32: LazyLock<String> = LazyLock::new(|| {
    let start = NEGATIVE_SAMPLING
        .find(TABLES_BEGIN)
        .expect("negative_sampling.wgsl opens a <tables> block");
    let end = NEGATIVE_SAMPLING[start..]
        .find(TABLES_END)
        .map(|at| start + at + TABLES_END.len())
        .expect("negative_sampling.wgsl closes its <tables> block");
    format!(
        "{}{}\n{}",
        &NEGATIVE_SAMPLING[..start],
        TABLES_F32,
        &NEGATIVE_SAMPLING[end..]
    )
});

/// One kernel source of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shader {
    /// `shaders/gather.wgsl`.
    Gather,
    /// `shaders/scatter_add.wgsl`.
    ScatterAdd,
    /// `shaders/scatter_add_cas.wgsl`.
    ScatterAddCas,
    /// `shaders/negative_sampling.wgsl`.
    NegativeSampling,
    /// `shaders/negative_sampling.wgsl` with `shaders/tables_f32.wgsl` as its tables.
    NegativeSamplingF32,
    /// `shaders/similarity.wgsl`.
    Similarity,
}

/// How one binding of bind group 0 is declared: what the bind group layout of a kernel is
/// built from (tests/shader_mirrors.rs checks it against the WGSL declarations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// `var<uniform>`.
    Uniform {
        /// Bound with a dynamic offset (one buffer of parameter blocks, one per dispatch).
        dynamic: bool,
    },
    /// `var<storage, read>` or `var<storage, read_write>`.
    Storage {
        /// `read` rather than `read_write`.
        read_only: bool,
    },
}

const UNIFORM: Binding = Binding::Uniform { dynamic: false };
const DYNAMIC_UNIFORM: Binding = Binding::Uniform { dynamic: true };
const READ: Binding = Binding::Storage { read_only: true };
const READ_WRITE: Binding = Binding::Storage { read_only: false };

impl Shader {
    /// Every kernel, for tests and `verify`.
    pub const ALL: [Shader; 6] = [
        Shader::Gather,
        Shader::ScatterAdd,
        Shader::ScatterAddCas,
        Shader::NegativeSampling,
        Shader::NegativeSamplingF32,
        Shader::Similarity,
    ];

    /// The file under `shaders/` the source comes from; for a composed kernel
    /// ([`Self::is_composed`]), the file swapped into another.
    pub fn file_name(self) -> &'static str {
        match self {
            Shader::Gather => "gather.wgsl",
            Shader::ScatterAdd => "scatter_add.wgsl",
            Shader::ScatterAddCas => "scatter_add_cas.wgsl",
            Shader::NegativeSampling => "negative_sampling.wgsl",
            Shader::NegativeSamplingF32 => "tables_f32.wgsl",
            Shader::Similarity => "similarity.wgsl",
        }
    }

    /// Whether the source is built from two files rather than read from one.
    pub fn is_composed(self) -> bool {
        self == Shader::NegativeSamplingF32
    }

    /// A short name for labels and messages.
    pub fn name(self) -> &'static str {
        match self {
            Shader::Gather => "gather",
            Shader::ScatterAdd => "scatter_add",
            Shader::ScatterAddCas => "scatter_add_cas",
            Shader::NegativeSampling => "negative_sampling",
            Shader::NegativeSamplingF32 => "negative_sampling_f32",
            Shader::Similarity => "similarity",
        }
    }

    /// The WGSL source.
    pub fn source(self) -> &'static str {
        match self {
            Shader::Gather => GATHER,
            Shader::ScatterAdd => SCATTER_ADD,
            Shader::ScatterAddCas => SCATTER_ADD_CAS,
            Shader::NegativeSampling => NEGATIVE_SAMPLING,
            Shader::NegativeSamplingF32 => NEGATIVE_SAMPLING_F32.as_str(),
            Shader::Similarity => SIMILARITY,
        }
    }

    /// Whether the kernel needs `Features::SHADER_FLOAT32_ATOMIC`.
    pub fn needs_float_atomics(self) -> bool {
        matches!(self, Shader::ScatterAdd | Shader::NegativeSamplingF32)
    }

    /// The bindings of group 0 that `entry` uses, as (binding number, kind), mirroring the
    /// `@group(0) @binding(n)` declarations of the file.
    pub fn bindings(self, entry: &str) -> &'static [(u32, Binding)] {
        match (self, entry) {
            (Shader::Gather | Shader::Similarity, _) => {
                &[(0, UNIFORM), (1, READ), (2, READ), (3, READ_WRITE)]
            }
            (Shader::ScatterAdd | Shader::ScatterAddCas, _) => {
                &[(0, UNIFORM), (1, READ_WRITE), (2, READ), (3, READ)]
            }
            (Shader::NegativeSampling | Shader::NegativeSamplingF32, "rng_check") => {
                &[(4, READ), (5, READ), (9, READ_WRITE)]
            }
            (Shader::NegativeSampling | Shader::NegativeSamplingF32, _) => &[
                (0, DYNAMIC_UNIFORM),
                (1, READ),
                (2, READ),
                (3, READ),
                (4, READ),
                (5, READ),
                (6, READ_WRITE),
                (7, READ_WRITE),
                (8, READ_WRITE),
            ],
        }
    }
}
