//! Where corpus text comes from (a file, plain or gzip, or bytes in memory) and how it is
//! cut into blocks of whole lines that worker threads tokenize in parallel.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;

use super::progress::{CountingReader, ReadPass, ReadProgress};
use crate::error::{Error, Result};

/// Bytes of text a worker tokenizes at a time (cut at a newline, so a line is never split
/// between two workers, unless it is longer than this).
const BLOCK_BYTES: usize = 4 << 20;

/// Text that can be read from the start as often as needed: once to count the vocabulary,
/// once to encode it.
pub(crate) enum TextSource<'a> {
    /// A file, plain or gzip (detected by its first bytes).
    File(PathBuf),
    /// Bytes in memory, plain or gzip.
    Memory(&'a [u8]),
    /// The lines of a plain-text file whose first byte lies in a byte range that starts a
    /// line (one share of a file that several processes read).
    FileLines(PathBuf, Range<u64>),
}

impl TextSource<'_> {
    /// The corpus file at `path`, refused where it cannot be opened or is a directory.
    pub fn file(path: &Path) -> Result<TextSource<'static>> {
        let metadata = std::fs::metadata(path).map_err(|e| Error::io("open", path, e))?;
        if metadata.is_dir() {
            let reason = std::io::Error::other("Is a directory");
            return Err(Error::io("read", path, reason));
        }
        Ok(TextSource::File(path.to_path_buf()))
    }

    /// Bytes of the text as stored (compressed where it is gzip); 0 where not known.
    fn stored_len(&self) -> u64 {
        match self {
            TextSource::File(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
            TextSource::Memory(bytes) => bytes.len() as u64,
            TextSource::FileLines(_, range) => range.end - range.start,
        }
    }

    /// A reader of the whole text, decompressed where it is gzip; `name` names it in errors.
    /// The stored bytes it reads are added to `progress`, where given.
    fn open(
        &self,
        name: &Path,
        progress: Option<&ReadProgress>,
    ) -> Result<Box<dyn Read + Send + '_>> {
        let mut raw: Box<dyn Read + Send + '_> = match self {
            TextSource::File(path) => {
                let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
                Box::new(file)
            }
            TextSource::Memory(bytes) => Box::new(*bytes),
            TextSource::FileLines(path, range) => Box::new(LineRange::open(path, range.clone())?),
        };
        if let Some(progress) = progress {
            let progress = progress.clone();
            raw = Box::new(CountingReader {
                inner: raw,
                progress,
            });
        }
        if let TextSource::FileLines(..) = self {
            // A share of a plain-text file: never gzip.
            return Ok(Box::new(BufReader::with_capacity(1 << 16, raw)));
        }
        let mut buffered = BufReader::with_capacity(1 << 16, raw);
        let gzip = buffered
            .fill_buf()
            .map_err(|e| Error::io("read", name, e))?
            .starts_with(&[0x1f, 0x8b]);
        Ok(if gzip {
            Box::new(MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
        })
    }
}

/// Reads `source` in blocks of whole lines and hands each to `process` on one of `workers`
/// threads; `consume` gets the results on the calling thread, in text order. Returns each
/// worker's state (built by `make`) once the text is done. Where `progress` is given, the
/// pass starts there and its bytes are counted as they are read.
pub(crate) fn for_each_block<W: Send, R: Send>(
    source: &TextSource<'_>,
    name: &Path,
    workers: usize,
    progress: Option<(&ReadProgress, ReadPass)>,
    make: impl Fn() -> W + Sync,
    process: impl Fn(&mut W, &[u8]) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<()>,
) -> Result<Vec<W>> {
    let workers = workers.max(1);
    if let Some((progress, pass)) = progress {
        progress.start(pass, source.stored_len());
    }
    let reader = source.open(name, progress.map(|(progress, _)| progress))?;
    std::thread::scope(|scope| {
        let (block_sender, block_receiver) = sync_channel::<(u64, Vec<u8>)>(2 * workers);
        let (result_sender, result_receiver) = sync_channel::<(u64, R)>(2 * workers);
        let blocks = Arc::new(Mutex::new(block_receiver));
        let producer = scope.spawn(move || produce(reader, name, block_sender));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let blocks = Arc::clone(&blocks);
                let results = result_sender.clone();
                let (make, process) = (&make, &process);
                scope.spawn(move || work(&blocks, &results, make(), process))
            })
            .collect();
        drop(result_sender);
        // Results arrive in any order; they are consumed in text order.
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0u64;
        let mut failure = None;
        for (sequence, result) in result_receiver {
            if failure.is_some() {
                continue;
            }
            pending.insert(sequence, result);
            while let Some(result) = pending.remove(&next) {
                if let Err(error) = consume(result) {
                    failure = Some(error);
                    break;
                }
                next += 1;
            }
        }
        let states: Vec<W> = handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        let produced = producer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        if let Some(error) = failure {
            return Err(error);
        }
        produced?;
        Ok(states)
    })
}

