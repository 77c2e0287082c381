//! Unit tests of [`super`]: planning for devices that are not on the machine.

use super::*;

fn lavapipe() -> DeviceTraits {
    DeviceTraits {
        name: "llvmpipe".into(),
        device_type: wgpu::DeviceType::Cpu,
        float_atomics: true,
        subgroups: true,
        subgroup_min_size: 8,
        max_workgroup_size: 1024,
        workgroup_memory: 32 * 1024,
        max_storage_buffers: 32,
        loop_limit: Some(LLVMPIPE_LOOP_LIMIT),
    }
}

fn shape(model: Model, dim: usize) -> UpdateShape {
    UpdateShape {
        model,
        dim,
        window: 5,
        negative: 5,
    }
}

#[test]
fn v2_on_a_cpu_adapter_runs_8_lanes_and_bounds_the_share() {
    let options = StepOptions {
        kernel: GpuKernel::V2,
        ..StepOptions::default()
    };
    let plan = plan(&shape(Model::SkipGram, 100), &lavapipe(), &options).expect("plan");
    assert_eq!(plan.workgroup_size, 8);
    assert_eq!(
        plan.shader,
        Shader::NegativeSamplingV2(V2Blocks {
            float_atomics: true,
            subgroups: true,
            ..V2Blocks::default()
        })
    );
    let per_centre = v2_loop_iterations_per_centre(&shape(Model::SkipGram, 100), 8, 1, 1, 0);
    assert_eq!(plan.share as u64, LLVMPIPE_LOOP_LIMIT / per_centre);
    assert!(plan.share >= 2, "share {}", plan.share);
}

#[test]
fn v2_on_a_gpu_keeps_a_few_dimensions_per_lane_and_no_share_bound() {
    let gpu = DeviceTraits {
        device_type: wgpu::DeviceType::DiscreteGpu,
        subgroup_min_size: 32,
        loop_limit: None,
        ..lavapipe()
    };
    let options = StepOptions {
        kernel: GpuKernel::V2,
        ..StepOptions::default()
    };
    for (dim, wg) in [(1, 32), (100, 32), (128, 32), (300, 128)] {
        let plan = plan(&shape(Model::SkipGram, dim), &gpu, &options).expect("plan");
        assert_eq!(plan.workgroup_size, wg, "d = {dim}");
        assert_eq!(plan.share, u32::MAX);
    }
}

#[test]
fn v2_refuses_shapes_it_cannot_hold_and_names_v1() {
    let options = StepOptions {
        kernel: GpuKernel::V2,
        ..StepOptions::default()
    };
    let huge = UpdateShape {
        negative: 600,
        ..shape(Model::SkipGram, 100)
    };
    let message = plan(&huge, &lavapipe(), &options)
        .expect_err("600 negatives refused")
        .to_string();
    assert!(message.contains("--gpu-kernel v1"), "{message}");
}

#[test]
fn subwords_plan_the_second_kernel_with_their_rows_in_the_loop_bound() {
    let options = StepOptions {
        kernel: GpuKernel::V2,
        subword_rows: Some(40),
        ..StepOptions::default()
    };
    let shape = shape(Model::SkipGram, 100);
    let chosen = plan(&shape, &lavapipe(), &options).expect("plan");
    assert_eq!(
        chosen.shader,
        Shader::NegativeSamplingV2(V2Blocks {
            float_atomics: true,
            subgroups: true,
            subwords: true,
            split: false,
            tree: false,
        })
    );
    let per_centre = v2_loop_iterations_per_centre(&shape, 8, 1, 40, 0);
    assert!(per_centre > v2_loop_iterations_per_centre(&shape, 8, 1, 1, 0));
    assert_eq!(chosen.share as u64, LLVMPIPE_LOOP_LIMIT / per_centre);
    let tree = StepOptions {
        reduction: Reduction::Tree,
        atomics: Atomics::CompareExchange,
        ..options
    };
    let chosen = plan(&shape, &lavapipe(), &tree).expect("plan");
    assert_eq!(
        chosen.shader,
        Shader::NegativeSamplingV2(V2Blocks {
            subwords: true,
            ..V2Blocks::default()
        })
    );
}

