//! `train`: the command line's `train` on a thread of its own while the caller's thread, the
//! GIL released, waits for progress reports, passes them to Python, and checks for Ctrl-C.

use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use vectrain::cli::caller::{self, CallerRun};
use vectrain::training::Progress;

use crate::errors::to_python;
use crate::vectors::Vectors;

/// How often the waiting thread looks for Ctrl-C when no report comes.
const SIGNAL_POLL: Duration = Duration::from_millis(100);
/// The longest a progress report waits for Python to show it.
const SHOWN_WAIT: Duration = Duration::from_secs(2);

/// One option of `train` as Python sees it: `(name, flag, switch, default, choices, help)`.
type OptionTuple = (String, String, bool, Option<String>, Vec<String>, String);

/// Every option of `train`: what the Python half builds `vectrain.train`'s signature and
/// documentation from.
#[pyfunction]
pub fn train_options() -> Vec<OptionTuple> {
    caller::train_options()
        .into_iter()
        .map(|o| (o.name, o.flag, o.switch, o.default, o.choices, o.help))
        .collect()
}

/// Trains as `vectrain train ARGS` does (`args`: the words after `train`) and returns the
/// vectors. `progress(done, total, epoch, loss, alpha)` is called with each report. Ctrl-C
/// (or an exception from `progress`) stops the run after the chunks under way, saving its
/// state where it has a checkpoint path, and raises.
#[pyfunction]
#[pyo3(signature = (args, progress=None))]
pub fn train(py: Python<'_>, args: Vec<String>, progress: Option<Py<PyAny>>) -> PyResult<Vectors> {
    let stop = Arc::new(AtomicBool::new(false));
    let (reports, mut received) = mpsc::channel::<Progress>();
    // Each report waits (briefly) until Python has shown it, so that what the run prints
    // next, its summary, comes after the progress line. Training goes on meanwhile: reports
    // come from the driver's thread, not from the one that trains.
    let (shown, shown_signal) = mpsc::channel::<()>();
    let run = std::thread::spawn({
        let stop = Arc::clone(&stop);
        let args: Vec<OsString> = args.into_iter().map(OsString::from).collect();
        move || {
            let mut report = |p: &Progress| {
                // The waiting side may have gone (an exception): nothing to report to.
                if reports.send(p.clone()).is_ok() {
                    let _ = shown_signal.recv_timeout(SHOWN_WAIT);
                }
            };
            caller::train(&args, &mut report, &stop)
        }
    });
    let mut raised: Option<PyErr> = None;
    loop {
        // The receiver moves into the wait and back: it may be sent, not shared.
        let (back, next) = py.detach(move || {
            let next = received.recv_timeout(SIGNAL_POLL);
            (received, next)
        });
        received = back;
        match next {
            Ok(report) => {
                if let (Some(callback), None) = (&progress, &raised) {
                    let arguments = (
                        report.done,
                        report.total,
                        report.epoch,
                        report.loss,
                        report.alpha,
                    );
                    if let Err(error) = callback.call1(py, arguments) {
                        stop.store(true, Ordering::SeqCst);
                        raised = Some(error);
                    }
                }
                let _ = shown.send(());
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if raised.is_none() {
            if let Err(error) = py.check_signals() {
                stop.store(true, Ordering::SeqCst);
                raised = Some(error);
            }
        }
    }
    let outcome = py
        .detach(|| run.join())
        .map_err(|_| PyRuntimeError::new_err("the training thread panicked"))?;
    match (outcome, raised) {
        (Ok(CallerRun::Stopped(checkpoint)), Some(error))
            if error.is_instance_of::<PyKeyboardInterrupt>(py) =>
        {
            Err(match checkpoint {
                Some(path) => PyKeyboardInterrupt::new_err(format!(
                    "training stopped; its state is saved in {}: train(resume=...) with that path continues it",
                    path.display()
                )),
                None => error,
            })
        }
        (_, Some(error)) => Err(error),
        (Ok(CallerRun::Finished(trained)), None) => Ok(Vectors::from_trained(*trained)),
        (Ok(CallerRun::Stopped(_)), None) => Err(PyRuntimeError::new_err(
            "training stopped without being asked to",
        )),
        (Err(error), None) => Err(to_python(error)),
    }
}
