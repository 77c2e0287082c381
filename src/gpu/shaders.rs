//! The shader registry: one constant per WGSL kernel in `shaders/`, and the bind group
//! layout each entry point expects.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Most storage buffers one table is split into (`tables_split.wgsl` declares this many).
pub const MAX_TABLE_PARTS: u32 = 8;

/// Batch embedding lookup.
pub const GATHER: &str = include_str!("../../shaders/gather.wgsl");
/// Gradient scatter-add with native float atomics.
pub const SCATTER_ADD: &str = include_str!("../../shaders/scatter_add.wgsl");
/// Gradient scatter-add with a compare-exchange loop (no float atomics needed).
pub const SCATTER_ADD_CAS: &str = include_str!("../../shaders/scatter_add_cas.wgsl");
/// Negative-sampling training step: skip-gram, CBOW or batch skip-gram (its `CBOW` and
/// `BATCH` overrides). A template: its `<draws>` and `<tables>` blocks are filled by
/// composition.
pub const NEGATIVE_SAMPLING: &str = include_str!("../../shaders/negative_sampling.wgsl");
/// The random draws and sigmoids of both training kernels, put in place of their `<draws>`
/// block.
pub const TRAINING_DRAWS: &str = include_str!("../../shaders/training_draws.wgsl");
/// The tables of the training steps with compare-exchange adds, put in place of the
/// `<tables>` block of [`NEGATIVE_SAMPLING`] and [`NEGATIVE_SAMPLING_V2`] by default.
pub const TABLES_CAS: &str = include_str!("../../shaders/tables_cas.wgsl");
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
/// The `<path>` block of [`NEGATIVE_SAMPLING_V2`] for `--hs`: each update scores its input
/// against the inner nodes of the centre's Huffman path first.
pub const PATH_TREE: &str = include_str!("../../shaders/path_tree.wgsl");
/// The binding of the words' Huffman paths in [`PATH_TREE`]: after every table part's.
pub const TREE_BINDING: u32 = 24;
/// The `<tables>` block of [`NEGATIVE_SAMPLING_V2`] for tables split across several bindings
/// (compare-exchange adds).
pub const TABLES_SPLIT: &str = include_str!("../../shaders/tables_split.wgsl");
/// [`TABLES_SPLIT`] on `atomic<f32>`, for adapters with float atomics.
pub const TABLES_SPLIT_F32: &str = include_str!("../../shaders/tables_split_f32.wgsl");

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
/// The random draws and sigmoids (both training kernels).
const DRAWS: Block = Block {
    begin: "// <draws>",
    end: "\n// </draws>\n",
};
/// The words' input rows (the second kernel only).
const INPUT_ROWS: Block = Block {
    begin: "// <input_rows>",
    end: "\n// </input_rows>\n",
};

/// The centre's Huffman path (the second kernel only).
const PATH: Block = Block {
    begin: "// <path>",
    end: "\n// </path>\n",
};

/// The files that replace a block, with the block each replaces and its source.
const SWAPS: [(&str, Block, &str); 8] = [
    ("training_draws.wgsl", DRAWS, TRAINING_DRAWS),
    ("tables_cas.wgsl", TABLES, TABLES_CAS),
    ("tables_f32.wgsl", TABLES, TABLES_F32),
    ("tables_split.wgsl", TABLES, TABLES_SPLIT),
    ("tables_split_f32.wgsl", TABLES, TABLES_SPLIT_F32),
    ("reduce_subgroup.wgsl", REDUCE, REDUCE_SUBGROUP),
    ("input_rows_subwords.wgsl", INPUT_ROWS, INPUT_ROWS_SUBWORDS),
    ("path_tree.wgsl", PATH, PATH_TREE),
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
    Shader::all()
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
            let base = match files[0] {
                "negative_sampling.wgsl" => NEGATIVE_SAMPLING,
                _ => NEGATIVE_SAMPLING_V2,
            };
            (shader, compose(base, &swaps))
        })
        .collect()
});

