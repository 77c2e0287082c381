//! The font labels are drawn with: a TrueType or OpenType file read once and registered with
//! plotters' `ab_glyph` renderer, so drawing needs no system font library.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use plotters::style::{FontStyle, register_font};

use crate::error::{Error, Result};

/// The font family every picture asks for; [`load_font`] registers the file under it.
pub const FAMILY: &str = "sans-serif";

/// Where [`load_font`] looks when no file is given, first found wins: DejaVu Sans as
/// Debian's `fonts-dejavu-core` and Fedora's `dejavu-sans-fonts` install it, then Liberation
/// Sans.
pub const DEFAULT_FONTS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

/// The file registered so far, so that drawing many pictures reads it once.
static LOADED: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Registers the font at `path`, or the first of [`DEFAULT_FONTS`] that exists, as
/// [`FAMILY`]; returns the file used. A missing or unreadable file, or one that is not a
/// font, is an error naming it (and, when none of the defaults exists, how to get one).
pub fn load_font(path: Option<&Path>) -> Result<PathBuf> {
    let chosen = match path {
        Some(path) => path.to_path_buf(),
        None => DEFAULT_FONTS
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .ok_or_else(|| Error::InvalidOption {
                option: "font",
                reason: format!(
                    "no font found to label the picture (looked for {}): install one \
                     (Debian: apt-get install fonts-dejavu-core) or give --font FILE.ttf",
                    DEFAULT_FONTS.join(", ")
                ),
            })?,
    };
    let mut loaded = LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if loaded.as_deref() == Some(chosen.as_path()) {
        return Ok(chosen);
    }
    let bytes = std::fs::read(&chosen).map_err(|e| Error::io("read the font", &chosen, e))?;
    // plotters keeps registered fonts for the life of the process: the bytes must live as
    // long. One font file per process in practice (a few hundred KiB).
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    register_font(FAMILY, FontStyle::Normal, bytes).map_err(|_| Error::InvalidOption {
        option: "font",
        reason: format!("{} is not a TrueType or OpenType font", chosen.display()),
    })?;
    *loaded = Some(chosen.clone());
    Ok(chosen)
}
