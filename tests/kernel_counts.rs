//! Static counts of the training kernels, read off naga's IR of the WGSL: the places where
//! one update loads table cells, adds to tables atomically, and waits at a barrier, for the
//! first kernel against the second. A site counts once for each call path that reaches it
//! from the update's function (loops not unrolled): the README turns these sites into
//! per-update counts, the model's input, and this test fails when a kernel change moves
//! them, so the README and the model are updated with the kernel.

use std::collections::HashMap;

use naga::{Expression, Function, Handle, Module, Statement};
use vectrain::gpu::shaders::{Shader, V2Blocks};

/// The second kernel with float atomics (tree reduction, word vectors, unsplit tables).
const V2_F32: Shader = Shader::NegativeSamplingV2(V2Blocks {
    float_atomics: true,
    subgroups: false,
    subwords: false,
    split: false,
    tree: false,
});
/// [`V2_F32`] reducing with subgroups.
const V2_SUBGROUP_F32: Shader = Shader::NegativeSamplingV2(V2Blocks {
    float_atomics: true,
    subgroups: true,
    subwords: false,
    split: false,
    tree: false,
});
/// [`V2_F32`] with a Huffman path before the other outputs (`--hs`).
const V2_HS_F32: Shader = Shader::NegativeSamplingV2(V2Blocks {
    float_atomics: true,
    subgroups: false,
    subwords: false,
    split: false,
    tree: true,
});
/// [`V2_F32`] with subword inputs.
const V2_SUBWORDS_F32: Shader = Shader::NegativeSamplingV2(V2Blocks {
    float_atomics: true,
    subgroups: false,
    subwords: true,
    split: false,
    tree: false,
});

/// Sites reached from one function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sites {
    /// Loads of the embedding tables (`input`, `output`).
    table_loads: u32,
    /// Loads of the sampling tables (`thresholds`, `aliases`): the negatives' draws.
    sampler_loads: u32,
    /// Atomic read-modify-write statements (adds, compare-exchanges).
    atomics: u32,
    /// Workgroup barriers, `workgroupUniformLoad` included.
    barriers: u32,
}

impl std::ops::AddAssign for Sites {
    fn add_assign(&mut self, other: Sites) {
        self.table_loads += other.table_loads;
        self.sampler_loads += other.sampler_loads;
        self.atomics += other.atomics;
        self.barriers += other.barriers;
    }
}

/// The global a pointer expression is rooted at, if any.
fn root(
    function: &Function,
    mut pointer: Handle<Expression>,
) -> Option<Handle<naga::GlobalVariable>> {
    loop {
        match function.expressions[pointer] {
            Expression::Access { base, .. } | Expression::AccessIndex { base, .. } => {
                pointer = base
            }
            Expression::GlobalVariable(global) => return Some(global),
            _ => return None,
        }
    }
}

struct Counter<'a> {
    module: &'a Module,
    memo: HashMap<Handle<Function>, Sites>,
}

impl Counter<'_> {
    fn function(&mut self, handle: Handle<Function>) -> Sites {
        if let Some(sites) = self.memo.get(&handle) {
            return *sites;
        }
        let function = &self.module.functions[handle];
        let mut sites = Sites::default();
        for (_, expression) in function.expressions.iter() {
            if let Expression::Load { pointer } = *expression {
                let name = root(function, pointer)
                    .and_then(|g| self.module.global_variables[g].name.as_deref());
                match name {
                    Some("input" | "output") => sites.table_loads += 1,
                    Some("thresholds" | "aliases") => sites.sampler_loads += 1,
                    _ => {}
                }
            }
        }
        sites += self.block(&function.body);
        self.memo.insert(handle, sites);
        sites
    }

    fn block(&mut self, block: &naga::Block) -> Sites {
        let mut sites = Sites::default();
        for statement in block.iter() {
            match statement {
                Statement::Block(inner) => sites += self.block(inner),
                Statement::If { accept, reject, .. } => {
                    sites += self.block(accept);
                    sites += self.block(reject);
                }
                Statement::Switch { cases, .. } => {
                    for case in cases {
                        sites += self.block(&case.body);
                    }
                }
                Statement::Loop {
                    body, continuing, ..
                } => {
                    sites += self.block(body);
                    sites += self.block(continuing);
                }
                Statement::Call { function, .. } => sites += self.function(*function),
                Statement::Atomic { .. } => sites.atomics += 1,
                Statement::ControlBarrier(_) | Statement::WorkGroupUniformLoad { .. } => {
                    sites.barriers += 1
                }
                _ => {}
            }
        }
        sites
    }
}

