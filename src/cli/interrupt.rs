//! Ctrl-C and SIGTERM: the first asks the run to checkpoint and stop, a second exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;

/// Set by the signal handler; the run driver polls it between chunks.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exit status of an interrupted run, as shells report a process ended by SIGINT (128 + 2);
/// also after SIGTERM, which a job scheduler sends at the end of a time limit.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// Installs the handler of SIGINT and SIGTERM (Ctrl-C and its console equivalents
/// elsewhere): the first signal sets [`INTERRUPTED`], a second exits at once.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED_EXIT_CODE);
        }
    })
    .context("installing the Ctrl-C and SIGTERM handler")
}

/// The command that continues a run from `checkpoint`: this program, `train --resume`, and
/// the options a checkpoint does not hold (where to train).
pub fn resume_command(checkpoint: &std::path::Path, extra: &[String]) -> String {
    let program = std::env::args().next().unwrap_or_else(|| "vectrain".into());
    let mut words = vec![program, "train".into(), "--resume".into()];
    words.push(checkpoint.display().to_string());
    words.extend(extra.iter().cloned());
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` quoted for a POSIX shell where it needs it.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("run.ckpt"), "run.ckpt");
        assert_eq!(shell_quote("my run.ckpt"), "'my run.ckpt'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
