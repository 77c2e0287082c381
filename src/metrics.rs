//! The training metrics log (`vectrain train --metrics run.jsonl`): JSON lines, one object
//! per progress report and one per epoch end, flushed as they are written so that a run
//! can be followed (`tail -f`) and a killed run keeps what it logged.
//!
//! ```text
//! {"epoch":1,"kind":"interval","learning_rate":0.0248,"loss":2.91,"seconds":0.2,"words_done":204800,"words_per_second":1021440.5,"words_total":4096000}
//! {"analogy_accuracy":0.213,"epoch":1,"epoch_seconds":0.8,"examples":3912040,"kind":"epoch","loss":2.52,"seconds":0.81,"words_done":819200}
//! ```
//!
//! Keys come in alphabetical order. Epochs count from 1, as the progress bar shows them. `words_done` counts corpus positions
//! over all epochs and never decreases. An interval's `words_per_second` is measured from the
//! latest earlier report at least half a progress interval before it (from the first report,
//! when all are closer; `null` on the first), so that the report at an epoch's end, which
//! comes right after a regular one, is not noise (and from an epoch record, if one came
//! since: the time spent at an epoch's end is not training); its `loss` is the epoch's mean
//! so far (`null` before the first example is counted). `seconds` is the time since the log
//! was opened. `analogy_accuracy` is present when training was given `--analogies`.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::training::{PROGRESS_INTERVAL, Progress};

/// The shortest time a speed is measured over, where the log allows: half a progress
/// interval.
const MIN_SPEED_SECONDS: f64 = PROGRESS_INTERVAL.as_secs_f64() / 2.0;

/// One progress report.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalRecord {
    /// Epoch, from 1.
    pub epoch: usize,
    /// Corpus positions done over all epochs.
    pub words_done: u64,
    /// Corpus positions of the whole run.
    pub words_total: u64,
    /// Mean loss per example so far in the epoch, once known.
    pub loss: Option<f64>,
    /// Learning rate in use.
    pub learning_rate: f64,
    /// Speed since the previous record, where there is one.
    pub words_per_second: Option<f64>,
    /// Seconds since the log was opened.
    pub seconds: f64,
}

/// The end of one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRecord {
    /// Epoch, from 1.
    pub epoch: usize,
    /// Corpus positions done over all epochs.
    pub words_done: u64,
    /// Mean loss per positive example over the epoch.
    pub loss: f64,
    /// Positive examples of the epoch.
    pub examples: u64,
    /// Wall time of the epoch.
    pub epoch_seconds: f64,
    /// Seconds since the log was opened.
    pub seconds: f64,
    /// Analogy accuracy (3CosAdd) of the vectors at the epoch's end, when asked.
    pub analogy_accuracy: Option<f64>,
}

/// One line of the log.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A progress report.
    Interval(IntervalRecord),
    /// An epoch end.
    Epoch(EpochRecord),
}

impl Record {
    /// The JSON object of this record.
    pub fn to_json(&self) -> Value {
        match self {
            Record::Interval(r) => json!({
                "kind": "interval", "epoch": r.epoch, "words_done": r.words_done,
                "words_total": r.words_total, "loss": finite(r.loss),
                "learning_rate": r.learning_rate, "words_per_second": finite(r.words_per_second),
                "seconds": r.seconds,
            }),
            Record::Epoch(r) => {
                let mut object = json!({
                    "kind": "epoch", "epoch": r.epoch, "words_done": r.words_done,
                    "loss": finite(Some(r.loss)), "examples": r.examples,
                    "epoch_seconds": r.epoch_seconds, "seconds": r.seconds,
                });
                if let (Some(accuracy), Some(map)) = (r.analogy_accuracy, object.as_object_mut()) {
                    map.insert("analogy_accuracy".into(), json!(accuracy));
                }
                object
            }
        }
    }

