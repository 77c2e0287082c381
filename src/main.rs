//! The `vectrain` command line.

use std::io::Write;

fn main() -> std::process::ExitCode {
    quiet_mesa_runtime_dir();
    match vectrain::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // Not eprintln!, which panics where stderr is closed; one write, so that ranks
            // sharing a launcher's stderr never split the line.
            let _ = std::io::stderr().write_all(format!("error: {error:#}\n").as_bytes());
            std::process::ExitCode::FAILURE
        }
    }
}

/// Mesa's Vulkan and GL drivers (through libwayland) print `error: XDG_RUNTIME_DIR is invalid
/// or not set in the environment.` whenever wgpu enumerates adapters without that variable,
/// so a successful run would show an "error" line. When the variable is unset, empty, not an
/// absolute path or not a directory, point it at a private directory of this user
/// (`$TMPDIR/vectrain-runtime-UID`, mode 0700). vectrain writes nothing there: wayland only
/// looks for a display socket in it, finds none, and wgpu goes on without a window system,
/// which a compute program never needs. A directory of that name
/// that is not ours, or not private, is left alone (and the variable with it).
#[cfg(target_os = "linux")]
fn quiet_mesa_runtime_dir() {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    use std::path::Path;

    let usable = |dir: &Path| dir.is_absolute() && dir.is_dir();
    if std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|dir| usable(Path::new(&dir))) {
        return;
    }
    // The owner of /proc/self is this process's effective user.
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("vectrain-runtime-{uid}"));
    // An error here is usually "already exists"; the checks below decide either way.
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    let private = std::fs::symlink_metadata(&dir)
        .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.permissions().mode() & 0o777 == 0o700);
    if private && dir.is_absolute() {
        // SAFETY: called first thing in `main`, before any thread exists (nothing has
        // started wgpu, ctrlc or a worker pool), so no other thread can be reading the
        // environment.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
    }
}

/// Only Mesa on Linux prints the XDG_RUNTIME_DIR warning.
#[cfg(not(target_os = "linux"))]
fn quiet_mesa_runtime_dir() {}
