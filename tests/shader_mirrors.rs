//! The Rust mirrors of the WGSL declarations against naga's reflection of the shaders (no GPU
//! needed): each `#[repr(C)]` params struct against the `var<uniform>` struct it fills, and
//! each kernel's bind group layout ([`Shader::bindings`]) against the globals its entry points
//! use. A mismatch here would otherwise show up as garbage parameters or a validation error on
//! a user's adapter.

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};

use bytemuck::Zeroable;
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};
use vectrain::gpu::lookup::LookupParams;
use vectrain::gpu::shaders::{Binding, Shader};
use vectrain::gpu::similarity::SimilarityParams;
use vectrain::gpu::step::StepParams;

/// One 4-byte member of a params struct, as laid out in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Member {
    name: String,
    offset: usize,
    size: usize,
    ty: String,
}

/// A struct's members in order and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Layout {
    members: Vec<Member>,
    size: usize,
}

/// A Rust field type that mirrors WGSL scalars: its scalar type and how many it holds.
trait Mirrored {
    const SCALAR: &'static str;
    const COUNT: usize;
}

impl Mirrored for u32 {
    const SCALAR: &'static str = "u32";
    const COUNT: usize = 1;
}

impl Mirrored for f32 {
    const SCALAR: &'static str = "f32";
    const COUNT: usize = 1;
}

/// WGSL forbids `array<u32, N>` of stride 4 in a uniform, so a Rust array `name: [u32; N]`
/// mirrors the members `name0` .. `name{N-1}` (the padding of every params struct).
impl<T: Mirrored, const N: usize> Mirrored for [T; N] {
    const SCALAR: &'static str = T::SCALAR;
    const COUNT: usize = N;
}

/// The members of one Rust field at `offset`.
fn field<T: Mirrored>(_: &T, name: &str, offset: usize) -> Vec<Member> {
    let size = size_of::<T>() / T::COUNT;
    (0..T::COUNT)
        .map(|i| Member {
            name: if T::COUNT == 1 {
                name.to_string()
            } else {
                format!("{name}{i}")
            },
            offset: offset + i * size,
            size,
            ty: T::SCALAR.to_string(),
        })
        .collect()
}

/// The layout of a Rust params struct from its field list. The list is a destructuring
/// pattern without `..`, so a field added to the struct and not here does not compile, and
/// `offset_of!` gives where the compiler put each one.
macro_rules! rust_layout {
    ($ty:ident { $($field:ident),* $(,)? }) => {{
        let $ty { $($field),* } = $ty::zeroed();
        let mut members =
            [$(field(&$field, stringify!($field), offset_of!($ty, $field))),*].concat();
        members.sort_by_key(|m| m.offset);
        Layout {
            members,
            size: size_of::<$ty>(),
        }
    }};
}

/// The Rust struct that fills `shader`'s uniform, by name and layout; `None` for a shader
/// without one. Exhaustive, so a new kernel must say what mirrors its parameters.
fn mirror(shader: Shader) -> Option<(&'static str, Layout)> {
    match shader {
        Shader::Gather | Shader::ScatterAdd | Shader::ScatterAddCas => Some((
            "LookupParams",
            rust_layout!(LookupParams { rows, dim, _pad }),
        )),
        Shader::NegativeSampling | Shader::NegativeSamplingF32 | Shader::NegativeSamplingV2(_) => {
            Some((
                "StepParams",
                rust_layout!(StepParams {
                    base,
                    count,
                    len,
                    key,
                    alpha,
                    dim,
                    window,
                    vocab,
                    loss_slots,
                    share,
                    counter,
                    visits,
                }),
            ))
        }
        Shader::Similarity => Some((
            "SimilarityParams",
            rust_layout!(SimilarityParams {
                queries,
                rows,
                dim,
                _pad,
            }),
        )),
    }
}

/// The shader's module as naga's WGSL front end lays it out (offsets and sizes included).
fn parse(shader: Shader) -> naga::Module {
    let source = shader.source();
    naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{}:\n{}", shader.name(), e.emit_to_string(source)))
}

/// The shader's module and naga's analysis of it (which globals each function uses),
/// validated with the capabilities vectrain may use.
fn reflect(shader: Shader) -> (naga::Module, ModuleInfo) {
    let module = parse(shader);
    let info = Validator::new(
        ValidationFlags::all(),
        Capabilities::SHADER_FLOAT32_ATOMIC | Capabilities::SUBGROUP,
    )
    .subgroup_stages(naga::valid::ShaderStages::COMPUTE)
    .subgroup_operations(naga::valid::SubgroupOperationSet::all())
    .validate(&module)
    .unwrap_or_else(|e| panic!("{}:\n{}", shader.name(), e.emit_to_string(shader.source())));
    (module, info)
}

