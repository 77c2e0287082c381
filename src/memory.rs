//! Host memory: what a training run will allocate, what the machine has free, and a refusal
//! with both numbers before allocating rather than an abort in the allocator.
//!
//! The free memory is the smaller of `MemAvailable` in `/proc/meminfo` and the room left
//! under a cgroup v2 limit (`memory.max - memory.current`), as a container may have far less
//! than the host. Where neither is known (not Linux), the check is skipped. The environment
//! variable `VECTRAIN_MEMORY_AVAILABLE` (bytes) overrides both, for tests and for users who
//! want a tighter budget.

use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::cpu::CPU_CHUNK_TOKENS;
use crate::error::{Error, Result};
use crate::units::human_bytes;

/// The environment variable that overrides the measured free memory, in bytes.
pub const OVERRIDE_VARIABLE: &str = "VECTRAIN_MEMORY_AVAILABLE";

/// Bytes a training run allocates once its corpus is in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Both embedding tables.
    pub tables: u64,
    /// A distributed run's copy of both tables as of the last synchronisation (zero
    /// elsewhere).
    pub tables_copy: u64,
    /// Sampling tables and the vocabulary copy of the result.
    pub vocabulary: u64,
    /// Scratch memory of all threads (update buffers, a batch of one chunk).
    pub scratch: u64,
    /// The corpus in memory: already allocated when the check runs (after reading), so
    /// reported but not counted in [`Estimate::total`].
    pub corpus: u64,
}

impl Estimate {
    /// The bytes needed to train `vocab_len` words with `params`.
    pub fn training(vocab_len: usize, params: &TrainParams) -> Estimate {
        let words = vocab_len as u64;
        let dim = params.dim as u64;
        let floats = 4u64;
        // Per word: keep probability (4), alias table (8), and in the result's vocabulary a
        // String, a count and a hash-map entry with a second String (about 100 bytes with
        // short words); with hierarchical softmax a Huffman path (8 for where it starts, 5
        // per node, about 20 nodes).
        let per_word = 4 + 8 + 100 + if params.hs { 8 + 5 * 20 } else { 0 };
        // Per thread: input, row, gradient, delta and `negative + 1` output rows of `dim`
        // floats, and with hierarchical softmax a path's (about 40 at most, word2vec.c's
        // bound); a batch holds words, positions and sentence ids of one chunk.
        let path_rows = if params.hs { 40 } else { 0 };
        let per_thread = (4 + params.negative as u64 + 1 + path_rows) * dim * floats
            + 3 * 4 * CPU_CHUNK_TOKENS as u64
            + 2 * params.window as u64 * 4;
        // With subwords the input table also holds the buckets, and the result copies the
        // words' mean vectors and the output table into the model beside the tables.
        let (table_rows, index_per_word) = match params.subwords {
            None => (words + params.output_rows(vocab_len) as u64, 0),
            Some(s) => {
                let rows = params.input_rows(vocab_len) as u64 + 3 * words;
                // Each word's row list: its own id, an offset, and about ten n-grams of each
                // length (a word's character count, plus its two markers).
                let lengths = (s.maxn + 1).saturating_sub(s.minn) as u64;
                (rows, 4 * (2 + 10 * lengths))
            }
        };
        Estimate {
            tables: table_rows.saturating_mul(dim).saturating_mul(floats),
            tables_copy: 0,
            vocabulary: words.saturating_mul(per_word + index_per_word),
            scratch: per_thread.saturating_mul(params.threads as u64),
            corpus: 0,
        }
    }

    /// The bytes needed to train `corpus` (already read, so reported beside them) with
    /// `params`.
    pub fn beside(corpus: &Corpus, params: &TrainParams) -> Estimate {
        Estimate {
            corpus: corpus.memory_bytes() as u64,
            ..Estimate::training(corpus.vocab.len(), params)
        }
    }

    /// With one more copy of both tables of `vocab_len` words: what a distributed run that
    /// adds up each rank's changes keeps of the tables as of the last synchronisation.
    pub fn with_tables_copy(mut self, vocab_len: usize, params: &TrainParams) -> Estimate {
        let rows = (params.input_rows(vocab_len) + vocab_len) as u64;
        self.tables_copy = rows.saturating_mul(params.dim as u64).saturating_mul(4);
        self
    }

    /// All bytes.
    pub fn total(&self) -> u64 {
        self.tables
            .saturating_add(self.tables_copy)
            .saturating_add(self.vocabulary)
            .saturating_add(self.scratch)
    }

