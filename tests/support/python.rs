//! Runs the Python scripts of `tests/python/` with the interpreter of the project's
//! virtual environment (gensim, numpy, scipy), to compare with the real thing.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

/// The Python interpreter: `$VECTRAIN_PYTHON`, else `.venv/bin/python` in the crate root.
pub fn python() -> PathBuf {
    std::env::var_os("VECTRAIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python")))
}

/// Runs `tests/python/<script>` with `args` and returns its standard output. Fails the test,
/// saying how to set up the environment, when Python or gensim is missing.
pub fn run_script<A: AsRef<OsStr>>(script: &str, args: &[A]) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python")).join(script);
    let output = Command::new(python())
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}. Create the test environment with \
             `python3 -m venv .venv && .venv/bin/pip install gensim numpy scipy` \
             (or set VECTRAIN_PYTHON)",
                python().display()
            )
        });
    assert!(
        output.status.success(),
        "{script} failed: {}\n(the tests need `python3 -m venv .venv && .venv/bin/pip install \
         gensim numpy scipy`, or VECTRAIN_PYTHON set to a Python that has them)",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the scripts print UTF-8")
}

/// A file of the shared test data (`../shared/data/NAME`).
pub fn shared_data(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(name)
}
