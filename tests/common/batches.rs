//! Random batches for the kernel tests: a small corpus with a long tail, so words repeat
//! within windows and rows are added to concurrently.

use super::TestRng;
use vectrain::batch::Batch;
use vectrain::sampling;

/// Counts with a long tail, like a corpus's.
pub fn zipf_counts(words: usize) -> Vec<u64> {
    (0..words).map(|i| 1 + 10_000 / (i as u64 + 1)).collect()
}

/// A batch of a small random corpus: `vocab` words (Zipf-like, so words repeat within
/// windows), sentences of 1 to 14 tokens, subsampled as training does.
pub fn random_batch(rng: &mut TestRng, vocab: u32, tokens: usize, key: u32) -> (Batch, Vec<u64>) {
    let mut counts = vec![0u64; vocab as usize];
    let mut sentences = Vec::new();
    let mut total = 0;
    while total < tokens {
        let len = 1 + rng.below(14) as usize;
        let sentence: Vec<u32> = (0..len)
            .map(|_| {
                // Squaring a uniform draw favours small ids.
                let u = rng.below(1 << 16) as u64;
                ((u * u * vocab as u64) >> 32) as u32
            })
            .collect();
        for &w in &sentence {
            counts[w as usize] += 1;
        }
        total += len;
        sentences.push(sentence);
    }
    let keep = sampling::keep_probabilities(&counts, 1e-2);
    let mut batch = Batch::new();
    let mut position = 0;
    for sentence in &sentences {
        batch.push_sentence(sentence, position, &keep, key);
        position += sentence.len() as u32;
    }
    (batch, counts)
}
