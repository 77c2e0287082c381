//! Pictures, as SVG or PNG, drawn with plotters: a 2-D map of words and their neighbours
//! ([`map`]), and the curves of a training metrics log ([`curves`]).
//!
//! The layouts are computed here, small enough to read: [`pca`] and [`tsne`] place the
//! points, [`labels`] keeps labels off each other. Text is drawn with a font file
//! ([`font`]); call [`load_font`] once before drawing.

pub mod curves;
pub mod font;
pub mod labels;
pub mod map;
pub mod pca;
mod render;
pub mod tsne;

use std::path::Path;

use plotters::style::RGBColor;

use crate::error::{Error, Result};
pub use curves::Curves;
pub use font::{FAMILY, load_font};
pub use map::{Projection, WordMap};

/// Ten colours that stay apart from each other, on white and for most colour blindness:
/// the colours of clusters and curves, in order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
];

/// The file format of a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureFormat {
    /// Scalable vector graphics: text stays text.
    Svg,
    /// A PNG bitmap (8-bit RGB).
    Png,
}

impl PictureFormat {
    /// The format of a file named `path`: `.svg` or `.png` (any case); anything else is
    /// refused with [`Error::InvalidOption`] for `option`.
    pub fn from_path(path: &Path, option: &'static str) -> Result<PictureFormat> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("svg") => Ok(PictureFormat::Svg),
            Some("png") => Ok(PictureFormat::Png),
            _ => Err(Error::InvalidOption {
                option,
                reason: format!(
                    "{}: name a .svg or a .png file, the picture's format is taken from it",
                    path.display()
                ),
            }),
        }
    }
}