/// Reads blocks of whole lines from `reader` into `blocks`, numbered from 0.
fn produce(
    mut reader: Box<dyn Read + Send + '_>,
    name: &Path,
    blocks: SyncSender<(u64, Vec<u8>)>,
) -> Result<()> {
    let mut carry = Vec::new();
    let mut sequence = 0;
    loop {
        let mut block = std::mem::take(&mut carry);
        let start = block.len();
        block.resize(start.max(BLOCK_BYTES), 0);
        let mut filled = start;
        while filled < block.len() {
            match reader.read(&mut block[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("read", name, e)),
            }
        }
        let at_end = filled < block.len();
        block.truncate(filled);
        if !at_end {
            // The partial last line goes to the next block. A line longer than a block is
            // cut at its last whitespace (so no token is cut; the line becomes two
            // sentences there), or where the block is full if it has none.
            let cut = block
                .iter()
                .rposition(|&b| b == b'\n')
                .or_else(|| block.iter().rposition(|b| b.is_ascii_whitespace()));
            if let Some(cut) = cut {
                carry = block.split_off(cut + 1);
            }
        }
        if !block.is_empty() {
            if blocks.send((sequence, block)).is_err() {
                // The workers stopped: a consumer failed, and reports it.
                return Ok(());
            }
            sequence += 1;
        }
        if at_end {
            return Ok(());
        }
    }
}

/// One worker: blocks from the shared receiver until there are none.
fn work<W, R>(
    blocks: &Mutex<Receiver<(u64, Vec<u8>)>>,
    results: &SyncSender<(u64, R)>,
    mut state: W,
    process: &(impl Fn(&mut W, &[u8]) -> R + Sync),
) -> W {
    loop {
        let next = match blocks.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return state,
        };
        let Ok((sequence, block)) = next else {
            return state;
        };
        let result = process(&mut state, &block);
        if results.send((sequence, result)).is_err() {
            return state;
        }
    }
}

/// Reads the lines of a file whose first byte lies in `start..end`, `start` being a line
/// start: from `start` to the end of the line holding byte `end - 1`. Consecutive ranges cut
/// at line starts thus read every line exactly once.
struct LineRange {
    reader: BufReader<File>,
    /// File offset of the next byte read.
    at: u64,
    end: u64,
    /// Whether the last byte read ended a line.
    after_newline: bool,
    done: bool,
}

impl LineRange {
    /// `range.start` must begin a line (or be 0): the share's reader finds line starts.
    fn open(path: &Path, range: Range<u64>) -> Result<LineRange> {
        let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        reader
            .seek(SeekFrom::Start(range.start))
            .map_err(|e| Error::io("read", path, e))?;
        Ok(LineRange {
            reader,
            at: range.start,
            end: range.end,
            after_newline: true,
            done: range.start >= range.end,
        })
    }
}

impl Read for LineRange {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let available = self.reader.fill_buf()?;
        if available.is_empty() {
            self.done = true;
            return Ok(0);
        }
        let mut take = available.len().min(buf.len());
        if self.at >= self.end {
            // Past the range: finish the line under way, then stop.
            if self.after_newline {
                self.done = true;
                return Ok(0);
            }
            if let Some(newline) = available[..take].iter().position(|&b| b == b'\n') {
                take = newline + 1;
                self.done = true;
            }
        } else {
            take = take.min((self.end - self.at) as usize);
        }
        buf[..take].copy_from_slice(&available[..take]);
        self.reader.consume(take);
        self.at += take as u64;
        self.after_newline = buf[take - 1] == b'\n';
        Ok(take)
    }
}
