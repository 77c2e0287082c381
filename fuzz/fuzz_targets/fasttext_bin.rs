//! Any bytes given to the fastText .bin reader give Ok or Err: no panic, no hang, no huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vectrain::io::fasttext_bin::read(data, std::path::Path::new("fuzz"));
});