/// The WGSL name of a scalar type, or its naga description for anything else.
fn wgsl_type(module: &naga::Module, ty: naga::Handle<naga::Type>) -> String {
    match module.types[ty].inner {
        naga::TypeInner::Scalar(scalar) => match (scalar.kind, scalar.width) {
            (naga::ScalarKind::Uint, 4) => "u32".into(),
            (naga::ScalarKind::Float, 4) => "f32".into(),
            (naga::ScalarKind::Sint, 4) => "i32".into(),
            _ => format!("{scalar:?}"),
        },
        ref other => format!("{other:?}"),
    }
}

/// The layout naga gives the struct `ty`, or what `ty` is instead.
fn wgsl_layout(
    module: &naga::Module,
    ty: naga::Handle<naga::Type>,
) -> Result<(String, Layout), String> {
    let naga::TypeInner::Struct { members, span } = &module.types[ty].inner else {
        return Err(format!("a {:?}, not a struct", module.types[ty].inner));
    };
    let name = module.types[ty].name.clone().unwrap_or_default();
    let members = members
        .iter()
        .map(|m| Member {
            name: m.name.clone().unwrap_or_default(),
            offset: m.offset as usize,
            size: module.types[m.ty].inner.size(module.to_ctx()) as usize,
            ty: wgsl_type(module, m.ty),
        })
        .collect();
    Ok((
        name,
        Layout {
            members,
            size: *span as usize,
        },
    ))
}

/// One line per member: `offset name: type (size bytes)`.
fn describe(layout: &Layout) -> String {
    let mut lines: Vec<String> = layout
        .members
        .iter()
        .map(|m| {
            format!(
                "    {:>3} {}: {} ({} bytes)",
                m.offset, m.name, m.ty, m.size
            )
        })
        .collect();
    lines.push(format!("    size {} bytes", layout.size));
    lines.join("\n")
}

/// What differs between the Rust layout and the WGSL one, member by member.
fn layout_problems(rust: &Layout, wgsl: &Layout) -> Vec<String> {
    let mut problems = Vec::new();
    for i in 0..rust.members.len().max(wgsl.members.len()) {
        match (rust.members.get(i), wgsl.members.get(i)) {
            (Some(r), Some(w)) if r == w => {}
            (Some(r), Some(w)) => problems.push(format!(
                "member {i}: Rust `{}: {}` at {} ({} bytes), WGSL `{}: {}` at {} ({} bytes)",
                r.name, r.ty, r.offset, r.size, w.name, w.ty, w.offset, w.size
            )),
            (Some(r), None) => problems.push(format!("member {i}: `{}` only in Rust", r.name)),
            (None, Some(w)) => problems.push(format!("member {i}: `{}` only in WGSL", w.name)),
            (None, None) => unreachable!("i is below one of the lengths"),
        }
    }
    if rust.size != wgsl.size {
        problems.push(format!(
            "size: {} bytes in Rust, {} in WGSL",
            rust.size, wgsl.size
        ));
    }
    problems
}

/// Panics with every problem found, one per line, when there is any.
fn report(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} mismatches\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// `StepParams` against `struct Params` of negative_sampling.wgsl (both variants),
/// `LookupParams` against gather and both scatter-adds, `SimilarityParams` against
/// similarity: same members in order, offsets, sizes and scalar types, and the same size.
#[test]
fn params_structs_match_their_wgsl_uniforms() {
    let mut problems = Vec::new();
    for shader in Shader::all() {
        // Parsed only: a struct that no longer fits its uses should be reported as a layout
        // mismatch, not as the validation error it also causes.
        let module = parse(shader);
        let uniforms: Vec<_> = module
            .global_variables
            .iter()
            .filter(|(_, var)| var.space == naga::AddressSpace::Uniform)
            .collect();
        let wgsl = match uniforms.as_slice() {
            [] => None,
            [(_, var)] => Some(var),
            _ => {
                problems.push(format!("{}: more than one uniform", shader.name()));
                continue;
            }
        };
        match (mirror(shader), wgsl) {
            (None, None) => {}
            (Some((rust_name, _)), None) => problems.push(format!(
                "{}: {rust_name} mirrors a uniform the shader does not declare",
                shader.name()
            )),
            (None, Some(var)) => problems.push(format!(
                "{}: uniform `{}` has no Rust mirror",
                shader.name(),
                var.name.as_deref().unwrap_or("?")
            )),
            (Some((rust_name, rust)), Some(var)) => match wgsl_layout(&module, var.ty) {
                Err(what) => problems.push(format!(
                    "{}: uniform `{}` is {what}",
                    shader.name(),
                    var.name.as_deref().unwrap_or("?")
                )),
                Ok((wgsl_name, wgsl)) => {
                    let found = layout_problems(&rust, &wgsl);
                    if !found.is_empty() {
                        problems.push(format!(
                            "{rust_name} against `struct {wgsl_name}` of {}:\n  {}\n  \
                             Rust:\n{}\n  WGSL:\n{}",
                            shader.name(),
                            found.join("\n  "),
                            describe(&rust),
                            describe(&wgsl)
                        ));
                    }
                }
            },
        }
    }
    report("params structs against their WGSL uniforms", &problems);
}