#[test]
fn subwords_refuse_the_first_kernel_batch_skipgram_and_rows_beyond_the_loop_limit() {
    let v1 = StepOptions {
        subword_rows: Some(10),
        ..StepOptions::default()
    };
    let message = plan(&shape(Model::SkipGram, 100), &lavapipe(), &v1)
        .expect_err("v1 refused")
        .to_string();
    assert!(message.contains("--gpu-kernel v2"), "{message}");
    let v2 = StepOptions {
        kernel: GpuKernel::V2,
        ..v1
    };
    let message = plan(&shape(Model::BatchSkipGram, 100), &lavapipe(), &v2)
        .expect_err("batch skip-gram refused")
        .to_string();
    assert!(message.contains("batch skip-gram"), "{message}");
    // Words of 5,000 rows pass llvmpipe's loop limit within one centre: refused, naming
    // what lowers it; a GPU has no such limit.
    let long = StepOptions {
        subword_rows: Some(5_000),
        ..v2
    };
    let message = plan(&shape(Model::SkipGram, 100), &lavapipe(), &long)
        .expect_err("too many rows for llvmpipe")
        .to_string();
    assert!(message.contains("--maxn"), "{message}");
    let gpu = DeviceTraits {
        device_type: wgpu::DeviceType::DiscreteGpu,
        loop_limit: None,
        ..lavapipe()
    };
    assert!(plan(&shape(Model::SkipGram, 100), &gpu, &long).is_ok());
}

#[test]
fn hs_plans_the_second_kernel_with_its_path_in_rows_memory_and_loop_bound() {
    let options = StepOptions {
        kernel: GpuKernel::V2,
        tree_depth: Some(35),
        ..StepOptions::default()
    };
    let shape = shape(Model::SkipGram, 100);
    let chosen = plan(&shape, &lavapipe(), &options).expect("plan");
    assert_eq!(
        chosen.shader,
        Shader::NegativeSamplingV2(V2Blocks {
            float_atomics: true,
            subgroups: true,
            tree: true,
            ..V2Blocks::default()
        })
    );
    // 35 nodes and the centre with 5 negatives: 41 rows of 13 dimensions (d = 100 on 8
    // lanes) would pass the 512 private cells; 16 lanes hold them at 7.
    assert_eq!(v2_outputs(&shape, 35), 41);
    assert_eq!(chosen.workgroup_size, 16);
    let alone = UpdateShape {
        negative: 0,
        ..shape
    };
    assert_eq!(v2_outputs(&alone, 35), 35);
    let per_centre = v2_loop_iterations_per_centre(&shape, 16, 2, 1, 35);
    assert!(per_centre > v2_loop_iterations_per_centre(&shape, 16, 2, 1, 0));
    assert_eq!(chosen.share as u64, LLVMPIPE_LOOP_LIMIT / per_centre);
    // The path's two halves take workgroup memory: a device with too little for them and the
    // negatives refuses the shape by name.
    let small = DeviceTraits {
        workgroup_memory: 8 * 55 + 8 + 8 * V2_PATH_CELLS as u32 - 4,
        subgroups: false,
        ..lavapipe()
    };
    let message = plan(&shape, &small, &options)
        .expect_err("too little workgroup memory")
        .to_string();
    assert!(message.contains("workgroup memory"), "{message}");
}

#[test]
fn hs_refuses_the_first_kernel_batch_skipgram_and_deep_trees_not_subwords() {
    let v1 = StepOptions {
        tree_depth: Some(10),
        ..StepOptions::default()
    };
    let message = plan(&shape(Model::SkipGram, 100), &lavapipe(), &v1)
        .expect_err("v1 refused")
        .to_string();
    assert!(message.contains("--gpu-kernel v2"), "{message}");
    let v2 = StepOptions {
        kernel: GpuKernel::V2,
        ..v1
    };
    let message = plan(&shape(Model::BatchSkipGram, 100), &lavapipe(), &v2)
        .expect_err("batch skip-gram refused")
        .to_string();
    assert!(message.contains("batch skip-gram"), "{message}");
    let subwords = StepOptions {
        subword_rows: Some(10),
        ..v2
    };
    // fastText's -loss hs: the subword and path blocks together.
    let both = plan(&shape(Model::SkipGram, 100), &lavapipe(), &subwords).expect("planned");
    match both.shader {
        Shader::NegativeSamplingV2(blocks) => assert!(blocks.subwords && blocks.tree),
        other => panic!("{other:?}"),
    }
    let deep = StepOptions {
        tree_depth: Some(V2_PATH_CELLS as u32 + 1),
        ..v2
    };
    let message = plan(&shape(Model::SkipGram, 100), &lavapipe(), &deep)
        .expect_err("a path deeper than the kernel holds")
        .to_string();
    assert!(message.contains("a path of 65 nodes"), "{message}");
    assert!(message.contains("--backend cpu"), "{message}");
    let deepest = StepOptions {
        tree_depth: Some(V2_PATH_CELLS as u32),
        ..v2
    };
    assert!(plan(&shape(Model::SkipGram, 100), &lavapipe(), &deepest).is_ok());
}
