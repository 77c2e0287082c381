//! Printing for the commands: `note!` for stderr, `out!` for stdout, neither of which panics
//! as `eprintln!` and `println!` do when the stream is closed (`vectrain similar … | head`).
//!
//! A note is for a person watching, not the work: if stderr is gone (the pipe it fed has
//! ended), the note is dropped and training goes on to write its vectors. A command's output
//! is the work: once the reader of stdout has gone there is nobody to give the rest to, so the
//! command ends quietly with success, as `head` asked; any other failure to write ends it with
//! an error.

use std::io::{self, Write};

/// Like `eprintln!`, but a failed write is ignored.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::say::note_line(format_args!($($arg)*))
    };
}

/// Like `println!`, but a closed stdout ends the process quietly instead of panicking.
macro_rules! out {
    () => {
        $crate::cli::say::out_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::say::out_line(format_args!($($arg)*))
    };
}

pub(crate) use {note, out};

/// Writes one line to stderr in one write (so that lines of ranks sharing a launcher's
/// stderr are never split), ignoring any error.
pub fn note_line(line: std::fmt::Arguments<'_>) {
    let _ = io::stderr().write_all(format!("{line}\n").as_bytes());
}

/// Writes one line to stdout; see the module's text for what a failure does.
pub fn out_line(line: std::fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => {
            note_line(format_args!(
                "error: cannot write to standard output: {error}"
            ));
            std::process::exit(1);
        }
    }
}