/// How a global is declared, in the words of [`Binding`] (a dynamic offset is a property of
/// the layout alone, so it is not compared).
fn declared(space: naga::AddressSpace) -> String {
    match space {
        naga::AddressSpace::Uniform => "uniform".into(),
        naga::AddressSpace::Storage { access } => {
            if access.contains(naga::StorageAccess::STORE) {
                "storage, read_write".into()
            } else {
                "storage, read".into()
            }
        }
        other => format!("{other:?}"),
    }
}

/// The same words for a [`Binding`] of the registry.
fn listed(binding: Binding) -> String {
    match binding {
        Binding::Uniform { .. } => "uniform".into(),
        Binding::Storage { read_only: true } => "storage, read".into(),
        Binding::Storage { read_only: false } => "storage, read_write".into(),
    }
}

/// The resources `entry` of `module` uses (directly or through the functions it calls), by
/// binding number: (group, variable name, declaration).
fn used_bindings(
    module: &naga::Module,
    info: &ModuleInfo,
    entry: usize,
) -> BTreeMap<u32, (u32, String, String)> {
    let uses = info.get_entry_point(entry);
    module
        .global_variables
        .iter()
        .filter(|&(handle, _)| !uses[handle].is_empty())
        .filter_map(|(_, var)| {
            let binding = var.binding.as_ref()?;
            let name = var.name.clone().unwrap_or_default();
            Some((binding.binding, (binding.group, name, declared(var.space))))
        })
        .collect()
}

/// For every kernel of the registry (the composed float-atomic variant included) and every
/// entry point: [`Shader::bindings`] lists exactly the group-0 resources the entry point
/// uses, each as uniform or storage and read-only or read-write as the WGSL declares it.
#[test]
fn binding_lists_match_the_globals_each_entry_point_uses() {
    let mut problems = Vec::new();
    let mut entries_checked = 0;
    for shader in Shader::all() {
        let (module, info) = reflect(shader);
        if module.entry_points.is_empty() {
            problems.push(format!("{}: no entry point", shader.name()));
        }
        for (index, entry) in module.entry_points.iter().enumerate() {
            let place = format!("{} entry `{}`", shader.name(), entry.name);
            let used = used_bindings(&module, &info, index);
            let mut expected = BTreeMap::new();
            for (number, binding) in shader.bindings(&entry.name) {
                if expected.insert(number, listed(binding)).is_some() {
                    problems.push(format!("{place}: binding {number} listed twice"));
                }
            }
            for (number, (group, name, declaration)) in &used {
                if *group != 0 {
                    problems.push(format!(
                        "{place}: `{name}` is in group {group}; the host binds only group 0"
                    ));
                }
                match expected.get(number) {
                    None => problems.push(format!(
                        "{place}: uses binding {number} (`var<{declaration}> {name}`), \
                         which the list lacks"
                    )),
                    Some(kind) if kind != declaration => problems.push(format!(
                        "{place}: binding {number} (`{name}`) is `var<{declaration}>` in \
                         WGSL, listed as `{kind}`"
                    )),
                    Some(_) => {}
                }
            }
            for (number, kind) in &expected {
                if !used.contains_key(number) {
                    problems.push(format!(
                        "{place}: lists binding {number} ({kind}), which it does not use"
                    ));
                }
            }
            entries_checked += 1;
        }
    }
    report("binding lists against the shaders", &problems);
    // gather, two scatter-adds, similarity, `main` and `rng_check` of both variants of the
    // first training kernel, and `main` of the second kernel's thirty-two variants (float
    // atomics or compare-exchange, subgroup or tree reduction, words or subwords, whole or
    // split tables, with or without a Huffman path).
    assert_eq!(entries_checked, 40, "entry points checked");
}
