//! The bar shown while a corpus is read: `00:00:42 [=====>    ] 1.20 GiB/4.00 GiB 95 MiB/s
//! counting words`, then the same for encoding them. Drawn from its own thread (reading
//! keeps every core busy and reports only a byte count), hidden when stderr is not a
//! terminal, and not drawn at all for a read shorter than [`QUIET`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressStyle};

use crate::corpus::{ReadPass, ReadProgress, ReadSnapshot};

/// Reads shorter than this show no bar: it would only flash.
const QUIET: Duration = Duration::from_secs(1);
/// Time between two looks at the progress.
const TICK: Duration = Duration::from_millis(100);
/// With a known size: elapsed time, the bar, bytes read of the total, speed, the pass.
const SIZED: &str = "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg}";
/// From a pipe, whose size is not known: the same without the bar and the total.
const UNSIZED: &str = "{elapsed_precise} {bytes} {msg}";

/// The bar of one corpus read; it goes when dropped.
pub struct ReadingBar {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ReadingBar {
    /// Starts drawing what `progress` reports.
    pub fn start(progress: ReadProgress) -> ReadingBar {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || draw(&progress, &stop))
        };
        ReadingBar {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ReadingBar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // Woken now rather than at its next tick: a read ends without waiting for it.
            thread.thread().unpark();
            // A bar that failed to draw has nothing to say.
            let _ = thread.join();
        }
    }
}

/// Runs `read` with a bar drawing what it reports (for reads of over a second, on a
/// terminal), gone once it returns.
pub fn with_reading_bar<T>(read: impl FnOnce(&ReadProgress) -> T) -> T {
    let progress = ReadProgress::new();
    let _bar = ReadingBar::start(progress.clone());
    read(&progress)
}

fn draw(progress: &ReadProgress, stop: &AtomicBool) {
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    while !stop.load(Ordering::Relaxed) {
        std::thread::park_timeout(TICK);
        let Some(now) = progress.snapshot().filter(|_| started.elapsed() >= QUIET) else {
            continue;
        };
        let bar = bar.get_or_insert_with(|| {
            ProgressBar::new(now.total)
                .with_style(style(now.total))
                .with_elapsed(started.elapsed())
        });
        bar.set_length(now.total);
        bar.set_position(now.read);
        bar.set_message(status(&now));
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// The pass's speed (over the whole pass: reading runs ahead of the workers in bursts) and
/// what it is doing; once every byte is read, what follows the reading.
fn status(now: &ReadSnapshot) -> String {
    let speed = now.read as f64 / now.elapsed.as_secs_f64().max(1e-3);
    let read_all = now.total > 0 && now.read >= now.total;
    let what = match (now.pass, read_all) {
        (ReadPass::Counting, false) => "counting words",
        (ReadPass::Counting, true) => "building the vocabulary",
        (ReadPass::Encoding, false) => "encoding",
        (ReadPass::Encoding, true) => "finishing",
        (ReadPass::CountingPairs, false) => "counting pairs",
        (ReadPass::CountingPairs, true) => "scoring pairs",
        (ReadPass::Rewriting, false) => "joining phrases",
        (ReadPass::Rewriting, true) => "finishing",
        (ReadPass::Loading, false) => "loading vectors",
        (ReadPass::Loading, true) => "building the table",
    };
    if read_all {
        what.to_string()
    } else {
        format!("{}/s {what}", HumanBytes(speed as u64))
    }
}

fn style(total: u64) -> ProgressStyle {
    let template = if total > 0 { SIZED } else { UNSIZED };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}
