//! Any bytes given to the checkpoint reader give Ok or Err: no panic, no hang, no huge
//! allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vectrain::checkpoint::read_from(data, data.len() as u64, std::path::Path::new("fuzz"));
});