    /// The record of a JSON object, or a message saying what is wrong with it.
    pub fn from_json(value: &Value) -> std::result::Result<Record, String> {
        let number = |key: &str| value.get(key).and_then(Value::as_f64);
        let count = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("`{key}` is missing or not a whole number"))
        };
        let required = |key: &str| number(key).ok_or_else(|| format!("`{key}` is missing"));
        match value.get("kind").and_then(Value::as_str) {
            Some("interval") => Ok(Record::Interval(IntervalRecord {
                epoch: count("epoch")? as usize,
                words_done: count("words_done")?,
                words_total: count("words_total")?,
                loss: number("loss"),
                learning_rate: required("learning_rate")?,
                words_per_second: number("words_per_second"),
                seconds: required("seconds")?,
            })),
            Some("epoch") => Ok(Record::Epoch(EpochRecord {
                epoch: count("epoch")? as usize,
                words_done: count("words_done")?,
                loss: number("loss").unwrap_or(f64::NAN),
                examples: count("examples")?,
                epoch_seconds: required("epoch_seconds")?,
                seconds: required("seconds")?,
                analogy_accuracy: number("analogy_accuracy"),
            })),
            _ => Err("`kind` must be \"interval\" or \"epoch\"".into()),
        }
    }
}

/// `value` where it is a finite number: JSON has no NaN or infinity.
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// A metrics log being written.
///
/// Writing never stops training: the first write error is kept, later records are dropped,
/// and [`MetricsLog::finish`] returns that error. The file holds whole records only: one that
/// could not be written whole (a full disk) is cut off again, so the log still reads back.
#[derive(Debug)]
pub struct MetricsLog {
    path: PathBuf,
    file: File,
    /// The file's length after its last whole record.
    length: u64,
    opened: Instant,
    /// Recent progress reports, oldest first: when, and `words_done` then.
    recent: VecDeque<(Instant, u64)>,
    failed: Option<std::io::Error>,
}

impl MetricsLog {
    /// Opens `path` for a new log (replacing a file there), or to add to the one there with
    /// `append` (a resumed run). Fails, before any training, where the file cannot be
    /// written.
    pub fn create(path: &Path, append: bool) -> Result<MetricsLog> {
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)
            .map_err(|e| Error::io("open the metrics log", path, e))?;
        let length = file
            .metadata()
            .map_err(|e| Error::io("open the metrics log", path, e))?
            .len();
        Ok(MetricsLog {
            path: path.to_path_buf(),
            file,
            length,
            opened: Instant::now(),
            recent: VecDeque::new(),
            failed: None,
        })
    }

    /// Logs a progress report.
    pub fn interval(&mut self, progress: &Progress) {
        let now = Instant::now();
        let words_per_second = self.speed(now, progress.done);
        let record = IntervalRecord {
            epoch: progress.epoch + 1,
            words_done: progress.done,
            words_total: progress.total,
            loss: (progress.loss.is_finite() && progress.loss != 0.0).then_some(progress.loss),
            learning_rate: f64::from(progress.alpha),
            words_per_second,
            seconds: self.seconds(now),
        };
        self.write(&Record::Interval(record));
    }

    /// Logs an epoch end; `seconds` is filled in here. The next report's speed is measured
    /// from now, so that time spent at the epoch's end (scoring analogies) is not counted as
    /// training time.
    pub fn epoch(&mut self, mut record: EpochRecord) {
        let now = Instant::now();
        record.seconds = self.seconds(now);
        self.recent.clear();
        self.recent.push_back((now, record.words_done));
        self.write(&Record::Epoch(record));
    }

    /// Words per second from the latest earlier report at least [`MIN_SPEED_SECONDS`] before
    /// `now` (or the oldest kept, when all are closer) to `done` now; records this report.
    fn speed(&mut self, now: Instant, done: u64) -> Option<f64> {
        let age = |(then, _): &(Instant, u64)| now.duration_since(*then).as_secs_f64();
        // A report older than one already old enough will never be the start again.
        while self.recent.len() > 1
            && self
                .recent
                .get(1)
                .is_some_and(|r| age(r) >= MIN_SPEED_SECONDS)
        {
            self.recent.pop_front();
        }
        let start = self
            .recent
            .iter()
            .rev()
            .find(|r| age(r) >= MIN_SPEED_SECONDS)
            .or(self.recent.front())
            .copied();
        self.recent.push_back((now, done));
        let (then, done_then) = start?;
        let seconds = now.duration_since(then).as_secs_f64();
        (seconds > 0.0).then(|| done.saturating_sub(done_then) as f64 / seconds)
    }

    /// Seconds since the log was opened.
    fn seconds(&self, now: Instant) -> f64 {
        now.duration_since(self.opened).as_secs_f64()
    }

    fn write(&mut self, record: &Record) {
        if self.failed.is_some() {
            return;
        }
        let line = format!("{}\n", record.to_json());
        match self.file.write_all(line.as_bytes()) {
            Ok(()) => self.length += line.len() as u64,
            Err(e) => {
                // Part of the record may be there: cut it off (best effort; the error stays).
                let _ = self.file.set_len(self.length);
                self.failed = Some(e);
            }
        }
    }

    /// The first write error, if any write failed.
    pub fn finish(mut self) -> Result<()> {
        match self.failed.take() {
            None => Ok(()),
            Some(e) => Err(Error::io("write the metrics log", &self.path, e)),
        }
    }
}

