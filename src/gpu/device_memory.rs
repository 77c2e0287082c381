//! How much memory a device has, so that a run too big for it is refused before anything is
//! allocated, with the sizes and the options that shrink it.
//!
//! wgpu has no portable memory query. On Vulkan the adapter's device-local heaps are read
//! through wgpu-hal (`vkGetPhysicalDeviceMemoryProperties`): their total is the most the device
//! can hold. Other backends report nothing and the check passes, leaving wgpu's own
//! out-of-memory error. `VECTRAIN_GPU_MEMORY` (bytes) overrides the figure, for tests and for
//! users who share a device.

use crate::error::{Error, Result};
use crate::units::human_bytes;

/// The environment variable that overrides the device memory, in bytes.
pub const OVERRIDE_VARIABLE: &str = "VECTRAIN_GPU_MEMORY";

/// The options that lower what a run needs on the device, named in the refusal.
const SHRINK_HINT: &str =
    "lower --dim, --max-vocab (or raise --min-count), or --bucket with --subwords";

/// Device-local memory of `adapter` in bytes: the override when set, else the sum of its
/// device-local heaps where the backend says (Vulkan), else `None`.
pub fn device_memory(adapter: &wgpu::Adapter) -> Option<u64> {
    if let Ok(text) = std::env::var(OVERRIDE_VARIABLE) {
        if let Ok(bytes) = text.trim().parse::<u64>() {
            return Some(bytes);
        }
    }
    vulkan_device_local_bytes(adapter)
}

#[cfg(all(not(target_arch = "wasm32"), not(target_vendor = "apple")))]
fn vulkan_device_local_bytes(adapter: &wgpu::Adapter) -> Option<u64> {
    // VK_MEMORY_HEAP_DEVICE_LOCAL_BIT.
    const DEVICE_LOCAL: u32 = 0x1;
    // SAFETY: the hal adapter is only read (its physical device's memory properties, a query
    // with no side effect) while the guard keeps it alive; nothing is created or destroyed.
    let hal = unsafe { adapter.as_hal::<wgpu::hal::api::Vulkan>() }?;
    let instance = hal.shared_instance().raw_instance();
    // SAFETY: the physical device belongs to this instance, which outlives the call.
    let properties =
        unsafe { instance.get_physical_device_memory_properties(hal.raw_physical_device()) };
    let heaps = &properties.memory_heaps[..properties.memory_heap_count as usize];
    let total: u64 = heaps
        .iter()
        .filter(|heap| heap.flags.as_raw() & DEVICE_LOCAL != 0)
        .map(|heap| heap.size)
        .sum();
    (total > 0).then_some(total)
}

#[cfg(not(all(not(target_arch = "wasm32"), not(target_vendor = "apple"))))]
fn vulkan_device_local_bytes(_adapter: &wgpu::Adapter) -> Option<u64> {
    None
}

/// Refuses with [`Error::DeviceMemory`] when `needed` bytes are more than `available` (where
/// known); `details` says what the bytes are for.
pub fn check_device_memory(needed: u64, available: Option<u64>, details: String) -> Result<()> {
    match available {
        Some(available) if needed > available => Err(Error::DeviceMemory {
            needed,
            available,
            details,
            hint: SHRINK_HINT,
        }),
        _ => Ok(()),
    }
}

/// "N for the tables, M for the rest": the details of a training run's refusal.
pub fn training_details(tables: u64, rest: u64) -> String {
    format!(
        "{} for the two embedding tables, {} for sampling tables and batches",
        human_bytes(tables),
        human_bytes(rest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_names_both_sizes_and_the_options() {
        assert!(check_device_memory(10, None, String::new()).is_ok());
        assert!(check_device_memory(10, Some(10), String::new()).is_ok());
        let message = check_device_memory(3 << 30, Some(1 << 30), training_details(3 << 30, 0))
            .unwrap_err()
            .to_string();
        for part in ["3.0 GiB", "1.0 GiB", "--dim", "--max-vocab", "--min-count"] {
            assert!(message.contains(part), "{part} missing from: {message}");
        }
    }
}
