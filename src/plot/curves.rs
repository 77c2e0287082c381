//! Training curves from a metrics log ([`crate::metrics`]): the loss and the speed against
//! words done, and the analogy accuracy per epoch when the log has it; one panel each,
//! stacked, with a thin line at every epoch end.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{Drawing, message, render};
use super::{FAMILY, PALETTE, PictureFormat};
use crate::error::{Error, Result};
use crate::metrics::Record;

/// The series of a log, each point `(words done, value)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curves {
    /// Each progress report's loss (the epoch's mean so far).
    pub loss: Vec<(f64, f64)>,
    /// Each epoch's mean loss, at its end.
    pub epoch_loss: Vec<(f64, f64)>,
    /// Each progress report's speed, in words per second.
    pub speed: Vec<(f64, f64)>,
    /// Each epoch's analogy accuracy, where the log has one.
    pub accuracy: Vec<(f64, f64)>,
    /// Words done at each epoch's end.
    pub epoch_ends: Vec<f64>,
}

impl Curves {
    /// The series of `records`; `path` names the log in the error when it has nothing to
    /// draw (no loss and no speed).
    pub fn from_records(records: &[Record], path: &Path) -> Result<Curves> {
        let mut curves = Curves::default();
        for record in records {
            match record {
                Record::Interval(r) => {
                    let x = r.words_done as f64;
                    curves.loss.extend(r.loss.map(|loss| (x, loss)));
                    curves
                        .speed
                        .extend(r.words_per_second.map(|speed| (x, speed)));
                }
                Record::Epoch(r) => {
                    let x = r.words_done as f64;
                    curves.epoch_ends.push(x);
                    if r.loss.is_finite() {
                        curves.epoch_loss.push((x, r.loss));
                    }
                    curves.accuracy.extend(r.analogy_accuracy.map(|a| (x, a)));
                }
            }
        }
        if curves.loss.is_empty() && curves.epoch_loss.is_empty() && curves.speed.is_empty() {
            return Err(Error::format(
                path,
                None,
                "the log has no loss and no speed to draw: is it from `train --metrics`?",
            ));
        }
        Ok(curves)
    }

    /// Draws the curves to `path` (SVG or PNG, as `format` says) at `size` pixels. Needs a
    /// font registered by [`super::load_font`].
    pub fn draw(&self, path: &Path, format: PictureFormat, size: (u32, u32)) -> Result<()> {
        render(self, path, format, size)
    }

    /// Panels drawn: the loss always, the speed and the accuracy where the log has them.
    pub fn panels(&self) -> usize {
        1 + usize::from(!self.speed.is_empty()) + usize::from(!self.accuracy.is_empty())
    }

    /// The x range: from 0 to the last word done.
    fn words(&self) -> Range<f64> {
        let last = [&self.loss, &self.epoch_loss, &self.speed, &self.accuracy]
            .iter()
            .flat_map(|series| series.iter().map(|p| p.0))
            .chain(self.epoch_ends.iter().copied())
            .fold(0.0, f64::max);
        0.0..last.max(1.0)
    }
}

/// One panel: a title, a y-axis name and its series (a line, and dots).
struct Panel<'a> {
    title: &'a str,
    y_name: &'a str,
    line: &'a [(f64, f64)],
    dots: &'a [(f64, f64)],
    colour: RGBColor,
}

impl Drawing for Curves {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        area.fill(&WHITE).map_err(message)?;
        let mut panels = vec![Panel {
            title: "Loss (line: mean so far in the epoch; dots: epoch mean)",
            y_name: "loss",
            line: &self.loss,
            dots: &self.epoch_loss,
            colour: PALETTE[3],
        }];
        if !self.speed.is_empty() {
            panels.push(Panel {
                title: "Speed",
                y_name: "words/s",
                line: &self.speed,
                dots: &[],
                colour: PALETTE[0],
            });
        }
        if !self.accuracy.is_empty() {
            panels.push(Panel {
                title: "Analogy accuracy at each epoch's end",
                y_name: "accuracy",
                line: &self.accuracy,
                dots: &self.accuracy,
                colour: PALETTE[2],
            });
        }
        let areas = area.split_evenly((panels.len(), 1));
        for (panel, part) in panels.iter().zip(&areas) {
            self.draw_panel(panel, part)?;
        }
        Ok(())
    }
}

