//! Choosing where to train: `--backend cpu|gpu|auto` and `--adapter NAME`.

use clap::{Args, ValueEnum};
use vectrain::cpu::{Control, Outcome, Trained};
use vectrain::gpu::{GpuContext, GpuOptions};
use vectrain::training::Progress;
use vectrain::{Corpus, TrainParams};

/// Where training runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// A hardware GPU if wgpu finds one, else the CPU trainer (with a one-line notice).
    Auto,
    /// The GPU (any adapter, software ones included); an error if there is none.
    Gpu,
    /// The multi-threaded CPU trainer.
    Cpu,
}

/// Backend options shared by `train` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct BackendOptions {
    /// Where to train.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    pub backend: BackendArg,
    /// Use the GPU adapter whose name contains this (see `vectrain devices`).
    #[arg(long)]
    pub adapter: Option<String>,
}

/// A chosen trainer.
pub enum Trainer {
    /// The CPU trainer.
    Cpu,
    /// The GPU trainer on an open device.
    Gpu(Box<GpuContext>),
}

impl Trainer {
    /// Picks the trainer for `options`. `auto` takes a GPU only when it is real hardware:
    /// a software adapter (lavapipe, llvmpipe) trains far slower than the CPU trainer.
    pub fn choose(options: &BackendOptions) -> anyhow::Result<Trainer> {
        let gpu = || {
            GpuContext::new(&GpuOptions {
                adapter: options.adapter.clone(),
            })
        };
        Ok(match options.backend {
            BackendArg::Cpu => Trainer::Cpu,
            BackendArg::Gpu => Trainer::Gpu(Box::new(gpu()?)),
            BackendArg::Auto => match gpu() {
                Ok(ctx) if ctx.adapter_info.device_type != wgpu::DeviceType::Cpu => {
                    Trainer::Gpu(Box::new(ctx))
                }
                Ok(ctx) => {
                    eprintln!(
                        "note: only a software GPU adapter ({}); training on the CPU (--backend gpu forces it)",
                        ctx.describe()
                    );
                    Trainer::Cpu
                }
                Err(error) => {
                    eprintln!("note: {error}; training on the CPU");
                    Trainer::Cpu
                }
            },
        })
    }

    /// Trains `corpus` with `params`, resuming, checkpointing and stopping as `control` says.
    pub fn train_with(
        &self,
        corpus: &Corpus,
        params: &TrainParams,
        control: Control<'_>,
        progress: &mut dyn FnMut(&Progress),
    ) -> vectrain::Result<Outcome> {
        match self {
            Trainer::Cpu => vectrain::cpu::train_with(corpus, params, control, progress),
            Trainer::Gpu(ctx) => vectrain::gpu::train_with(ctx, corpus, params, control, progress),
        }
    }

    /// The trainer's name in checkpoints: "cpu" or "gpu".
    pub fn name(&self) -> &'static str {
        match self {
            Trainer::Cpu => "cpu",
            Trainer::Gpu(_) => "gpu",
        }
    }

    /// Trains `corpus` with `params`.
    pub fn train(
        &self,
        corpus: &Corpus,
        params: &TrainParams,
        progress: &mut dyn FnMut(&Progress),
    ) -> vectrain::Result<Trained> {
        match self {
            Trainer::Cpu => vectrain::cpu::train(corpus, params, progress),
            Trainer::Gpu(ctx) => vectrain::gpu::train(ctx, corpus, params, progress),
        }
    }
}
