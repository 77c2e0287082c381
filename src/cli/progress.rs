//! Progress bars for long work.
//!
//! The training bar is `00:01:23 [=====>     ] 43% 1329456 words/s, epoch 2, loss 2.2488,
//! alpha 0.01234, ETA 3m`, as wide as the terminal: the text after the bar is computed for the
//! terminal's width (fields dropped, least useful first, until a bar of at least
//! [`MIN_BAR`] columns fits) and indicatif's `{wide_bar}` takes the rest. A field not known
//! yet (words/s and ETA on the first frame) is left out rather than shown empty.

use std::time::Duration;

use crate::training::Progress;
use indicatif::{FormattedDuration, HumanDuration, ProgressBar, ProgressStyle};

/// Elapsed time, the bar (filling what the rest leaves), and the status text.
const TEMPLATE: &str = "{elapsed_precise} [{wide_bar}] {msg}";
/// Columns of the template besides the elapsed time, the bar and the message: ` [` and `] `.
const FRAME: usize = 4;
/// The narrowest bar worth drawing.
const MIN_BAR: usize = 10;

/// A bar over training positions showing words/s, loss, learning rate and ETA. Hidden when
/// stderr is not a terminal, so logs stay clean.
pub fn training_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(style());
    bar
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(TEMPLATE)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Shows one progress snapshot on `bar`, its text fitted to the terminal's width.
pub fn show(bar: &ProgressBar, progress: &Progress) {
    bar.set_position(progress.done);
    let width = usize::from(console::Term::stderr().size().1);
    bar.set_message(Status::of(bar, progress).fit(message_columns(bar.elapsed(), width)));
}

/// Columns left for the message in a terminal `width` wide, once the elapsed time, the
/// frame and the narrowest bar are placed.
fn message_columns(elapsed: Duration, width: usize) -> usize {
    let elapsed = FormattedDuration(elapsed).to_string().chars().count();
    width.saturating_sub(elapsed + FRAME + MIN_BAR)
}

/// What the bar says beside itself; `None` where a value is not known yet.
#[derive(Clone, Debug, Default, PartialEq)]
struct Status {
    /// Whole percent done.
    percent: u64,
    /// Training speed, once measured.
    words_per_second: Option<f64>,
    /// Epoch, from 1.
    epoch: usize,
    /// Mean loss so far in the epoch, once there is one.
    loss: Option<f64>,
    /// Learning rate.
    alpha: f32,
    /// Time left, once the speed is known.
    eta: Option<Duration>,
}

impl Status {
    fn of(bar: &ProgressBar, progress: &Progress) -> Status {
        let rate = bar.per_sec();
        let measured = progress.done > 0 && rate.is_finite() && rate > 0.0;
        Status {
            percent: (progress.done.saturating_mul(100))
                .checked_div(progress.total)
                .unwrap_or(0),
            words_per_second: measured.then_some(rate),
            epoch: progress.epoch + 1,
            // Zero until the epoch's first examples are counted: not a loss yet.
            loss: (progress.loss.is_finite() && progress.loss != 0.0).then_some(progress.loss),
            alpha: progress.alpha,
            eta: measured.then(|| bar.eta()),
        }
    }

    /// The known fields in display order, each with its importance (kept longest when the
    /// terminal is narrow: percent, ETA, words/s, loss, epoch, alpha).
    fn fields(&self) -> Vec<(u8, String)> {
        let mut fields = vec![(5, format!("{:>3}%", self.percent))];
        if let Some(rate) = self.words_per_second {
            fields.push((3, format!("{rate:.0} words/s")));
        }
        fields.push((1, format!("epoch {}", self.epoch)));
        if let Some(loss) = self.loss {
            fields.push((2, format!("loss {loss:.4}")));
        }
        fields.push((0, format!("alpha {:.5}", self.alpha)));
        if let Some(eta) = self.eta {
            fields.push((4, format!("ETA {:#}", HumanDuration(eta))));
        }
        fields
    }

