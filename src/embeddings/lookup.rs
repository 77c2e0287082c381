//! Lookups: one word, or a batch of words or ids, copied into a caller's buffer.
//!
//! The batch lookups write row `i` of the answer to `out[i * dim .. (i + 1) * dim]` and set
//! `found[i]`; they allocate nothing. What happens to a word outside the vocabulary is the
//! caller's choice, an [`Oov`] policy.
//!
//! Copying rows by id is the forward pass of an embedding layer, and the part a GPU can do:
//! [`Gather`] is that one operation, [`CpuGather`] its reference implementation, and
//! [`Embeddings::gather_with`] runs a batch through any implementation. A GPU gather plugs in
//! by implementing [`Gather`].

use super::Embeddings;
use crate::error::{Error, Result};

/// What a lookup does with a word outside the vocabulary (or an id out of range).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Oov {
    /// Fail with [`Error::UnknownWord`] (for ids, [`Error::Mismatch`]).
    #[default]
    Error,
    /// Write a row of zeros.
    Zeros,
    /// Write nothing: found rows are packed at the front of the output, in input order.
    Skip,
    /// Write the mean of all rows (see [`Embeddings::mean`]).
    Mean,
}

/// Options of the batch lookups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LookupOptions {
    /// What to do with unknown words.
    pub oov: Oov,
    /// Return L2-normalised rows (see [`Embeddings::normalized`]).
    pub normalized: bool,
}

impl LookupOptions {
    /// Raw rows with the given policy for unknown words.
    pub fn new(oov: Oov) -> LookupOptions {
        LookupOptions {
            oov,
            normalized: false,
        }
    }

    /// The same options, returning normalised rows.
    pub fn normalized(self) -> LookupOptions {
        LookupOptions {
            normalized: true,
            ..self
        }
    }
}

/// The result of an allocating batch lookup.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Row-major `[rows, dim]` vectors.
    pub data: Vec<f32>,
    /// Number of rows written: the input length, or the number found under [`Oov::Skip`].
    pub rows: usize,
    /// Per input word: whether it was in the vocabulary.
    pub found: Vec<bool>,
}

/// Copies embedding rows by id: the seam where a GPU gather kernel plugs in.
pub trait Gather {
    /// Writes row `ids[i]` of `emb` (of its normalised copy if `normalized`) to
    /// `out[i * dim .. (i + 1) * dim]`. Every id is below `emb.len()` and
    /// `out.len() == ids.len() * emb.dim()`; callers check both.
    fn gather(
        &self,
        emb: &Embeddings,
        ids: &[u32],
        normalized: bool,
        out: &mut [f32],
    ) -> Result<()>;
}

/// The CPU gather: one `copy_from_slice` per row. The reference for other implementations.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuGather;

impl Gather for CpuGather {
    fn gather(
        &self,
        emb: &Embeddings,
        ids: &[u32],
        normalized: bool,
        out: &mut [f32],
    ) -> Result<()> {
        for (&id, dst) in ids.iter().zip(out.chunks_exact_mut(emb.dim())) {
            dst.copy_from_slice(emb.row_of(id, normalized));
        }
        Ok(())
    }
}

impl Embeddings {
    /// Row `id`, raw or normalised.
    fn row_of(&self, id: u32, normalized: bool) -> &[f32] {
        if normalized {
            self.unit_row(id)
        } else {
            self.row(id)
        }
    }

    /// The vector of `word` as a new `Vec`, if it is in the vocabulary.
    pub fn embedding(&self, word: &str) -> Option<Vec<f32>> {
        self.get(word).map(<[f32]>::to_vec)
    }

    /// Copies the vector of `word` into `out` and returns true, or leaves `out` untouched and
    /// returns false if `word` is unknown. Panics if `out.len() != dim()`.
    pub fn embedding_into(&self, word: &str, out: &mut [f32]) -> bool {
        assert_eq!(
            out.len(),
            self.dim,
            "embedding_into needs a buffer of dim values"
        );
        match self.get(word) {
            Some(row) => {
                out.copy_from_slice(row);
                true
            }
            None => false,
        }
    }

    /// Looks up a batch of words into `out` (`words.len() * dim` values) and `found` (one
    /// flag per word). Returns the number of rows written: `words.len()`, or under
    /// [`Oov::Skip`] the number of words found (packed at the front; the rest of `out` is
    /// left as it was). Allocates nothing.
    pub fn embedding_batch_into<S: AsRef<str>>(
        &self,
        words: &[S],
        options: LookupOptions,
        out: &mut [f32],
        found: &mut [bool],
    ) -> Result<usize> {
        self.check_buffers(words.len(), out, found)?;
        let mut written = 0;
        for (word, flag) in words.iter().zip(found.iter_mut()) {
            let word = word.as_ref();
            let id = self.vocab.id(word);
            *flag = id.is_some();
            let dst = &mut out[written * self.dim..(written + 1) * self.dim];
            match (id, options.oov) {
                (Some(id), _) => dst.copy_from_slice(self.row_of(id, options.normalized)),
                (None, Oov::Error) => return Err(Error::UnknownWord(word.to_owned())),
                (None, Oov::Skip) => continue,
                (None, Oov::Zeros) => dst.fill(0.0),
                (None, Oov::Mean) => dst.copy_from_slice(self.mean(options.normalized)),
            }
            written += 1;
        }
        Ok(written)
    }

    /// [`embedding_batch_into`](Embeddings::embedding_batch_into) into new buffers.
    pub fn embedding_batch<S: AsRef<str>>(
        &self,
        words: &[S],
        options: LookupOptions,
    ) -> Result<Batch> {
        let mut data = vec![0.0; words.len() * self.dim];
        let mut found = vec![false; words.len()];
        let rows = self.embedding_batch_into(words, options, &mut data, &mut found)?;
        data.truncate(rows * self.dim);
        Ok(Batch { data, rows, found })
    }

