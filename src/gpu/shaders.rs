//! The shader registry: one constant per WGSL kernel in `shaders/`, and the bind group
//! layout each entry point expects.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::config::GpuKernel;

/// Batch embedding lookup.
pub const GATHER: &str = include_str!("../../shaders/gather.wgsl");
/// Gradient scatter-add with native float atomics.
pub const SCATTER_ADD: &str = include_str!("../../shaders/scatter_add.wgsl");
/// Gradient scatter-add with a compare-exchange loop (no float atomics needed).
pub const SCATTER_ADD_CAS: &str = include_str!("../../shaders/scatter_add_cas.wgsl");
/// Negative-sampling training step: skip-gram, CBOW or batch skip-gram (its `CBOW` and
/// `BATCH` overrides).
pub const NEGATIVE_SAMPLING: &str = include_str!("../../shaders/negative_sampling.wgsl");
/// The tables of the training steps on `atomic<f32>`, put in place of the `<tables>` block of
/// [`NEGATIVE_SAMPLING`] and [`NEGATIVE_SAMPLING_V2`] on adapters with float atomics.
pub const TABLES_F32: &str = include_str!("../../shaders/tables_f32.wgsl");
/// Scores of many queries against a block of table rows: a workgroup-tiled matrix product.
pub const SIMILARITY: &str = include_str!("../../shaders/similarity.wgsl");

/// Negative-sampling training step, second kernel: persistent workgroups, rows kept in
/// registers, negatives drawn once per centre, a tree reduction in its `<reduce>` block.
pub const NEGATIVE_SAMPLING_V2: &str = include_str!("../../shaders/negative_sampling_v2.wgsl");
/// The `<reduce>` block of [`NEGATIVE_SAMPLING_V2`] on `subgroupAdd`, for adapters with
/// subgroups.
pub const REDUCE_SUBGROUP: &str = include_str!("../../shaders/reduce_subgroup.wgsl");
/// The `<input_rows>` block of [`NEGATIVE_SAMPLING_V2`] for `--subwords`: each word's input
/// is its own row and its character n-grams' rows.
pub const INPUT_ROWS_SUBWORDS: &str = include_str!("../../shaders/input_rows_subwords.wgsl");

/// A marked block of a kernel source that another file replaces: the opening line's start
/// and the closing line, newlines included.
#[derive(Clone, Copy, Debug)]
struct Block {
    begin: &'static str,
    end: &'static str,
}

/// The tables' declarations and their load and add functions.
const TABLES: Block = Block {
    begin: "// <tables>",
    end: "\n// </tables>\n",
};
/// The reduction over a workgroup's lanes (the second kernel only).
const REDUCE: Block = Block {
    begin: "// <reduce>",
    end: "\n// </reduce>\n",
};

/// The words' input rows (the second kernel only).
const INPUT_ROWS: Block = Block {
    begin: "// <input_rows>",
    end: "\n// </input_rows>\n",
};

/// The files that replace a block, with the block each replaces.
const SWAPS: [(&str, Block, &str); 3] = [
    ("tables_f32.wgsl", TABLES, TABLES_F32),
    ("reduce_subgroup.wgsl", REDUCE, REDUCE_SUBGROUP),
    ("input_rows_subwords.wgsl", INPUT_ROWS, INPUT_ROWS_SUBWORDS),
];

/// `base` with each block replaced, through its closing marker, by its file.
fn compose(base: &str, swaps: &[(Block, &str)]) -> String {
    let mut source = base.to_string();
    for (block, replacement) in swaps {
        // The registry's own files carry their markers (tests/gpu_kernels.rs checks every
        // composition), so a missing one is a build of broken sources, not bad input.
        let start = source
            .find(block.begin)
            .expect("the kernel source opens the block it composes");
        let end = source[start..]
            .find(block.end)
            .map(|at| start + at + block.end.len())
            .expect("the kernel source closes the block it composes");
        source = format!("{}{}\n{}", &source[..start], replacement, &source[end..]);
    }
    source
}