    /// The text of the fields that fit in `columns`, least important dropped first; the
    /// percentage is always kept.
    fn fit(&self, columns: usize) -> String {
        let mut fields = self.fields();
        loop {
            let text = join(&fields);
            if text.chars().count() <= columns || fields.len() == 1 {
                return text;
            }
            if let Some(least) = (0..fields.len()).min_by_key(|&i| fields[i].0) {
                fields.remove(least);
            }
        }
    }
}

/// `43% a, b, c`: the first field, a space, the others separated by commas.
fn join(fields: &[(u8, String)]) -> String {
    let mut text = String::new();
    for (i, (_, field)) in fields.iter().enumerate() {
        text.push_str(match i {
            0 => "",
            1 => " ",
            _ => ", ",
        });
        text.push_str(field);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use indicatif::{ProgressDrawTarget, TermLike};

    use super::*;

    /// The worst case for width: every field, long values.
    fn busy() -> Status {
        Status {
            percent: 100,
            words_per_second: Some(1_329_456.178_4),
            epoch: 12,
            loss: Some(2.2488),
            alpha: 0.025,
            eta: Some(Duration::from_secs(3 * 3600 + 59)),
        }
    }

    /// A terminal `width` columns wide that keeps every line written to it.
    #[derive(Debug, Clone)]
    struct Terminal {
        width: u16,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl TermLike for Terminal {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            if !s.is_empty() {
                let mut lines = self
                    .lines
                    .lock()
                    .map_err(|_| io::Error::other("poisoned"))?;
                lines.push(s.to_string());
            }
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The last line indicatif draws for `status` at 43% in a terminal `width` columns wide;
    /// every line it draws fits.
    fn draw(status: &Status, width: u16) -> String {
        let terminal = Terminal {
            width,
            lines: Arc::default(),
        };
        let target = ProgressDrawTarget::term_like(Box::new(terminal.clone()));
        let bar = ProgressBar::with_draw_target(Some(100), target);
        bar.set_style(style());
        bar.set_position(43);
        let columns = message_columns(bar.elapsed(), width.into());
        bar.set_message(status.fit(columns));
        bar.abandon();
        let lines = terminal.lines.lock().unwrap();
        for line in lines.iter() {
            let columns = line.chars().count();
            assert!(columns <= width.into(), "{columns} columns: {line}");
        }
        lines.last().cloned().unwrap_or_default()
    }

    #[test]
    fn the_line_fits_an_80_column_terminal() {
        let line = draw(&busy(), 80);
        assert!(line.contains("100% 1329456 words/s"), "{line}");
        assert!(line.contains("ETA 3h"), "{line}");
        let bar_width = |line: &str| line.find(']').zip(line.find('[')).map(|(b, a)| b - a - 1);
        assert!(bar_width(&line) >= Some(MIN_BAR), "{line}");
        // A wide terminal shows every field and a wider bar.
        let wide = draw(&busy(), 160);
        for field in ["epoch 12", "loss 2.2488", "alpha 0.02500"] {
            assert!(wide.contains(field), "{wide}");
        }
        assert!(bar_width(&wide) > bar_width(&line), "{wide}");
        // A terminal too narrow for anything but the percentage still gets it.
        assert_eq!(busy().fit(3), "100%");
    }

    #[test]
    fn words_per_second_is_a_plain_integer_with_one_unit() {
        let text = busy().fit(usize::MAX);
        assert_eq!(
            text,
            "100% 1329456 words/s, epoch 12, loss 2.2488, alpha 0.02500, ETA 3h"
        );
        assert_eq!(text.matches("/s").count(), 1, "{text}");
    }

    #[test]
    fn the_first_frame_has_no_empty_field() {
        let first = Status {
            percent: 0,
            words_per_second: None,
            epoch: 1,
            loss: None,
            alpha: 0.025,
            eta: None,
        };
        let text = first.fit(usize::MAX);
        assert_eq!(text, "  0% epoch 1, alpha 0.02500");
        let line = draw(&first, 80);
        assert!(
            !line.contains(", ,") && !line.trim_end().ends_with(','),
            "{line}"
        );
    }
}