/// The sites reached from function `name` of `shader` (an entry point's name for its body).
fn sites(shader: Shader, name: &str) -> Sites {
    let module = naga::front::wgsl::parse_str(shader.source()).expect("the shader parses");
    let mut counter = Counter {
        module: &module,
        memo: HashMap::new(),
    };
    if let Some(entry) = module.entry_points.iter().find(|e| e.name == name) {
        let mut sites = Sites::default();
        sites += counter.block(&entry.function.body);
        return sites;
    }
    let (handle, _) = module
        .functions
        .iter()
        .find(|(_, f)| f.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{} has no function {name}", shader.name()));
    counter.function(handle)
}

/// One skip-gram update of the first kernel (`update`, which also trains CBOW) against the
/// second's (`skipgram_update`): the second loads each row once (x and each output row: two
/// table-load sites against the first's four, x and the outputs each loaded for the dot
/// products and again for the scatter), draws no negatives inside the update (they are
/// drawn once per centre), and has no barrier of its own: only its reduction's. The atomic
/// adds are the same (one per output row and one for x, per dimension), and each is a
/// compare-exchange loop here (the float-atomic variant has one `atomicAdd` instead).
/// The sites of `function` in `shader`, printed for the README.
fn report(shader: Shader, function: &str) -> Sites {
    let found = sites(shader, function);
    eprintln!("{} {function}: {found:?}", shader.name());
    found
}

/// One update of the first kernel (`update`: skip-gram and CBOW; `batch_update`) against
/// the second's (`skipgram_update`, `cbow_update`, `batch_update`), float-atomic variants
/// (in the compare-exchange ones each add also loads its cell first). The second loads x
/// and each output row once, at two sites (`load_x`/the context rows, `load_outputs`),
/// where the first loads them for the dot products and again for the scatter (six sites
/// for `update`, x through `input_element` twice); draws no negatives inside the update
/// (they are drawn once per centre, in `draw_negatives`); and has no barrier of its own,
/// only its reduction's: two sites for the tree (after the partials are written, and one
/// per level above 8 lanes: run 1 time per round up to 8 lanes, 2 up to 64), one for
/// subgroups (run only where a workgroup holds several subgroups). The first has four
/// (the negatives' ids, then two per group of reduced dot products, and the reduction's).
/// The atomic adds are the same: to each output row and to x (per dimension).
#[test]
fn one_update_loads_each_row_once_in_the_second_kernel() {
    let v1 = report(Shader::NegativeSamplingF32, "update");
    let v1_batch = report(Shader::NegativeSamplingF32, "batch_update");
    assert_eq!(
        (v1.table_loads, v1.sampler_loads, v1.atomics, v1.barriers),
        (6, 2, 3, 4)
    );
    assert_eq!(
        (
            v1_batch.table_loads,
            v1_batch.sampler_loads,
            v1_batch.barriers
        ),
        (4, 2, 3)
    );
    for function in ["skipgram_update", "cbow_update", "batch_update"] {
        let tree = report(V2_F32, function);
        let subgroups = report(V2_SUBGROUP_F32, function);
        assert_eq!(
            (
                tree.table_loads,
                tree.sampler_loads,
                tree.atomics,
                tree.barriers
            ),
            (2, 0, 2, 2),
            "{function}"
        );
        assert_eq!(
            (subgroups.table_loads, subgroups.barriers),
            (2, 1),
            "{function}"
        );
    }
    assert_eq!(report(V2_F32, "reduce").barriers, 2);
    assert_eq!(report(V2_SUBGROUP_F32, "reduce").barriers, 1);
}

/// The whole entry points: the second kernel's negatives are drawn at one place
/// (`draw_negatives`, spread over the lanes once per centre) where the first draws in each
/// update function; its extra atomics are the centre counter and the (test-only) visit
/// count.
#[test]
fn entry_points() {
    let v1 = report(Shader::NegativeSamplingF32, "main");
    let v2 = report(V2_F32, "main");
    let draws = report(V2_F32, "draw_negatives");
    assert_eq!((draws.sampler_loads, draws.barriers), (4, 0));
    assert_eq!(v2.sampler_loads, draws.sampler_loads);
    assert!(v2.table_loads < v1.table_loads, "{v2:?} against {v1:?}");
}

/// The subword kernel has the same sites per update as the word kernel it is composed from:
/// a word's rows are read at the same two table-load sites (one per row at run time: a word
/// of n rows costs n row loads where a word costs one) and its gradient added at the same
/// atomic site.
#[test]
fn the_subword_kernel_keeps_the_sites_of_an_update() {
    for function in ["skipgram_update", "cbow_update"] {
        let words = report(V2_F32, function);
        let subwords = report(V2_SUBWORDS_F32, function);
        assert_eq!(words, subwords, "{function}");
    }
}

/// The hierarchical-softmax kernel has the same sites per update too: a path node's output
/// row is loaded and added to at the same sites as the centre's and the negatives' (one row
/// per output at run time), and the path itself is copied from its own buffer once per
/// centre, before the update, into workgroup memory, as the negatives are drawn.
#[test]
fn the_hierarchical_softmax_kernel_keeps_the_sites_of_an_update() {
    for function in ["skipgram_update", "cbow_update"] {
        let words = report(V2_F32, function);
        let hs = report(V2_HS_F32, function);
        assert_eq!(words, hs, "{function}");
    }
}
