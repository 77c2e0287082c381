//! Lowering the storage binding limit a device is opened with, so that tests split small
//! tables across bindings as big tables are split on any device.

use crate::error::{Error, Result};

/// The environment variable that lowers the storage binding limit a device is opened with
/// (bytes), for tests of tables split across bindings
/// ([`crate::gpu::GpuOptions::binding_limit`]).
pub const BINDING_LIMIT_VARIABLE: &str = "VECTRAIN_GPU_BINDING_LIMIT";

/// The binding limit asked for (`given`, from
/// [`crate::gpu::GpuOptions::binding_limit`]), or the one [`BINDING_LIMIT_VARIABLE`] gives.
pub fn binding_limit(given: Option<u64>) -> Result<Option<u64>> {
    if given.is_some() {
        return Ok(given);
    }
    match std::env::var(BINDING_LIMIT_VARIABLE) {
        Err(_) => Ok(None),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(bytes) if bytes >= 4 => Ok(Some(bytes)),
            _ => Err(Error::InvalidOption {
                option: "VECTRAIN_GPU_BINDING_LIMIT",
                reason: format!("{text:?} is not a number of bytes (at least 4)"),
            }),
        },
    }
}
