//! The lookup kernels against their CPU twins, and every shader validated by naga (which
//! needs no GPU).

use crate::common;

use std::path::Path;

use common::{TestRng, Tolerance, assert_close, gpu};
use vectrain::gpu::lookup::{gather_cpu, scatter_add_cpu};
use vectrain::gpu::shaders::Shader;
use vectrain::gpu::{Atomics, GpuTable, gather, scatter_add};

/// Parses and validates every `shaders/*.wgsl`, and every kernel of the registry, with naga:
/// catches shader errors on any machine.
#[test]
fn every_shader_parses_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("shaders/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
        .collect();
    files.sort();
    // Every file on disk is some kernel's, and every kernel's files are on disk.
    let mut registered: Vec<&str> = Shader::all().iter().flat_map(|s| s.files()).collect();
    registered.sort();
    registered.dedup();
    let on_disk: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(on_disk, registered, "shaders/ against the registry");
    // Every file is valid WGSL on its own but the training kernels' templates, whose
    // blocks are filled by composition (their composed sources are validated below).
    let templates: Vec<&str> = Shader::all()
        .into_iter()
        .filter(|shader| shader.is_composed())
        .map(|shader| shader.files()[0])
        .collect();
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if templates.iter().any(|t| Some(t.to_string()) == name) {
            continue;
        }
        let source = std::fs::read_to_string(path).expect("shader is readable");
        validate(&path.display().to_string(), &source);
    }
    // The registry embeds exactly these files; a composed kernel holds each swapped-in file
    // in place of the block it replaces, and validates as a whole.
    for shader in Shader::all() {
        let files = shader.files();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("registered file");
        if shader.is_composed() {
            for name in &files {
                let text = read(name);
                let own = if name == &files[0] {
                    // The base file: its text outside the replaced blocks survives.
                    text.lines().next().expect("a first line").to_string()
                } else {
                    text
                };
                assert!(shader.source().contains(&own), "{shader:?} lacks {name}");
            }
            for marker in Shader::block_markers() {
                let replaced = files[1..].iter().any(|name| {
                    // Each swapped-in file replaces exactly one block.
                    (marker.contains("tables") && name.contains("tables"))
                        || (marker.contains("reduce") && name.contains("reduce"))
                        || (marker.contains("input_rows") && name.contains("input_rows"))
                        || (marker.contains("path") && name.contains("path"))
                        || (marker.contains("draws") && name.contains("draws"))
                });
                assert!(
                    !replaced || !shader.source().contains(marker),
                    "{shader:?} kept the block {marker}"
                );
            }
            validate(&shader.name(), shader.source());
        } else {
            assert_eq!(files.len(), 1);
            assert_eq!(
                read(files[0]),
                shader.source(),
                "{} differs from the registry",
                files[0]
            );
        }
    }
}

/// Parses and validates one WGSL source with naga, with the capabilities vectrain may use
/// (float atomics included).
fn validate(name: &str, source: &str) {
    let capabilities =
        naga::valid::Capabilities::SHADER_FLOAT32_ATOMIC | naga::valid::Capabilities::SUBGROUP;
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name}:\n{}", e.emit_to_string(source)));
    naga::valid::Validator::new(naga::valid::ValidationFlags::all(), capabilities)
        .subgroup_stages(naga::valid::ShaderStages::COMPUTE)
        .subgroup_operations(naga::valid::SubgroupOperationSet::all())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name} does not validate:\n{}", e.emit_to_string(source)));
}

/// A `rows` x `dim` table of random values and `n` ids with many repeats.
fn inputs(rng: &mut TestRng, rows: u32, dim: usize, n: usize) -> (Vec<f32>, Vec<u32>) {
    let table = (0..rows as usize * dim)
        .map(|_| rng.signed_unit())
        .collect();
    let ids = (0..n).map(|_| rng.below(rows)).collect();
    (table, ids)
}

#[test]
fn gather_matches_cpu() {
    let Some(ctx) = gpu() else { return };
    let mut rng = TestRng(1);
    // Sizes that do not divide the workgroup (256), dimensions 1, 3, 100, 300.
    for (rows, dim, n) in [
        (7, 1, 1001),
        (50, 3, 333),
        (40, 100, 257),
        (9, 300, 100),
        (5, 3, 0),
    ] {
        let (table, ids) = inputs(&mut rng, rows, dim, n);
        let gpu_table = GpuTable::upload(ctx, &table, dim).expect("upload");
        let got = gather(ctx, &gpu_table, &ids).expect("gather");
        // A gather copies bits: exact.
        assert_close(
            &format!("gather rows={rows} dim={dim} n={n}"),
            &got,
            &gather_cpu(&table, dim, &ids),
            Tolerance::EXACT,
        );
    }
}

#[test]
fn gather_rejects_out_of_range_ids() {
    let Some(ctx) = gpu() else { return };
    let table = GpuTable::upload(ctx, &[0.0; 6], 3).expect("upload");
    assert!(gather(ctx, &table, &[0, 2]).is_err());
}

/// Values that are multiples of 1/1024 in [-1, 1): every partial sum of at most a few
/// thousand of them is exact in f32 (24-bit significand, < 2^13 * 2^10), so the result does
/// not depend on the order of the atomic additions and must equal the CPU's bit for bit.
fn binary_fractions(rng: &mut TestRng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| (rng.below(2048) as f32 - 1024.0) / 1024.0)
        .collect()
}

fn scatter_case(atomics: Atomics) {
    let Some(ctx) = gpu() else { return };
    if atomics == Atomics::NativeFloat && !ctx.float_atomics {
        // Without the feature the native kernel cannot run: asking for it must be a clear
        // error, not a validation panic (the GL run of CI takes this branch).
        let table = GpuTable::upload(ctx, &[0.0; 4], 2).expect("upload");
        let error = scatter_add(ctx, &table, &[1], &[1.0, 2.0], atomics).unwrap_err();
        assert!(error.to_string().contains("atomic"), "{error}");
        eprintln!(
            "{} has no float atomics: refused as it should be",
            ctx.describe()
        );
        return;
    }
    let mut rng = TestRng(2);
    for (rows, dim, n) in [(3, 1, 1001), (50, 3, 333), (20, 100, 257), (4, 300, 77)] {
        let table = binary_fractions(&mut rng, rows as usize * dim);
        let ids: Vec<u32> = (0..n).map(|_| rng.below(rows)).collect();
        let grads = binary_fractions(&mut rng, n * dim);
        let gpu_table = GpuTable::upload(ctx, &table, dim).expect("upload");
        scatter_add(ctx, &gpu_table, &ids, &grads, atomics).expect("scatter-add");
        let got = gpu_table.read(ctx).expect("read back");
        let mut expected = table.clone();
        scatter_add_cpu(&mut expected, dim, &ids, &grads);
        assert_close(
            &format!("scatter-add {atomics:?} rows={rows} dim={dim} n={n}"),
            &got,
            &expected,
            Tolerance::EXACT,
        );
    }
}

#[test]
fn scatter_add_native_matches_cpu() {
    scatter_case(Atomics::NativeFloat);
}

#[test]
fn scatter_add_compare_exchange_matches_cpu() {
    scatter_case(Atomics::CompareExchange);
}
