//! `train` started by a library caller (the Python package): the command's own options,
//! parsed by the same definitions, so a caller takes every option the command line takes,
//! with the same defaults and the same messages; progress and stopping are the caller's.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, FromArgMatches};

use super::session::Front;
use super::train::{Ran, TrainArgs};
use crate::training::{Progress, Trained};

/// Options of the command line that a caller cannot use: a distributed run starts under
/// `mpirun`, one process per rank.
const COMMAND_LINE_ONLY: [&str; 4] = ["distributed", "sync_every", "sync_mode", "sync_rows"];

/// A `train` option refused by the command line's rules (an unknown name, a value out of
/// range, a combination not allowed); the message is the command line's.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OptionError(pub String);

/// One option of `train`, as a caller names it.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOption {
    /// The name in a caller's keywords: the long flag with `_` for `-` (`min_count`).
    pub name: String,
    /// The command line's flag (`--min-count`).
    pub flag: String,
    /// A switch, given or not, rather than an option taking a value.
    pub switch: bool,
    /// The default the command line shows, where it has one.
    pub default: Option<String>,
    /// The values allowed, for options with a fixed set of them.
    pub choices: Vec<String>,
    /// The command line's help text.
    pub help: String,
}

/// How a caller's run ended.
pub enum CallerRun {
    /// Trained to the end.
    Finished(Box<Trained>),
    /// Stopped because the stop flag was set; the state is saved in this checkpoint where
    /// the run had a place for one (--checkpoint, --output or --resume).
    Stopped(Option<PathBuf>),
}

/// The `train` command's definition, as a caller's arguments are parsed with it.
fn command() -> clap::Command {
    TrainArgs::augment_args(
        clap::Command::new("train")
            .no_binary_name(true)
            .allow_negative_numbers(true)
            .disable_help_flag(true),
    )
}

/// Every option of `train` a caller can give, in the command line's order.
pub fn train_options() -> Vec<TrainOption> {
    command()
        .get_arguments()
        .filter(|arg| !COMMAND_LINE_ONLY.contains(&arg.get_id().as_str()))
        .filter_map(|arg| {
            let long = arg.get_long()?;
            Some(TrainOption {
                name: long.replace('-', "_"),
                flag: format!("--{long}"),
                switch: !arg.get_action().takes_values(),
                default: arg
                    .get_default_values()
                    .first()
                    .map(|value| value.to_string_lossy().into_owned()),
                choices: arg
                    .get_possible_values()
                    .iter()
                    .filter(|value| !value.is_hide_set())
                    .map(|value| value.get_name().to_string())
                    .collect(),
                help: arg
                    .get_long_help()
                    .or(arg.get_help())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Trains as `vectrain train ARGS` would, `args` being the command line's words after
/// `train`: every report goes to `progress`, the run stops when `stop` is set, and the
/// vectors come back (written to a file too where `--output` is given).
pub fn train(
    args: &[OsString],
    progress: &mut dyn FnMut(&Progress),
    stop: &AtomicBool,
) -> anyhow::Result<CallerRun> {
    let matches = command()
        .try_get_matches_from(args)
        .map_err(|error| OptionError(clap_message(&error)))?;
    let args =
        TrainArgs::from_arg_matches(&matches).map_err(|error| OptionError(clap_message(&error)))?;
    if let Some(id) = COMMAND_LINE_ONLY
        .iter()
        .find(|id| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
    {
        return Err(OptionError(format!(
            "--{} runs under mpirun, from the command line only",
            id.replace('_', "-")
        ))
        .into());
    }
    match super::train::execute(args, &matches, Front::Caller { progress, stop })? {
        Ran::Finished(trained) => Ok(CallerRun::Finished(trained)),
        Ran::Stopped(checkpoint) => Ok(CallerRun::Stopped(checkpoint)),
        Ran::Distributed => Err(OptionError("a distributed run needs mpirun".into()).into()),
    }
}

/// clap's message for `error` on one line: up to the usage and tips that follow it (a caller
/// has no command line to show), without the `error: ` prefix.
fn clap_message(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let message: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
        .collect();
    let message = message.join(" ");
    message
        .strip_prefix("error: ")
        .unwrap_or(&message)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_the_command_lines() {
        let options = train_options();
        let named = |name: &str| options.iter().find(|o| o.name == name);
        let dim = named("dim").expect("--dim");
        assert_eq!((dim.flag.as_str(), dim.switch), ("--dim", false));
        assert_eq!(dim.default.as_deref(), Some("100"));
        assert!(named("subwords").expect("--subwords").switch);
        let model = named("model").expect("--model");
        assert_eq!(model.choices, ["skipgram", "cbow", "batch-skipgram"]);
        assert!(named("distributed").is_none());
        assert!(named("input").is_some() && named("resume").is_some());
    }

    #[test]
    fn bad_options_carry_the_command_lines_message() {
        let stop = AtomicBool::new(false);
        let run = |args: &[&str]| {
            let args: Vec<OsString> = args.iter().map(OsString::from).collect();
            match train(&args, &mut |_| {}, &stop) {
                Err(error) => error.downcast::<OptionError>().expect("an option error").0,
                Ok(_) => panic!("{args:?} trained"),
            }
        };
        assert!(run(&["--dim", "many"]).contains("'--dim <DIM>'"));
        assert!(run(&["--frobnicate"]).contains("'--frobnicate'"));
        assert!(run(&["--distributed"]).contains("mpirun"));
        assert!(run(&["--minn", "2"]).contains("--subwords"));
    }
}
