//! Runs the `vectrain` binary of this build, for the tests that drive the command line.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `vectrain ARGS` and returns what it did.
pub fn vectrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `vectrain ARGS`, which must succeed, and returns its standard output.
pub fn ok(args: &[&str]) -> String {
    let out = vectrain(args);
    assert!(
        out.status.success(),
        "vectrain {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `vectrain ARGS`, which must succeed printing JSON, and returns that JSON.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// Runs `vectrain ARGS`, which must fail saying something containing `expected` on standard
/// error.
pub fn refused(args: &[&str], expected: &str) {
    let out = vectrain(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "vectrain {args:?} succeeded");
    assert!(stderr.contains(expected), "vectrain {args:?}: {stderr}");
}

/// A path as the `&str` an argument list takes (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