impl Curves {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        panel: &Panel<'_>,
        area: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let values = panel.line.iter().chain(panel.dots).map(|p| p.1);
        let low = values.clone().fold(f64::INFINITY, f64::min);
        let high = values.fold(f64::NEG_INFINITY, f64::max);
        let (low, high) = if low.is_finite() {
            (low, high)
        } else {
            (0.0, 1.0)
        };
        let margin = ((high - low) * 0.08).max(high.abs() * 0.02).max(1e-9);
        let mut chart = ChartBuilder::on(area)
            .caption(panel.title, (FAMILY, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(70)
            .build_cartesian_2d(self.words(), (low - margin)..(high + margin))
            .map_err(message)?;
        chart
            .configure_mesh()
            .x_desc("words done")
            .y_desc(panel.y_name)
            .x_label_formatter(&|v| short_number(*v))
            .y_label_formatter(&|v| short_number(*v))
            .label_style((FAMILY, 13))
            .x_labels(10)
            .y_labels(6)
            // Major grid lines only: minor ones crowd a small picture.
            .light_line_style(WHITE)
            .draw()
            .map_err(message)?;
        let y_range = (low - margin, high + margin);
        for &end in &self.epoch_ends {
            let line = [(end, y_range.0), (end, y_range.1)];
            chart
                .draw_series(LineSeries::new(line, RGBColor(190, 190, 190)))
                .map_err(message)?;
        }
        chart
            .draw_series(LineSeries::new(
                panel.line.iter().copied(),
                panel.colour.stroke_width(2),
            ))
            .map_err(message)?;
        // A line of one point draws nothing: show it as a dot.
        if let [only] = panel.line {
            chart
                .draw_series([Circle::new(*only, 4, panel.colour.filled())])
                .map_err(message)?;
        }
        chart
            .draw_series(
                panel
                    .dots
                    .iter()
                    .map(|&p| Circle::new(p, 4, BLACK.filled())),
            )
            .map_err(message)?;
        Ok(())
    }
}

/// `1.2M`, `350k`, `0.25`: axis labels that stay short.
fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e9 {
        format!("{:.1}G", value / 1e9)
    } else if magnitude >= 1e6 {
        format!("{:.1}M", value / 1e6)
    } else if magnitude >= 1e4 {
        format!("{:.0}k", value / 1e3)
    } else if magnitude >= 100.0 || value == 0.0 {
        format!("{value:.0}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{EpochRecord, IntervalRecord};

    #[test]
    fn series_follow_the_records() -> Result<()> {
        let interval = |done: u64, loss: Option<f64>, speed: Option<f64>| {
            Record::Interval(IntervalRecord {
                epoch: 1,
                words_done: done,
                words_total: 200,
                loss,
                learning_rate: 0.02,
                words_per_second: speed,
                seconds: 0.0,
            })
        };
        let records = [
            interval(10, None, None),
            interval(50, Some(3.0), Some(1000.0)),
            Record::Epoch(EpochRecord {
                epoch: 1,
                words_done: 100,
                loss: 2.5,
                examples: 10,
                epoch_seconds: 1.0,
                seconds: 1.0,
                analogy_accuracy: None,
            }),
        ];
        let curves = Curves::from_records(&records, Path::new("run.jsonl"))?;
        assert_eq!(curves.loss, [(50.0, 3.0)]);
        assert_eq!(curves.speed, [(50.0, 1000.0)]);
        assert_eq!(curves.epoch_loss, [(100.0, 2.5)]);
        assert_eq!(curves.epoch_ends, [100.0]);
        assert!(curves.accuracy.is_empty());
        assert!(Curves::from_records(&records[..1], Path::new("run.jsonl")).is_err());
        Ok(())
    }

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(short_number(1_234_567.0), "1.2M");
        assert_eq!(short_number(35_000.0), "35k");
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(2.5), "2.50");
        assert_eq!(short_number(0.0612), "0.061");
    }
}
