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
    assert_eq!(plan.shader, Shader::NegativeSamplingV2SubgroupF32);
    let per_centre = v2_loop_iterations_per_centre(&shape(Model::SkipGram, 100), 8, 1, 1);
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
