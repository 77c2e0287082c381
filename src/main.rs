//! The `vectrain` command line.

mod commands;

fn main() -> std::process::ExitCode {
    match commands::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
