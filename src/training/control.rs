//! How a caller steers a run: resume, checkpoints, stop; and how the run ends.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::subwords::SubwordModel;
use crate::training::averaging::Averager;
use crate::training::state::{Position, Resume, RunState};
use crate::training::stats::TrainStats;

/// How often to write a checkpoint: `--checkpoint-every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// After this much wall time: `90s`, `10m`, `2h`.
    Time(Duration),
    /// After this many corpus words (positions): `5000000w`.
    Words(u64),
}

impl FromStr for Every {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Every, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let usage = || {
            format!(
                "{text:?} is not an interval: give a number and a unit, s (seconds), m (minutes), h (hours) or w (words), e.g. 10m or 5000000w"
            )
        };
        let n: u64 = number.parse().map_err(|_| usage())?;
        if n == 0 {
            return Err(format!("{text:?}: the interval must be more than 0"));
        }
        let seconds = |factor: u64| {
            n.checked_mul(factor)
                .map(|s| Every::Time(Duration::from_secs(s)))
                .ok_or_else(usage)
        };
        match unit {
            "s" => seconds(1),
            "m" => seconds(60),
            "h" => seconds(3600),
            "w" => Ok(Every::Words(n)),
            _ => Err(usage()),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Every::Time(d) => write!(f, "{}s", d.as_secs()),
            Every::Words(n) => write!(f, "{n}w"),
        }
    }
}

/// What a checkpoint callback sees: taken between chunks, when every chunk below
/// `state.position.next_chunk` is done and no other has started.
pub struct Snapshot<'a> {
    /// Where the run stands.
    pub state: &'a RunState,
    /// The input table, row-major.
    pub input: &'a [f32],
    /// The output table, row-major.
    pub output: &'a [f32],
    /// In a run that averages with other processes ([`Control::averager`]), the averages
    /// done: the checkpoint is taken right after the last of them, on every process.
    pub averages: Option<u64>,
}

/// Writes a checkpoint from a [`Snapshot`].
pub type CheckpointFn<'a> = dyn FnMut(&Snapshot<'_>) -> Result<()> + 'a;

/// Checkpointing and stopping of a run.
#[derive(Default)]
pub struct Control<'a> {
    /// Continue from this state instead of starting afresh.
    pub resume: Option<Resume>,
    /// Call `checkpoint` this often.
    pub every: Option<Every>,
    /// Set (e.g. by a signal handler) to stop: the run finishes the chunks under way, takes
    /// a checkpoint and returns [`Outcome::Stopped`].
    pub stop: Option<&'a AtomicBool>,
    /// Writes a checkpoint.
    pub checkpoint: Option<&'a mut CheckpointFn<'a>>,
    /// Averages the tables with the other processes of a distributed run. The stop flag is
    /// then read at averaging points only, where every process stops together, and
    /// checkpoints are taken right after the averages where the averager says one is due
    /// ([`Averager::checkpoint_due`]) or every process stops (`every` must be `None`).
    pub averager: Option<&'a mut dyn Averager>,
}

/// A trained model: input vectors (what users call the embeddings) and run statistics.
pub struct Trained {
    /// The word vectors with their vocabulary: the input table, or with subwords each
    /// word's mean of its own row and its n-gram rows.
    pub embeddings: Embeddings,
    /// With subwords, the whole model (every table row, the n-gram settings): what a
    /// fastText `.bin` holds and what gives vectors to unseen words.
    pub subwords: Option<SubwordModel>,
    /// The output table (`syn1neg`), row-major like the input table.
    pub output: Vec<f32>,
    /// What the run measured.
    pub stats: TrainStats,
}

/// How a run ended.
pub enum Outcome {
    /// Every epoch was trained.
    Finished(Box<Trained>),
    /// The stop flag was set; a checkpoint was taken (where there is a callback) at this
    /// position.
    Stopped(Position),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!("90s".parse(), Ok(Every::Time(Duration::from_secs(90))));
        assert_eq!("10m".parse(), Ok(Every::Time(Duration::from_secs(600))));
        assert_eq!("2h".parse(), Ok(Every::Time(Duration::from_secs(7200))));
        assert_eq!("5000000w".parse(), Ok(Every::Words(5_000_000)));
        for bad in [
            "",
            "10",
            "m",
            "0s",
            "1.5m",
            "10x",
            "-5w",
            "99999999999999999999h",
        ] {
            assert!(bad.parse::<Every>().is_err(), "{bad:?} parsed");
        }
    }
}
