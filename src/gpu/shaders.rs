//! The shader registry: one constant per WGSL kernel in `shaders/`, and the bind group
//! layout each entry point expects.

/// Batch embedding lookup.
pub const GATHER: &str = include_str!("../../shaders/gather.wgsl");
/// Gradient scatter-add with native float atomics.
pub const SCATTER_ADD: &str = include_str!("../../shaders/scatter_add.wgsl");
/// Gradient scatter-add with a compare-exchange loop (no float atomics needed).
pub const SCATTER_ADD_CAS: &str = include_str!("../../shaders/scatter_add_cas.wgsl");
/// Negative-sampling training step, skip-gram or CBOW (its `CBOW` override).
pub const NEGATIVE_SAMPLING: &str = include_str!("../../shaders/negative_sampling.wgsl");
/// Scores of many queries against a block of table rows: a workgroup-tiled matrix product.
pub const SIMILARITY: &str = include_str!("../../shaders/similarity.wgsl");

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
    /// `shaders/similarity.wgsl`.
    Similarity,
}

/// How one binding of bind group 0 is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    /// `var<uniform>`; `dynamic` when bound with a dynamic offset.
    Uniform { dynamic: bool },
    /// `var<storage, read>` or `var<storage, read_write>`.
    Storage { read_only: bool },
}

const UNIFORM: Binding = Binding::Uniform { dynamic: false };
const DYNAMIC_UNIFORM: Binding = Binding::Uniform { dynamic: true };
const READ: Binding = Binding::Storage { read_only: true };
const READ_WRITE: Binding = Binding::Storage { read_only: false };

impl Shader {
    /// Every kernel, for tests and `verify`.
    pub const ALL: [Shader; 5] = [
        Shader::Gather,
        Shader::ScatterAdd,
        Shader::ScatterAddCas,
        Shader::NegativeSampling,
        Shader::Similarity,
    ];

    /// The file name under `shaders/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Shader::Gather => "gather.wgsl",
            Shader::ScatterAdd => "scatter_add.wgsl",
            Shader::ScatterAddCas => "scatter_add_cas.wgsl",
            Shader::NegativeSampling => "negative_sampling.wgsl",
            Shader::Similarity => "similarity.wgsl",
        }
    }

    /// A short name for labels and messages.
    pub fn name(self) -> &'static str {
        match self {
            Shader::Gather => "gather",
            Shader::ScatterAdd => "scatter_add",
            Shader::ScatterAddCas => "scatter_add_cas",
            Shader::NegativeSampling => "negative_sampling",
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
            Shader::Similarity => SIMILARITY,
        }
    }

    /// Whether the kernel needs `Features::SHADER_FLOAT32_ATOMIC`.
    pub fn needs_float_atomics(self) -> bool {
        self == Shader::ScatterAdd
    }

    /// The bindings of group 0 that `entry` uses, as (binding number, kind), mirroring the
    /// `@group(0) @binding(n)` declarations of the file.
    pub(crate) fn bindings(self, entry: &str) -> &'static [(u32, Binding)] {
        match (self, entry) {
            (Shader::Gather | Shader::Similarity, _) => {
                &[(0, UNIFORM), (1, READ), (2, READ), (3, READ_WRITE)]
            }
            (Shader::ScatterAdd | Shader::ScatterAddCas, _) => {
                &[(0, UNIFORM), (1, READ_WRITE), (2, READ), (3, READ)]
            }
            (Shader::NegativeSampling, "rng_check") => &[(4, READ), (5, READ), (9, READ_WRITE)],
            (Shader::NegativeSampling, _) => &[
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
