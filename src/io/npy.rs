//! NumPy `.npy` files of float32 (and, for masks, uint8), C order, any number of
//! dimensions: what `numpy.load` reads and what
//! `torch.nn.Embedding.from_pretrained(torch.from_numpy(array))` takes.
//!
//! The format (version 1.0): the magic `\x93NUMPY`, the version bytes `1 0`, a little-endian
//! `u16` header length, then the header, a Python dict literal such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and
//! ended by `\n` so that the data starts at a multiple of 64 bytes; then the values,
//! little-endian, row-major.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use super::atomic::AtomicFile;
use crate::error::{Error, Result};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// The data starts at a multiple of this (numpy's own alignment).
const ALIGN: usize = 64;
/// Bytes before the header: magic, version, header length.
const PREAMBLE: usize = MAGIC.len() + 2 + 2;

/// The `descr` of little-endian float32.
const F32: &str = "<f4";
/// The `descr` of uint8 (byte order does not apply).
const U8: &str = "|u1";

/// The header of a float32 C-order array of `shape`.
#[cfg(test)]
fn header(shape: &[usize]) -> Vec<u8> {
    header_of(F32, shape)
}

/// The header of a C-order array of `shape` whose values `descr` describes.
fn header_of(descr: &str, shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut text = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = PREAMBLE + text.len() + 1;
    text.push_str(&" ".repeat(unpadded.next_multiple_of(ALIGN) - unpadded));
    text.push('\n');
    text.into_bytes()
}

/// Writes `data` as a float32 C-order array of `shape` to `writer`; `path` names it in
/// errors. Refuses a `data` whose length is not the product of `shape`.
pub fn write_f32<W: Write>(writer: W, path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    write_array(
        writer,
        path,
        F32,
        shape,
        data.len(),
        |chunk_start, chunk_len, bytes| {
            for x in &data[chunk_start..chunk_start + chunk_len] {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        },
    )
}

/// Writes `data` as a uint8 C-order array of `shape` to `writer` (e.g. a mask of 0 and 1);
/// `path` names it in errors. Refuses a `data` whose length is not the product of `shape`.
pub fn write_u8<W: Write>(writer: W, path: &Path, shape: &[usize], data: &[u8]) -> Result<()> {
    write_array(
        writer,
        path,
        U8,
        shape,
        data.len(),
        |chunk_start, chunk_len, bytes| {
            bytes.extend_from_slice(&data[chunk_start..chunk_start + chunk_len]);
        },
    )
}

/// The header, then `count` values, appended as bytes by `encode(start, len, bytes)` in chunks.
fn write_array<W: Write>(
    mut writer: W,
    path: &Path,
    descr: &str,
    shape: &[usize],
    count: usize,
    encode: impl Fn(usize, usize, &mut Vec<u8>),
) -> Result<()> {
    let expected: usize = shape.iter().product();
    if count != expected {
        return Err(Error::Mismatch(format!(
            "{count} values do not make an array of shape {shape:?}"
        )));
    }
    let header = header_of(descr, shape);
    let len = u16::try_from(header.len())
        .map_err(|_| Error::Mismatch(format!("the npy header of shape {shape:?} is too long")))?;
    let io = |e| Error::io("write", path, e);
    writer.write_all(MAGIC).map_err(io)?;
    writer.write_all(&[1, 0]).map_err(io)?;
    writer.write_all(&len.to_le_bytes()).map_err(io)?;
    writer.write_all(&header).map_err(io)?;
    const CHUNK: usize = 1 << 14;
    let mut bytes = Vec::new();
    for start in (0..count).step_by(CHUNK) {
        bytes.clear();
        encode(start, CHUNK.min(count - start), &mut bytes);
        writer.write_all(&bytes).map_err(io)?;
    }
    writer.flush().map_err(io)
}

/// Writes a float32 C-order `.npy` file atomically (see [`AtomicFile`]).
pub fn write_f32_file(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write_f32(&mut file, path, shape, data)?;
    file.commit()
}

/// Writes a uint8 C-order `.npy` file atomically (see [`AtomicFile`]).
pub fn write_u8_file(path: &Path, shape: &[usize], data: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write_u8(&mut file, path, shape, data)?;
    file.commit()
}

/// Reads a `.npy` file of little-endian float32 in C order (version 1.0 or 2.0): its shape
/// and values. Anything else is refused with [`Error::Format`].
pub fn read_f32_file(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, e))?;
    let bad = |message: &str| Error::format(path, None, message);
    if bytes.len() < PREAMBLE || &bytes[..6] != MAGIC {
        return Err(bad("not a .npy file (no \\x93NUMPY magic)"));
    }
    let (len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 if bytes.len() >= 12 => {
            let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (len as usize, 12)
        }
        _ => return Err(bad("unsupported .npy version")),
    };
    let header = bytes
        .get(start..start + len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| bad("truncated or non-text header"))?;
    if !header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False") {
        return Err(bad("only little-endian float32 arrays in C order are read"));
    }
    let shape = parse_shape(header).ok_or_else(|| bad("cannot parse the shape"))?;
    let data = &bytes[start + len..];
    let count: usize = shape.iter().product();
    if data.len() != count * 4 {
        return Err(bad(&format!(
            "shape {shape:?} needs {} bytes of data, the file has {}",
            count * 4,
            data.len()
        )));
    }
    let values = data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok((shape, values))
}

/// The `'shape': (a, b, ...)` tuple of a header.
fn parse_shape(header: &str) -> Option<Vec<usize>> {
    let rest = &header[header.find("'shape':")? + "'shape':".len()..];
    let open = rest.find('(')?;
    let close = rest.find(')')?;
    rest[open + 1..close]
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_round_trips() {
        for shape in [vec![3, 4], vec![5], vec![0, 300], vec![2, 3, 4]] {
            let mut bytes = Vec::new();
            let n: usize = shape.iter().product();
            let data: Vec<f32> = (0..n).map(|i| i as f32 * 0.5).collect();
            write_f32(&mut bytes, Path::new("x.npy"), &shape, &data).unwrap();
            assert_eq!((bytes.len() - n * 4) % ALIGN, 0, "{shape:?}");
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("x.npy");
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_f32_file(&path).unwrap(), (shape, data));
        }
        assert!(
            header(&[7]).starts_with(b"{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }")
        );
    }

    #[test]
    fn refuses_wrong_length() {
        let mut bytes = Vec::new();
        assert!(write_f32(&mut bytes, Path::new("x"), &[2, 2], &[1.0]).is_err());
        assert!(write_u8(&mut bytes, Path::new("x"), &[2, 2], &[1]).is_err());
    }

    #[test]
    fn u8_array_layout() {
        let mut bytes = Vec::new();
        let data: Vec<u8> = (0..40_000u32).map(|i| (i % 2) as u8).collect();
        write_u8(&mut bytes, Path::new("m.npy"), &[2, 20_000], &data).unwrap();
        let start = bytes.len() - data.len();
        assert_eq!(start % ALIGN, 0);
        assert_eq!(&bytes[start..], &data[..]);
        let header = std::str::from_utf8(&bytes[PREAMBLE..start]).unwrap();
        assert!(
            header.starts_with("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 20000), }")
        );
    }
}
