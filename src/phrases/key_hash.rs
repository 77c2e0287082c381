//! A fast hash for phrase keys (numbers made of word ids, [`super::connectors::phrase_key`]).
//! The pass that counts phrases looks one up for nearly every token, and the standard
//! library's SipHash, which guards against keys chosen to collide, costs more than the rest
//! of that lookup; these keys come from the program, not from an adversary. Each 64-bit
//! half is mixed in with a rotate, an xor and a multiply by an odd constant (the mixing of
//! rustc's FxHasher), which spreads it into the high bits; the high half is then folded into
//! the low one, which the table takes for a bucket's place (the low bits of a product depend
//! only on the low bits of its factors).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hash map keyed by phrase keys.
pub(super) type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;

/// An odd constant with well-spread bits (2^64 divided by the golden ratio, made odd).
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hasher of [`KeyMap`].
#[derive(Clone, Copy, Default)]
pub(super) struct KeyHasher(u64);

impl KeyHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.mix(key as u64);
        self.mix((key >> 64) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    /// Keys that differ in either word id or in a connector code spread over a table of
    /// 2^16 buckets, by the low bits (where hashbrown places a key) and by the top ones
    /// (its tag).
    #[test]
    fn nearby_keys_spread() {
        let build = BuildHasherDefault::<KeyHasher>::default();
        let keys: Vec<u128> = (0..1000u128)
            .flat_map(|i| [i, i << 32, i << 96, (i << 96) | (1 << 32) | 7])
            .collect();
        let low: std::collections::HashSet<u64> =
            keys.iter().map(|&k| build.hash_one(k) & 0xffff).collect();
        let high: std::collections::HashSet<u64> =
            keys.iter().map(|&k| build.hash_one(k) >> 48).collect();
        // 4,000 keys into 65,536 buckets: a good hash leaves few collisions (about 120).
        assert!(low.len() > 3_750, "{} low buckets", low.len());
        assert!(high.len() > 3_750, "{} high buckets", high.len());
    }
}