/// Which marked blocks of the second training kernel (`negative_sampling_v2.wgsl`) are
/// replaced, and by what: each flag swaps one file in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct V2Blocks {
    /// Tables on `atomic<f32>` (`tables_f32.wgsl`, or `tables_split_f32.wgsl` when split)
    /// rather than compare-exchange loops: needs `Features::SHADER_FLOAT32_ATOMIC`.
    pub float_atomics: bool,
    /// `subgroupAdd` (`reduce_subgroup.wgsl`) rather than the tree: needs
    /// `Features::SUBGROUP`.
    pub subgroups: bool,
    /// `--subwords`: each word's input is its own row and its n-grams' rows
    /// (`input_rows_subwords.wgsl`).
    pub subwords: bool,
    /// Each table split across up to [`MAX_TABLE_PARTS`] storage buffers
    /// (`tables_split.wgsl`), for tables beyond one binding.
    pub split: bool,
    /// `--hs`: each update scores against the centre's Huffman path first
    /// (`path_tree.wgsl`).
    pub tree: bool,
}

impl V2Blocks {
    /// Every combination.
    pub fn all() -> Vec<V2Blocks> {
        (0..32u8)
            .map(|bits| V2Blocks {
                float_atomics: bits & 1 != 0,
                subgroups: bits & 2 != 0,
                subwords: bits & 4 != 0,
                split: bits & 8 != 0,
                tree: bits & 16 != 0,
            })
            .collect()
    }
}

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
    /// `shaders/negative_sampling_v2.wgsl` with the blocks the flags swap.
    NegativeSamplingV2(V2Blocks),
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

/// The binding of part `part` (1 to [`MAX_TABLE_PARTS`] - 1) of the input table when split;
/// part 0 keeps binding 6. The output table's parts follow the input's.
pub fn input_part_binding(part: u32) -> u32 {
    9 + part
}

/// The binding of part `part` (1 to [`MAX_TABLE_PARTS`] - 1) of the output table when split;
/// part 0 keeps binding 7.
pub fn output_part_binding(part: u32) -> u32 {
    9 + MAX_TABLE_PARTS - 1 + part
}

impl Shader {
    /// Every kernel, for tests and `verify`.
    pub fn all() -> Vec<Shader> {
        let mut all = vec![
            Shader::Gather,
            Shader::ScatterAdd,
            Shader::ScatterAddCas,
            Shader::NegativeSampling,
            Shader::NegativeSamplingF32,
        ];
        all.extend(V2Blocks::all().into_iter().map(Shader::NegativeSamplingV2));
        all.push(Shader::Similarity);
        all
    }

