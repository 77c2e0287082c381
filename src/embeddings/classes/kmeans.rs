//! The steps of spherical k-means (the module above says the method): assigning words to
//! centroids, moving the centroids, and k-means++ for the first ones.

use super::ClassOptions;
use crate::embeddings::search;
use crate::rng::{self, Stream};

/// The class of highest cosine for every unit row (ties to the lower class).
pub(super) fn assign(unit: &[f32], centroids: &[f32], dim: usize, threads: usize) -> Vec<u32> {
    let norms = search::row_norms(centroids, dim);
    search::top_k(centroids, &norms, dim, unit, 1, threads)
        .iter()
        // A zero row scores 0 against every centroid, so the list is never empty; class 0
        // is the documented answer all the same.
        .map(|top| top.rows().next().unwrap_or(0))
        .collect()
}

/// Each centroid moved to the normalised sum of its words' unit rows, summed in f64 in
/// word order; a class without words, or whose words cancel out, keeps its centroid.
pub(super) fn move_centroids(centroids: &mut [f32], unit: &[f32], classes: &[u32], dim: usize) {
    let mut sums = vec![0.0f64; centroids.len()];
    for (row, &class) in unit.chunks_exact(dim).zip(classes) {
        let sum = &mut sums[class as usize * dim..(class as usize + 1) * dim];
        for (s, &x) in sum.iter_mut().zip(row) {
            *s += f64::from(x);
        }
    }
    for (centroid, sum) in centroids.chunks_exact_mut(dim).zip(sums.chunks_exact(dim)) {
        let norm = sum.iter().map(|s| s * s).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (c, s) in centroid.iter_mut().zip(sum) {
                *c = (s / norm) as f32;
            }
        }
    }
}

/// k-means++ (module docs) over the unit rows of the words whose `norms` are above 0;
/// `check` made sure there are at least `options.classes` of them.
pub(super) fn first_centroids(
    unit: &[f32],
    norms: &[f32],
    dim: usize,
    options: &ClassOptions,
) -> Vec<f32> {
    let words = norms.len();
    let nonzero: Vec<bool> = norms.iter().map(|&n| n > 0.0).collect();
    // Squared distance of every word to its nearest centroid so far; 0 keeps a word from
    // being chosen (zero rows, and words already chosen).
    let mut weight: Vec<f64> = nonzero.iter().map(|&n| f64::from(u8::from(n))).collect();
    let mut chosen = Vec::with_capacity(options.classes);
    let key = rng::epoch_key(options.seed, 0);
    for class in 0..options.classes {
        let word = draw_weighted(&weight, uniform_f64(key, class as u32))
            // Every remaining word sits on a chosen direction: take the first unchosen one
            // (the class will share a centroid, and may stay empty).
            .or_else(|| (0..words).find(|&w| nonzero[w] && !chosen.contains(&w)))
            .unwrap_or(0);
        chosen.push(word);
        let centre = &unit[word * dim..(word + 1) * dim];
        nearest_distances(unit, centre, dim, &mut weight, options.threads);
        weight[word] = 0.0;
    }
    chosen
        .iter()
        .flat_map(|&w| unit[w * dim..(w + 1) * dim].iter().copied())
        .collect()
}

/// Lowers each positive `weight` to `2 − 2 cos` to `centre` where that is smaller.
fn nearest_distances(unit: &[f32], centre: &[f32], dim: usize, weight: &mut [f64], threads: usize) {
    let share = weight.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        for (rows, weights) in unit.chunks(share * dim).zip(weight.chunks_mut(share)) {
            scope.spawn(move || {
                for (row, w) in rows.chunks_exact(dim).zip(weights) {
                    if *w > 0.0 {
                        // Eight accumulators: SIMD, the same bits on any thread.
                        let cos = crate::cpu::update::dot(row, centre);
                        let d = (2.0 - 2.0 * f64::from(cos)).max(0.0);
                        *w = w.min(d);
                    }
                }
            });
        }
    });
}

/// The index where the running sum of `weight` passes `u` times its total; `None` when
/// every weight is 0.
fn draw_weighted(weight: &[f64], u: f64) -> Option<usize> {
    let total: f64 = weight.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let target = u * total;
    let mut sum = 0.0;
    let mut last = None;
    for (i, &w) in weight.iter().enumerate() {
        if w > 0.0 {
            sum += w;
            last = Some(i);
            if sum > target {
                return last;
            }
        }
    }
    // Rounding left the sum a hair below the target: the last candidate.
    last
}

/// A number uniform in [0, 1) with 48 random bits, from the training generator.
fn uniform_f64(key: u32, position: u32) -> f64 {
    let high = rng::draw(key, Stream::Init, position, 0) >> 8;
    let low = rng::draw(key, Stream::Init, position, 1) >> 8;
    (f64::from(high) * 16_777_216.0 + f64::from(low)) / 281_474_976_710_656.0
}

pub(super) fn mean_cosine(
    unit: &[f32],
    centroids: &[f32],
    classes: &[u32],
    dim: usize,
    nonzero: usize,
) -> f64 {
    let total: f64 = unit
        .chunks_exact(dim)
        .zip(classes)
        .map(|(row, &class)| {
            let c = &centroids[class as usize * dim..(class as usize + 1) * dim];
            f64::from(search::dot(row, c))
        })
        .sum();
    total / nonzero.max(1) as f64
}
