//! Drawing a picture to an SVG or PNG file, atomically.

use std::io::Write;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::PictureFormat;
use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;

/// Bytes per pixel of plotters' RGB bitmap.
const RGB: usize = 3;

/// Something that draws itself on any plotters backend.
pub(crate) trait Drawing {
    /// Draws on `area` (the whole picture); a message on failure.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;
}

/// Draws `drawing` at `size` (pixels) and writes it to `path` in `format`; `path` is replaced
/// only once the whole file is written.
pub(crate) fn render(
    drawing: &impl Drawing,
    path: &Path,
    format: PictureFormat,
    (width, height): (u32, u32),
) -> Result<()> {
    let plot_error = |message: String| Error::Plot {
        path: path.to_path_buf(),
        message,
    };
    let mut file = AtomicFile::create(path)?;
    match format {
        PictureFormat::Svg => {
            let mut text = String::new();
            {
                let area = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
                drawing.draw(&area).map_err(plot_error)?;
                area.present().map_err(|e| plot_error(e.to_string()))?;
            }
            file.write_all(text.as_bytes())
                .map_err(|e| Error::io("write", path, e))?;
        }
        PictureFormat::Png => {
            let mut pixels = vec![0u8; width as usize * height as usize * RGB];
            {
                let area =
                    BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
                drawing.draw(&area).map_err(plot_error)?;
                area.present().map_err(|e| plot_error(e.to_string()))?;
            }
            let mut encoder = png::Encoder::new(&mut file, width, height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let encoded = encoder
                .write_header()
                .and_then(|mut writer| writer.write_image_data(&pixels));
            encoded.map_err(|e| plot_error(format!("encoding the PNG: {e}")))?;
        }
    }
    file.commit()
}

/// A plotters error as a message.
pub(crate) fn message(error: impl std::fmt::Display) -> String {
    error.to_string()
}