    /// Looks up a batch of ids with [`CpuGather`]; see
    /// [`gather_with`](Embeddings::gather_with).
    pub fn embedding_ids_into(
        &self,
        ids: &[u32],
        options: LookupOptions,
        out: &mut [f32],
        found: &mut [bool],
    ) -> Result<usize> {
        self.gather_with(&CpuGather, ids, options, out, found)
    }

    /// Looks up a batch of ids (`ids[i] < len()` is found, anything else is out of
    /// vocabulary) into `out` and `found`, like
    /// [`embedding_batch_into`](Embeddings::embedding_batch_into), the rows being copied by
    /// `backend`.
    ///
    /// When every id is in range the whole batch goes to `backend` in one call. Otherwise
    /// the found ids are sent in runs between the unknown ones, so that no id list is
    /// allocated.
    pub fn gather_with(
        &self,
        backend: &dyn Gather,
        ids: &[u32],
        options: LookupOptions,
        out: &mut [f32],
        found: &mut [bool],
    ) -> Result<usize> {
        self.check_buffers(ids.len(), out, found)?;
        let n = self.len();
        let dim = self.dim;
        for (&id, flag) in ids.iter().zip(found.iter_mut()) {
            *flag = (id as usize) < n;
        }
        if found.iter().all(|&f| f) {
            backend.gather(self, ids, options.normalized, out)?;
            return Ok(ids.len());
        }
        if options.oov == Oov::Error {
            let bad = ids.iter().find(|&&id| id as usize >= n).copied();
            return Err(Error::Mismatch(format!(
                "id {} is out of range: the vocabulary has {n} words",
                bad.unwrap_or_default()
            )));
        }
        let mut written = 0;
        let mut start = 0;
        while start < ids.len() {
            // A run of found ids, then one unknown id (or the end).
            let end = found[start..]
                .iter()
                .position(|&f| !f)
                .map_or(ids.len(), |p| start + p);
            let run = end - start;
            if run > 0 {
                let dst = &mut out[written * dim..(written + run) * dim];
                backend.gather(self, &ids[start..end], options.normalized, dst)?;
                written += run;
            }
            if end < ids.len() {
                let dst = &mut out[written * dim..(written + 1) * dim];
                match options.oov {
                    Oov::Skip => {}
                    Oov::Zeros => {
                        dst.fill(0.0);
                        written += 1;
                    }
                    Oov::Mean | Oov::Error => {
                        dst.copy_from_slice(self.mean(options.normalized));
                        written += 1;
                    }
                }
            }
            start = end + 1;
        }
        Ok(written)
    }

    fn check_buffers(&self, n: usize, out: &[f32], found: &[bool]) -> Result<()> {
        if out.len() != n * self.dim || found.len() != n {
            return Err(Error::Mismatch(format!(
                "a batch of {n} needs {} values and {n} flags, got {} and {}",
                n * self.dim,
                out.len(),
                found.len()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::tests::tiny;

    #[test]
    fn single_lookups() {
        let emb = tiny();
        assert_eq!(emb.embedding("a"), Some(vec![3.0, 4.0]));
        let mut out = [9.0; 2];
        assert!(!emb.embedding_into("zzz", &mut out));
        assert_eq!(out, [9.0, 9.0]);
        assert!(emb.embedding_into("b", &mut out));
        assert_eq!(out, [0.0, 1.0]);
    }

    #[test]
    fn oov_policies() {
        let emb = tiny();
        let words = ["b", "x", "a"];
        let zeros = emb
            .embedding_batch(&words, LookupOptions::new(Oov::Zeros))
            .unwrap();
        assert_eq!(zeros.data, [0.0, 1.0, 0.0, 0.0, 3.0, 4.0]);
        assert_eq!(zeros.found, [true, false, true]);
        let skip = emb
            .embedding_batch(&words, LookupOptions::new(Oov::Skip))
            .unwrap();
        assert_eq!((skip.rows, skip.data), (2, vec![0.0, 1.0, 3.0, 4.0]));
        let mean = emb
            .embedding_batch(&words, LookupOptions::new(Oov::Mean))
            .unwrap();
        assert_eq!(&mean.data[2..4], [1.0, 1.5]);
        let unit = emb
            .embedding_batch(&["a"], LookupOptions::new(Oov::Error).normalized())
            .unwrap();
        assert_eq!(unit.data, [0.6, 0.8]);
        assert!(matches!(
            emb.embedding_batch(&words, LookupOptions::new(Oov::Error)),
            Err(Error::UnknownWord(w)) if w == "x"
        ));
    }

    #[test]
    fn ids_agree_with_words() {
        let emb = tiny();
        let ids = [1, 7, 0, 3, 9];
        let words = ["b", "?", "a", "d", "?"];
        for oov in [Oov::Zeros, Oov::Skip, Oov::Mean] {
            let options = LookupOptions::new(oov);
            let mut out = vec![0.0; 10];
            let mut found = vec![false; 5];
            let rows = emb
                .embedding_ids_into(&ids, options, &mut out, &mut found)
                .unwrap();
            let expected = emb.embedding_batch(&words, options).unwrap();
            assert_eq!(rows, expected.rows);
            assert_eq!(&out[..rows * 2], &expected.data[..]);
            assert_eq!(found, expected.found);
        }
        let mut out = vec![0.0; 10];
        let mut found = vec![false; 5];
        assert!(
            emb.embedding_ids_into(&ids, LookupOptions::default(), &mut out, &mut found)
                .is_err()
        );
        assert!(
            emb.embedding_ids_into(&ids[..1], LookupOptions::default(), &mut out, &mut found)
                .is_err()
        );
    }
}