    /// Refuses with [`Error::InsufficientMemory`] when more is needed than
    /// [`available_bytes`] says is free; passes where that is unknown.
    pub fn check(&self) -> Result<()> {
        check(self, available_bytes())
    }
}

/// Refuses when `estimate` is more than `available` (where known).
pub fn check(estimate: &Estimate, available: Option<u64>) -> Result<()> {
    let needed = estimate.total();
    match available {
        Some(available) if needed > available => {
            let copy = match estimate.tables_copy {
                0 => String::new(),
                bytes => format!(
                    ", {} for their copy as of the last synchronisation",
                    human_bytes(bytes)
                ),
            };
            Err(Error::InsufficientMemory {
                needed,
                available,
                details: format!(
                    "{} for the two tables{copy}, {} for vocabulary and sampling tables, {} of thread scratch, beside the {} of corpus already read",
                    human_bytes(estimate.tables),
                    human_bytes(estimate.vocabulary),
                    human_bytes(estimate.scratch),
                    human_bytes(estimate.corpus)
                ),
            })
        }
        _ => Ok(()),
    }
}

/// Free memory in bytes, or `None` where it cannot be known (see the module docs).
pub fn available_bytes() -> Option<u64> {
    if let Ok(text) = std::env::var(OVERRIDE_VARIABLE) {
        if let Ok(bytes) = text.trim().parse::<u64>() {
            return Some(bytes);
        }
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_available(&text));
    let cgroup = cgroup_room();
    match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
pub fn mem_available(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let rest = line.strip_prefix("MemAvailable:")?;
        let mut fields = rest.split_ascii_whitespace();
        let value: u64 = fields.next()?.parse().ok()?;
        match fields.next() {
            Some("kB") => value.checked_mul(1024),
            None => Some(value),
            Some(_) => None,
        }
    })
}

/// Room left under the cgroup v2 memory limit of this process, where there is one.
fn cgroup_room() -> Option<u64> {
    let read = |name: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{name}")).ok();
    // "max" (no limit) does not parse: no room to report.
    let max: u64 = read("memory.max")?.trim().parse().ok()?;
    let current: u64 = read("memory.current")?.trim().parse().ok()?;
    Some(max.saturating_sub(current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TrainConfig;

    #[test]
    fn meminfo_parses() {
        let text = "MemTotal:       24000000 kB\nMemFree:  1 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(mem_available(text), Some(2048 * 1024));
        assert_eq!(mem_available("MemFree: 1 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: x kB\n"), None);
    }

    #[test]
    fn refuses_more_than_available() -> Result<()> {
        let params = TrainConfig {
            dim: 1000,
            threads: Some(2),
            ..TrainConfig::default()
        }
        .check()?;
        let estimate = Estimate::training(100_000, &params);
        assert_eq!(estimate.tables, 2 * 100_000 * 1000 * 4);
        assert!(check(&estimate, None).is_ok());
        assert!(check(&estimate, Some(u64::MAX)).is_ok());
        let error = check(&estimate, Some(1 << 20)).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("not enough memory")),
            "{error:?}"
        );
        Ok(())
    }

    #[test]
    fn subwords_count_the_buckets() -> Result<()> {
        let config = TrainConfig {
            dim: 100,
            threads: Some(2),
            ..TrainConfig::default()
        };
        let plain = Estimate::training(50_000, &config.check()?);
        let with_subwords = TrainConfig {
            subwords: Some(crate::subwords::SubwordSettings::default()),
            ..config
        }
        .check()?;
        let subwords = Estimate::training(50_000, &with_subwords);
        // 2M buckets of 100 floats, and two result copies of the words' rows.
        let extra = (2_000_000 + 2 * 50_000) * 100 * 4;
        assert_eq!(subwords.tables, plain.tables + extra);
        assert!(subwords.vocabulary > plain.vocabulary);
        // A distributed run keeps the input table (words and buckets) and the output table
        // once more.
        let copy = subwords.with_tables_copy(50_000, &with_subwords);
        assert_eq!(copy.tables_copy, (2_000_000 + 2 * 50_000) * 100 * 4);
        assert_eq!(copy.total(), subwords.total() + copy.tables_copy);
        // The refusal names the copy apart from the tables, and only where there is one.
        let named = |estimate: &Estimate| {
            check(estimate, Some(1))
                .err()
                .is_some_and(|e| e.to_string().contains("for their copy"))
        };
        assert!(named(&copy));
        assert!(!named(&subwords));
        Ok(())
    }
}
