//! How far reading a corpus (or a vector file) has got, for a caller's progress bar: which
//! pass (counting the words, then encoding them) and how many of the text's bytes it has
//! read, as stored (compressed bytes for gzip), so that the total is the file's size.
//!
//! Reading threads add to it; any thread may look at it while they do.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A pass over the corpus text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadPass {
    /// The first pass: counting the words, for the vocabulary.
    Counting,
    /// The second pass: encoding the kept words as ids.
    Encoding,
    /// Finding phrases, second pass: counting pairs of adjacent words.
    CountingPairs,
    /// Finding phrases, third pass: writing the text with its phrases joined.
    Rewriting,
    /// Reading a file of word vectors.
    Loading,
}

impl ReadPass {
    /// Every pass, in the order of their stored index.
    const ALL: [ReadPass; 5] = [
        ReadPass::Counting,
        ReadPass::Encoding,
        ReadPass::CountingPairs,
        ReadPass::Rewriting,
        ReadPass::Loading,
    ];
}

/// Where reading stands: a shared handle, cloned into [`ReadOptions::progress`]
/// (crate::ReadOptions) and kept by whoever draws the bar.
#[derive(Clone, Debug, Default)]
pub struct ReadProgress {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// 0 before the first pass, then 1 + the pass's index.
    pass: AtomicU8,
    read: AtomicU64,
    total: AtomicU64,
    /// When the pass under way started.
    started: Mutex<Option<Instant>>,
}

/// One look at a [`ReadProgress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadSnapshot {
    /// The pass under way (or the last one, once reading is done).
    pub pass: ReadPass,
    /// Bytes of the text read in this pass.
    pub read: u64,
    /// Bytes of the text in all; 0 where not known (a pipe).
    pub total: u64,
    /// Time since this pass started.
    pub elapsed: Duration,
}

impl ReadProgress {
    /// A handle on which no pass has started.
    pub fn new() -> ReadProgress {
        ReadProgress::default()
    }

    /// Where reading stands; `None` until a pass starts (a corpus read from its cache makes
    /// no pass).
    pub fn snapshot(&self) -> Option<ReadSnapshot> {
        let index = self.shared.pass.load(Ordering::Acquire);
        let pass = *ReadPass::ALL.get(usize::from(index).checked_sub(1)?)?;
        let started = *self
            .shared
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        Some(ReadSnapshot {
            pass,
            read: self.shared.read.load(Ordering::Relaxed),
            total: self.shared.total.load(Ordering::Relaxed),
            elapsed: started.map_or(Duration::ZERO, |at| at.elapsed()),
        })
    }

    /// Starts `pass` over a text of `total` bytes.
    pub(crate) fn start(&self, pass: ReadPass, total: u64) {
        self.shared.read.store(0, Ordering::Relaxed);
        self.shared.total.store(total, Ordering::Relaxed);
        *self
            .shared
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        // Every pass is in ALL.
        let index = ReadPass::ALL.iter().position(|&p| p == pass).unwrap_or(0) + 1;
        self.shared.pass.store(index as u8, Ordering::Release);
    }

    /// Counts `bytes` more read.
    pub(crate) fn add(&self, bytes: u64) {
        self.shared.read.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// A reader that adds what it reads to a [`ReadProgress`].
pub(crate) struct CountingReader<R> {
    pub inner: R,
    pub progress: ReadProgress,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}
