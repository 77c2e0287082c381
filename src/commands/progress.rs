//! Progress bars for long work.

use indicatif::{ProgressBar, ProgressStyle};
use vectrain::training::Progress;

/// A bar over training positions showing words/s, loss, learning rate and ETA. Hidden when
/// stderr is not a terminal, so logs stay clean.
pub fn training_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {percent:>3}% {per_sec} words/s, {msg}, ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Shows one progress snapshot on `bar`.
pub fn show(bar: &ProgressBar, progress: &Progress) {
    bar.set_position(progress.done);
    bar.set_message(format!(
        "epoch {}, loss {:.4}, alpha {:.5}",
        progress.epoch + 1,
        progress.loss,
        progress.alpha
    ));
}