/// Reads a metrics log. Blank lines are skipped; a line that is not a record is refused with
/// its line number.
pub fn read_metrics(path: &Path) -> Result<Vec<Record>> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut records = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| Error::io("read", path, e))?;
        let number = Some(index as u64 + 1);
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(&line)
            .map_err(|e| Error::format(path, number, format!("not JSON: {e}")))?;
        let record = Record::from_json(&value).map_err(|m| Error::format(path, number, m))?;
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_json() {
        let interval = Record::Interval(IntervalRecord {
            epoch: 2,
            words_done: 300,
            words_total: 1000,
            loss: Some(2.5),
            learning_rate: 0.0125,
            words_per_second: None,
            seconds: 1.5,
        });
        let epoch = Record::Epoch(EpochRecord {
            epoch: 1,
            words_done: 500,
            loss: 2.25,
            examples: 1234,
            epoch_seconds: 0.75,
            seconds: 0.8,
            analogy_accuracy: Some(0.5),
        });
        for record in [interval, epoch] {
            assert_eq!(Record::from_json(&record.to_json()), Ok(record));
        }
        assert!(Record::from_json(&json!({"kind": "other"})).is_err());
    }

    #[test]
    fn a_log_is_written_line_by_line_and_read_back() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let path = dir.path().join("run.jsonl");
        let mut log = MetricsLog::create(&path, false)?;
        let mut progress = Progress {
            done: 10,
            total: 100,
            epoch: 0,
            loss: f64::NAN,
            alpha: 0.025,
        };
        log.interval(&progress);
        progress.done = 50;
        progress.loss = 3.0;
        std::thread::sleep(PROGRESS_INTERVAL);
        log.interval(&progress);
        // Right after the second: measured from the first, not over a few microseconds.
        progress.done = 60;
        log.interval(&progress);
        log.finish()?;
        let records = read_metrics(&path)?;
        let [
            Record::Interval(first),
            Record::Interval(second),
            Record::Interval(third),
        ] = records.as_slice()
        else {
            panic!("{records:?}");
        };
        assert_eq!((first.loss, first.words_per_second), (None, None));
        assert_eq!((second.loss, second.words_done), (Some(3.0), 50));
        assert!(second.words_per_second.is_some_and(|w| w > 0.0));
        let measured_from_first = |w: f64| w > 0.0 && w < 50.0 / PROGRESS_INTERVAL.as_secs_f64();
        assert!(
            third.words_per_second.is_some_and(measured_from_first),
            "{third:?}"
        );
        Ok(())
    }
}