/// Every composed kernel's source, composed once: its first file with each later file put in
/// place of the block that file replaces.
static COMPOSED: LazyLock<HashMap<Shader, String>> = LazyLock::new(|| {
    Shader::ALL
        .into_iter()
        .filter(|shader| shader.is_composed())
        .map(|shader| {
            let files = shader.files();
            let swaps: Vec<(Block, &str)> = files[1..]
                .iter()
                .map(|file| {
                    let (_, block, source) = SWAPS
                        .iter()
                        .find(|(name, _, _)| name == file)
                        .expect("every swapped file of the registry has a block");
                    (*block, *source)
                })
                .collect();
            let base = Shader::ALL
                .into_iter()
                .find(|base| base.files() == [files[0]])
                .expect("every composed kernel's first file is a kernel of its own");
            (shader, compose(base.source(), &swaps))
        })
        .collect()
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
    /// `shaders/negative_sampling_v2.wgsl`.
    NegativeSamplingV2,
    /// `shaders/negative_sampling_v2.wgsl` with `shaders/tables_f32.wgsl` as its tables.
    NegativeSamplingV2F32,
    /// `shaders/negative_sampling_v2.wgsl` with `shaders/reduce_subgroup.wgsl` as its
    /// reduction.
    NegativeSamplingV2Subgroup,
    /// `shaders/negative_sampling_v2.wgsl` with both swaps.
    NegativeSamplingV2SubgroupF32,
    /// `shaders/negative_sampling_v2.wgsl` with `shaders/input_rows_subwords.wgsl` as its
    /// input rows (`--subwords`).
    NegativeSamplingV2Subwords,
    /// [`Shader::NegativeSamplingV2Subwords`] with `shaders/tables_f32.wgsl` as its tables.
    NegativeSamplingV2SubwordsF32,
    /// [`Shader::NegativeSamplingV2Subwords`] with `shaders/reduce_subgroup.wgsl` as its
    /// reduction.
    NegativeSamplingV2SubwordsSubgroup,
    /// [`Shader::NegativeSamplingV2Subwords`] with all three swaps.
    NegativeSamplingV2SubwordsSubgroupF32,
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
    pub const ALL: [Shader; 14] = [
        Shader::Gather,
        Shader::ScatterAdd,
        Shader::ScatterAddCas,
        Shader::NegativeSampling,
        Shader::NegativeSamplingF32,
        Shader::NegativeSamplingV2,
        Shader::NegativeSamplingV2F32,
        Shader::NegativeSamplingV2Subgroup,
        Shader::NegativeSamplingV2SubgroupF32,
        Shader::NegativeSamplingV2Subwords,
        Shader::NegativeSamplingV2SubwordsF32,
        Shader::NegativeSamplingV2SubwordsSubgroup,
        Shader::NegativeSamplingV2SubwordsSubgroupF32,
        Shader::Similarity,
    ];

    /// The training kernel of `kernel`, with native float atomics (`native`) or
    /// compare-exchange, and, for the second kernel, reducing with subgroups or a tree (the
    /// first kernel has one reduction: `subgroups` is ignored there).
    pub fn training(kernel: GpuKernel, native: bool, subgroups: bool) -> Shader {
        match (kernel, native, subgroups) {
            (GpuKernel::V1, false, _) => Shader::NegativeSampling,
            (GpuKernel::V1, true, _) => Shader::NegativeSamplingF32,
            (GpuKernel::V2, false, false) => Shader::NegativeSamplingV2,
            (GpuKernel::V2, true, false) => Shader::NegativeSamplingV2F32,
            (GpuKernel::V2, false, true) => Shader::NegativeSamplingV2Subgroup,
            (GpuKernel::V2, true, true) => Shader::NegativeSamplingV2SubgroupF32,
        }
    }

    /// The second kernel for `--subwords` (the first has no subword form), with native
    /// float atomics (`native`) or compare-exchange, reducing with subgroups or a tree.
    pub fn subword_training(native: bool, subgroups: bool) -> Shader {
        match (native, subgroups) {
            (false, false) => Shader::NegativeSamplingV2Subwords,
            (true, false) => Shader::NegativeSamplingV2SubwordsF32,
            (false, true) => Shader::NegativeSamplingV2SubwordsSubgroup,
            (true, true) => Shader::NegativeSamplingV2SubwordsSubgroupF32,
        }
    }

    /// The files under `shaders/` the source comes from: the kernel's own file, then, for a
    /// composed kernel, the files swapped into its marked blocks.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Shader::Gather => &["gather.wgsl"],
            Shader::ScatterAdd => &["scatter_add.wgsl"],
            Shader::ScatterAddCas => &["scatter_add_cas.wgsl"],
            Shader::NegativeSampling => &["negative_sampling.wgsl"],
            Shader::NegativeSamplingF32 => &["negative_sampling.wgsl", "tables_f32.wgsl"],
            Shader::NegativeSamplingV2 => &["negative_sampling_v2.wgsl"],
            Shader::NegativeSamplingV2F32 => &["negative_sampling_v2.wgsl", "tables_f32.wgsl"],
            Shader::NegativeSamplingV2Subgroup => {
                &["negative_sampling_v2.wgsl", "reduce_subgroup.wgsl"]
            }
            Shader::NegativeSamplingV2SubgroupF32 => &[
                "negative_sampling_v2.wgsl",
                "tables_f32.wgsl",
                "reduce_subgroup.wgsl",
            ],
            Shader::NegativeSamplingV2Subwords => {
                &["negative_sampling_v2.wgsl", "input_rows_subwords.wgsl"]
            }
            Shader::NegativeSamplingV2SubwordsF32 => &[
                "negative_sampling_v2.wgsl",
                "tables_f32.wgsl",
                "input_rows_subwords.wgsl",
            ],
            Shader::NegativeSamplingV2SubwordsSubgroup => &[
                "negative_sampling_v2.wgsl",
                "reduce_subgroup.wgsl",
                "input_rows_subwords.wgsl",
            ],
            Shader::NegativeSamplingV2SubwordsSubgroupF32 => &[
                "negative_sampling_v2.wgsl",
                "tables_f32.wgsl",
                "reduce_subgroup.wgsl",
                "input_rows_subwords.wgsl",
            ],
            Shader::Similarity => &["similarity.wgsl"],
        }
    }

    /// Whether the source is built from several files rather than read from one.
    pub fn is_composed(self) -> bool {
        self.files().len() > 1
    }

    /// The markers of the blocks a composed kernel's files replace (gone from its source).
    pub fn block_markers() -> [&'static str; 3] {
        [TABLES.begin, REDUCE.begin, INPUT_ROWS.begin]
    }

    /// A short name for labels and messages.
    pub fn name(self) -> &'static str {
        match self {
            Shader::Gather => "gather",
            Shader::ScatterAdd => "scatter_add",
            Shader::ScatterAddCas => "scatter_add_cas",
            Shader::NegativeSampling => "negative_sampling",
            Shader::NegativeSamplingF32 => "negative_sampling_f32",
            Shader::NegativeSamplingV2 => "negative_sampling_v2",
            Shader::NegativeSamplingV2F32 => "negative_sampling_v2_f32",
            Shader::NegativeSamplingV2Subgroup => "negative_sampling_v2_subgroup",
            Shader::NegativeSamplingV2SubgroupF32 => "negative_sampling_v2_subgroup_f32",
            Shader::NegativeSamplingV2Subwords => "negative_sampling_v2_subwords",
            Shader::NegativeSamplingV2SubwordsF32 => "negative_sampling_v2_subwords_f32",
            Shader::NegativeSamplingV2SubwordsSubgroup => "negative_sampling_v2_subwords_subgroup",
            Shader::NegativeSamplingV2SubwordsSubgroupF32 => {
                "negative_sampling_v2_subwords_subgroup_f32"
            }
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
            Shader::NegativeSamplingV2 => NEGATIVE_SAMPLING_V2,
            Shader::Similarity => SIMILARITY,
            composed => COMPOSED[&composed].as_str(),
        }
    }

    /// Whether the kernel needs `Features::SHADER_FLOAT32_ATOMIC`.
    pub fn needs_float_atomics(self) -> bool {
        self == Shader::ScatterAdd || self.files().contains(&"tables_f32.wgsl")
    }

    /// Whether the kernel needs `Features::SUBGROUP`.
    pub fn needs_subgroups(self) -> bool {
        self.files().contains(&"reduce_subgroup.wgsl")
    }

    /// Whether the kernel trains subword inputs (binds each word's rows).
    pub fn has_subwords(self) -> bool {
        self.files().contains(&"input_rows_subwords.wgsl")
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
            (
                Shader::NegativeSamplingV2Subwords
                | Shader::NegativeSamplingV2SubwordsF32
                | Shader::NegativeSamplingV2SubwordsSubgroup
                | Shader::NegativeSamplingV2SubwordsSubgroupF32,
                _,
            ) => &[
                (0, DYNAMIC_UNIFORM),
                (1, READ),
                (2, READ),
                (3, READ),
                (4, READ),
                (5, READ),
                (6, READ_WRITE),
                (7, READ_WRITE),
                (8, READ_WRITE),
                (9, READ),
            ],
            (
                Shader::NegativeSampling
                | Shader::NegativeSamplingF32
                | Shader::NegativeSamplingV2
                | Shader::NegativeSamplingV2F32
                | Shader::NegativeSamplingV2Subgroup
                | Shader::NegativeSamplingV2SubgroupF32,
                _,
            ) => &[
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