    /// The files under `shaders/` the source comes from: the kernel's own file, then, for a
    /// composed kernel, the files swapped into its marked blocks.
    pub fn files(self) -> Vec<&'static str> {
        match self {
            Shader::Gather => vec!["gather.wgsl"],
            Shader::ScatterAdd => vec!["scatter_add.wgsl"],
            Shader::ScatterAddCas => vec!["scatter_add_cas.wgsl"],
            Shader::NegativeSampling => vec![
                "negative_sampling.wgsl",
                "training_draws.wgsl",
                "tables_cas.wgsl",
            ],
            Shader::NegativeSamplingF32 => vec![
                "negative_sampling.wgsl",
                "training_draws.wgsl",
                "tables_f32.wgsl",
            ],
            Shader::NegativeSamplingV2(blocks) => {
                let mut files = vec!["negative_sampling_v2.wgsl", "training_draws.wgsl"];
                match (blocks.float_atomics, blocks.split) {
                    (false, false) => files.push("tables_cas.wgsl"),
                    (true, false) => files.push("tables_f32.wgsl"),
                    (false, true) => files.push("tables_split.wgsl"),
                    (true, true) => files.push("tables_split_f32.wgsl"),
                }
                if blocks.subgroups {
                    files.push("reduce_subgroup.wgsl");
                }
                if blocks.subwords {
                    files.push("input_rows_subwords.wgsl");
                }
                if blocks.tree {
                    files.push("path_tree.wgsl");
                }
                files
            }
            Shader::Similarity => vec!["similarity.wgsl"],
        }
    }

    /// Whether the source is built from several files rather than read from one (the
    /// training kernels, whose first file is a template).
    pub fn is_composed(self) -> bool {
        self.files().len() > 1
    }

    /// The markers of the blocks a composed kernel's files replace (gone from its source).
    pub fn block_markers() -> [&'static str; 5] {
        [
            DRAWS.begin,
            TABLES.begin,
            REDUCE.begin,
            INPUT_ROWS.begin,
            PATH.begin,
        ]
    }

    /// A short name for labels and messages: the first file's stem, then the swaps.
    pub fn name(self) -> String {
        match self {
            Shader::NegativeSamplingF32 => "negative_sampling_f32".into(),
            Shader::NegativeSamplingV2(blocks) => {
                let mut name = String::from("negative_sampling_v2");
                for (on, part) in [
                    (blocks.tree, "_hs"),
                    (blocks.subwords, "_subwords"),
                    (blocks.split, "_split"),
                    (blocks.subgroups, "_subgroup"),
                    (blocks.float_atomics, "_f32"),
                ] {
                    if on {
                        name.push_str(part);
                    }
                }
                name
            }
            other => other.files()[0].trim_end_matches(".wgsl").into(),
        }
    }

    /// The WGSL source.
    pub fn source(self) -> &'static str {
        match self {
            Shader::Gather => GATHER,
            Shader::ScatterAdd => SCATTER_ADD,
            Shader::ScatterAddCas => SCATTER_ADD_CAS,
            Shader::Similarity => SIMILARITY,
            composed => COMPOSED[&composed].as_str(),
        }
    }

    /// Whether the kernel needs `Features::SHADER_FLOAT32_ATOMIC`.
    pub fn needs_float_atomics(self) -> bool {
        match self {
            Shader::ScatterAdd | Shader::NegativeSamplingF32 => true,
            Shader::NegativeSamplingV2(blocks) => blocks.float_atomics,
            _ => false,
        }
    }

    /// Whether the kernel needs `Features::SUBGROUP`.
    pub fn needs_subgroups(self) -> bool {
        matches!(self, Shader::NegativeSamplingV2(blocks) if blocks.subgroups)
    }

    /// The bindings of group 0 that `entry` uses, as (binding number, kind), mirroring the
    /// `@group(0) @binding(n)` declarations of the file.
    pub fn bindings(self, entry: &str) -> Vec<(u32, Binding)> {
        match (self, entry) {
            (Shader::Gather | Shader::Similarity, _) => {
                vec![(0, UNIFORM), (1, READ), (2, READ), (3, READ_WRITE)]
            }
            (Shader::ScatterAdd | Shader::ScatterAddCas, _) => {
                vec![(0, UNIFORM), (1, READ_WRITE), (2, READ), (3, READ)]
            }
            (Shader::NegativeSampling | Shader::NegativeSamplingF32, "rng_check") => {
                vec![(4, READ), (5, READ), (9, READ_WRITE)]
            }
            (
                Shader::NegativeSampling
                | Shader::NegativeSamplingF32
                | Shader::NegativeSamplingV2(_),
                _,
            ) => {
                let mut bindings = vec![
                    (0, DYNAMIC_UNIFORM),
                    (1, READ),
                    (2, READ),
                    (3, READ),
                    (4, READ),
                    (5, READ),
                    (6, READ_WRITE),
                    (7, READ_WRITE),
                    (8, READ_WRITE),
                ];
                if let Shader::NegativeSamplingV2(blocks) = self {
                    if blocks.subwords {
                        bindings.push((9, READ));
                    }
                    if blocks.tree {
                        bindings.push((TREE_BINDING, READ));
                    }
                    if blocks.split {
                        for part in 1..MAX_TABLE_PARTS {
                            bindings.push((input_part_binding(part), READ_WRITE));
                            bindings.push((output_part_binding(part), READ_WRITE));
                        }
                    }
                    bindings.sort_by_key(|&(number, _)| number);
                }
                bindings
            }
        }
    }
}
