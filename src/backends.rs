//! Every backend the crate has, and choosing one: `--backend auto|gpu|cpu`.
//!
//! A new backend is added here: a variant of [`Device`], its arm in [`Device::backend`],
//! and, where a user picks it by name, in [`BackendChoice`].

use std::fmt;
use std::str::FromStr;

use crate::config::TrainParams;
use crate::cpu::CpuBackend;
use crate::error::Result;
use crate::gpu::{GpuBackend, GpuContext, GpuOptions};
use crate::training::Backend;

/// Where a user asks training to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendChoice {
    /// A hardware GPU if wgpu finds one, else the CPU (with a notice saying why).
    #[default]
    Auto,
    /// The GPU: any adapter, software ones included; an error if there is none.
    Gpu,
    /// The multi-threaded CPU trainer.
    Cpu,
}

impl BackendChoice {
    /// Every choice, with its name on the command line.
    pub const ALL: [(BackendChoice, &'static str); 3] = [
        (BackendChoice::Auto, "auto"),
        (BackendChoice::Gpu, "gpu"),
        (BackendChoice::Cpu, "cpu"),
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        BackendChoice::ALL
            .iter()
            .find(|(choice, _)| *choice == self)
            .map_or("auto", |(_, name)| name)
    }
}

impl FromStr for BackendChoice {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<BackendChoice, String> {
        BackendChoice::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text))
            .map(|(choice, _)| *choice)
            .ok_or_else(|| format!("{text:?} is not a backend: give auto, gpu or cpu"))
    }
}

impl fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An opened place to train, which makes the [`Backend`] of a run.
pub enum Device {
    /// The CPU's threads.
    Cpu,
    /// An open GPU.
    Gpu(Box<GpuContext>),
}

impl Device {
    /// Opens what `choice` asks for, on the adapter whose name contains `adapter` where it
    /// is a GPU. `Auto` takes a GPU only when it is hardware (a software adapter such as
    /// lavapipe trains far slower than the CPU); when it falls back to the CPU, the second
    /// value says why, for the user.
    pub fn open(choice: BackendChoice, adapter: Option<&str>) -> Result<(Device, Option<String>)> {
        Device::open_nth(choice, adapter, 0)
    }

    /// [`Device::open`], taking the `nth` of the matching GPU adapters (see
    /// [`GpuOptions::nth`]): what each rank of a distributed run opens.
    pub fn open_nth(
        choice: BackendChoice,
        adapter: Option<&str>,
        nth: usize,
    ) -> Result<(Device, Option<String>)> {
        let gpu = || {
            GpuContext::new(&GpuOptions {
                adapter: adapter.map(str::to_string),
                nth,
                ..GpuOptions::default()
            })
        };
        Ok(match choice {
            BackendChoice::Cpu => (Device::Cpu, None),
            BackendChoice::Gpu => (Device::Gpu(Box::new(gpu()?)), None),
            BackendChoice::Auto => match gpu() {
                Ok(ctx) if ctx.adapter_info.device_type != wgpu::DeviceType::Cpu => {
                    (Device::Gpu(Box::new(ctx)), None)
                }
                Ok(ctx) => (
                    Device::Cpu,
                    Some(format!(
                        "only a software GPU adapter ({}); training on the CPU (--backend gpu forces it)",
                        ctx.describe()
                    )),
                ),
                Err(error) => (Device::Cpu, Some(format!("{error}; training on the CPU"))),
            },
        })
    }

    /// The backend of a run of `params` on this device.
    pub fn backend(&self, params: &TrainParams) -> Box<dyn Backend + '_> {
        match self {
            Device::Cpu => Box::new(CpuBackend::new(params.threads)),
            Device::Gpu(ctx) => Box::new(GpuBackend::for_params(ctx, params)),
        }
    }
}
