//! Word classes: the words grouped into `k` clusters of similar direction (word2vec.c's
//! `-classes`).
//!
//! The method is spherical k-means: every word is its unit row `u_i`, a class is a unit
//! centroid `c_j`, and a word belongs to the class of highest cosine `u_i · c_j`. A pass
//! assigns every word, then moves each centroid to the normalised sum of its words' unit
//! rows; passes stop when no word changes class or after the given number of passes.
//! word2vec.c does the same from the raw rows, with class `i mod k` as the first guess; here
//! the first centroids are chosen by k-means++ (Arthur and Vassilvitskii, 2007): the first
//! at random, each next one at random with probability proportional to `2 − 2 cos`, the
//! squared distance between unit vectors, to the nearest centroid chosen so far. That spreads
//! them over the words and needs fewer passes.
//!
//! The assignment is the nearest-neighbour engine of queries (`search::top_k`), which scores
//! each pair bit-identically whatever the thread count, and the sums are taken in word
//! order on one thread, so a seed gives the same classes on any number of threads.
//!
//! A word whose row is all zeros has cosine 0 with every centroid: it goes to class 0, is
//! never chosen as a first centroid and adds nothing to a centroid. A class that loses all
//! its words keeps its centroid, and may win words back in the next pass.

use crate::Embeddings;
use crate::embeddings::search;
use crate::error::{Error, Result};
use crate::rng::{self, Stream};

/// How to group words into classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassOptions {
    /// How many classes (word2vec.c `-classes`).
    pub classes: usize,
    /// Most assignment passes; fewer are made once no word changes class.
    pub iterations: usize,
    /// Seed of the first centroids' choice.
    pub seed: u32,
    /// Threads that score words against centroids.
    pub threads: usize,
}

impl ClassOptions {
    /// `classes` classes, at most 10 passes (word2vec.c's), seed 1, every core.
    pub fn new(classes: usize) -> ClassOptions {
        ClassOptions {
            classes,
            iterations: DEFAULT_ITERATIONS,
            seed: 1,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// word2vec.c's number of k-means passes.
pub const DEFAULT_ITERATIONS: usize = 10;

/// What one assignment pass did, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassPass {
    /// The pass, from 1.
    pub pass: usize,
    /// The most passes there may be.
    pub most: usize,
    /// Words whose class changed in this pass (every word in the first).
    pub changed: usize,
}

/// Every word's class, and the classes' centroids.
#[derive(Clone, Debug, PartialEq)]
pub struct WordClasses {
    classes: Vec<u32>,
    centroids: Vec<f32>,
    dim: usize,
    passes: usize,
    converged: bool,
    mean_cosine: f64,
}

impl WordClasses {
    /// The class of every word, by word id (vocabulary order), each below the class count.
    pub fn classes(&self) -> &[u32] {
        &self.classes
    }

    /// How many classes.
    pub fn count(&self) -> usize {
        self.centroids.len() / self.dim
    }

    /// The unit centroid of every class, row-major `[count, dim]`.
    pub fn centroids(&self) -> &[f32] {
        &self.centroids
    }

    /// Assignment passes made.
    pub fn passes(&self) -> usize {
        self.passes
    }

    /// Whether the last pass changed no word's class (else the passes ran out first).
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The mean cosine of the words with a non-zero row to their class's centroid: the
    /// objective k-means raises, from 0 (no better than chance) towards 1.
    pub fn mean_cosine(&self) -> f64 {
        self.mean_cosine
    }

    /// How many words each class has.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.count()];
        for &class in &self.classes {
            sizes[class as usize] += 1;
        }
        sizes
    }
}

impl Embeddings {
    /// Groups the words into classes (module docs); [`Error::InvalidOption`] for no class,
    /// no pass, or more classes than words with a non-zero row.
    pub fn word_classes(&self, options: &ClassOptions) -> Result<WordClasses> {
        self.word_classes_with(options, &mut |_| {})
    }

    /// [`Embeddings::word_classes`], calling `progress` after every pass.
    pub fn word_classes_with(
        &self,
        options: &ClassOptions,
        progress: &mut dyn FnMut(ClassPass),
    ) -> Result<WordClasses> {
        let nonzero = self.norms().iter().filter(|&&n| n > 0.0).count();
        check(options, nonzero)?;
        let (unit, dim) = (self.normalized(), self.dim());
        let mut centroids = first_centroids(unit, dim, options);
        let mut classes: Vec<u32> = Vec::new();
        let (mut passes, mut converged) = (0, false);
        while passes < options.iterations && !converged {
            passes += 1;
            let next = assign(unit, &centroids, dim, options.threads);
            let changed = if classes.is_empty() {
                next.len()
            } else {
                next.iter().zip(&classes).filter(|(a, b)| a != b).count()
            };
            converged = passes > 1 && changed == 0;
            classes = next;
            move_centroids(&mut centroids, unit, &classes, dim);
            progress(ClassPass {
                pass: passes,
                most: options.iterations,
                changed,
            });
        }
        let mean_cosine = mean_cosine(unit, &centroids, &classes, dim, nonzero);
        Ok(WordClasses {
            classes,
            centroids,
            dim,
            passes,
            converged,
            mean_cosine,
        })
    }
}

fn check(options: &ClassOptions, nonzero: usize) -> Result<()> {
    let invalid = |option, reason: String| Err(Error::InvalidOption { option, reason });
    if options.classes == 0 {
        return invalid("classes", "must be at least 1".into());
    }
    if options.iterations == 0 {
        return invalid("iterations", "must be at least 1".into());
    }
    if options.classes > nonzero {
        return invalid(
            "classes",
            format!(
                "{} classes need as many words with a non-zero vector, and there are {nonzero}",
                options.classes
            ),
        );
    }
    Ok(())
}

/// The class of highest cosine for every unit row (ties to the lower class).
fn assign(unit: &[f32], centroids: &[f32], dim: usize, threads: usize) -> Vec<u32> {
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
fn move_centroids(centroids: &mut [f32], unit: &[f32], classes: &[u32], dim: usize) {
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

/// k-means++ (module docs) over the non-zero unit rows; `check` made sure there are at
/// least `options.classes` of them.
fn first_centroids(unit: &[f32], dim: usize, options: &ClassOptions) -> Vec<f32> {
    let words = unit.len() / dim;
    let nonzero: Vec<bool> = unit
        .chunks_exact(dim)
        .map(|row| row.iter().any(|&x| x != 0.0))
        .collect();
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

fn mean_cosine(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    fn embeddings(rows: &[Vec<f32>]) -> Embeddings {
        let words = (0..rows.len()).map(|i| format!("w{i}")).collect();
        let vocab = Vocab::from_ordered(words, vec![1; rows.len()]);
        Embeddings::new(vocab, rows[0].len(), rows.concat()).unwrap()
    }

    /// `groups` tight bunches of `per_group` rows around random directions in `dim`
    /// dimensions, interleaved (word `i` in bunch `i % groups`), with random lengths.
    fn bunches(groups: usize, per_group: usize, dim: usize, seed: u32) -> Vec<Vec<f32>> {
        let centres = rng::uniform_values(groups * dim, seed);
        let noise = rng::uniform_values(groups * per_group * dim, seed + 1);
        let lengths = rng::uniform_values(groups * per_group, seed + 2);
        (0..groups * per_group)
            .map(|i| {
                let centre = &centres[(i % groups) * dim..(i % groups + 1) * dim];
                let length = 1.5 + lengths[i];
                (0..dim)
                    .map(|k| length * (centre[k] + 0.02 * noise[i * dim + k]))
                    .collect()
            })
            .collect()
    }

    /// Whether two labellings make the same partition (equal up to renaming the classes).
    fn same_partition(a: &[u32], b: &[u32]) -> bool {
        let mut map = std::collections::HashMap::new();
        let mut back = std::collections::HashMap::new();
        a.iter()
            .zip(b)
            .all(|(x, y)| *map.entry(x).or_insert(y) == y && *back.entry(y).or_insert(x) == x)
    }

    fn options(classes: usize, threads: usize) -> ClassOptions {
        ClassOptions {
            classes,
            iterations: 20,
            seed: 7,
            threads,
        }
    }

    #[test]
    fn separated_bunches_are_found_exactly() {
        for (groups, per_group, dim) in [(5, 40, 16), (12, 9, 7), (3, 101, 3)] {
            let emb = embeddings(&bunches(groups, per_group, dim, 11));
            let found = emb.word_classes(&options(groups, 2)).unwrap();
            let truth: Vec<u32> = (0..groups * per_group)
                .map(|i| (i % groups) as u32)
                .collect();
            let case = format!("{groups} bunches of {per_group} in {dim} dimensions");
            assert!(same_partition(found.classes(), &truth), "{case}");
            assert!(found.converged(), "{case}");
            assert_eq!(found.sizes(), vec![per_group; groups], "{case}");
            assert!(
                found.mean_cosine() > 0.99,
                "{case}: {}",
                found.mean_cosine()
            );
        }
    }

    /// Converged classes are a fixed point: every word's class is the centroid of highest
    /// cosine, checked with a plain loop, and every centroid is the normalised mean of its
    /// words.
    #[test]
    fn converged_classes_are_nearest_centroids_and_means() {
        let rows: Vec<Vec<f32>> = rng::uniform_values(300 * 10, 3)
            .chunks(10)
            .map(<[f32]>::to_vec)
            .collect();
        let emb = embeddings(&rows);
        let found = emb
            .word_classes(&ClassOptions {
                iterations: 200,
                ..options(8, 3)
            })
            .unwrap();
        assert!(found.converged());
        let c = found.centroids();
        for (id, &class) in found.classes().iter().enumerate() {
            let u = emb.unit_row(id as u32);
            let score = |j: usize| search::dot(u, &c[j * 10..(j + 1) * 10]);
            let best = (0..8).fold(0, |b, j| if score(j) > score(b) { j } else { b });
            assert_eq!(class as usize, best, "word {id}");
        }
        for j in 0..8 {
            let mut sum = [0.0f64; 10];
            for (id, _) in found
                .classes()
                .iter()
                .enumerate()
                .filter(|(_, c)| **c as usize == j)
            {
                for (s, x) in sum.iter_mut().zip(emb.unit_row(id as u32)) {
                    *s += f64::from(*x);
                }
            }
            let norm = sum.iter().map(|s| s * s).sum::<f64>().sqrt();
            for k in 0..10 {
                assert!(
                    (f64::from(c[j * 10 + k]) - sum[k] / norm).abs() < 1e-6,
                    "class {j}"
                );
            }
        }
    }

    #[test]
    fn same_classes_on_any_number_of_threads() {
        let emb = embeddings(&bunches(6, 37, 9, 5));
        let noisy: Vec<Vec<f32>> = rng::uniform_values(333 * 9, 8)
            .chunks(9)
            .map(<[f32]>::to_vec)
            .collect();
        for emb in [emb, embeddings(&noisy)] {
            let one = emb.word_classes(&options(6, 1)).unwrap();
            for threads in [2, 3, 8] {
                assert_eq!(emb.word_classes(&options(6, threads)).unwrap(), one);
            }
        }
    }

    #[test]
    fn as_many_classes_as_words_gives_each_its_own() {
        let rows: Vec<Vec<f32>> = rng::uniform_values(13 * 4, 2)
            .chunks(4)
            .map(<[f32]>::to_vec)
            .collect();
        let found = embeddings(&rows).word_classes(&options(13, 2)).unwrap();
        assert_eq!(found.sizes(), vec![1; 13]);
        assert!((found.mean_cosine() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn zero_rows_go_to_class_0_and_are_never_centroids() {
        let mut rows = bunches(2, 5, 3, 4);
        rows.insert(0, vec![0.0; 3]);
        rows.push(vec![0.0; 3]);
        let found = embeddings(&rows).word_classes(&options(2, 2)).unwrap();
        assert_eq!(found.classes()[0], 0);
        assert_eq!(found.classes()[11], 0);
        let real: Vec<u32> = found.classes()[1..11].to_vec();
        let truth: Vec<u32> = (0..10).map(|i| i % 2).collect();
        assert!(same_partition(&real, &truth));
        assert!(found.mean_cosine() > 0.99, "zero rows are not counted");
    }

    #[test]
    fn repeated_directions_leave_spare_classes_empty() {
        let rows = vec![
            vec![1.0, 0.0],
            vec![2.0, 0.0],
            vec![0.0, 3.0],
            vec![0.0, 1.0],
        ];
        let found = embeddings(&rows).word_classes(&options(4, 1)).unwrap();
        let sizes = found.sizes();
        assert_eq!(sizes.iter().sum::<usize>(), 4);
        assert_eq!(found.classes()[0], found.classes()[1]);
        assert_eq!(found.classes()[2], found.classes()[3]);
        assert_ne!(found.classes()[0], found.classes()[2]);
    }

    #[test]
    fn passes_stop_at_the_limit() {
        let rows: Vec<Vec<f32>> = rng::uniform_values(500 * 5, 9)
            .chunks(5)
            .map(<[f32]>::to_vec)
            .collect();
        let mut seen = Vec::new();
        let found = embeddings(&rows)
            .word_classes_with(
                &ClassOptions {
                    iterations: 1,
                    ..options(20, 2)
                },
                &mut |pass| seen.push(pass),
            )
            .unwrap();
        assert_eq!((found.passes(), found.converged()), (1, false));
        let first = ClassPass {
            pass: 1,
            most: 1,
            changed: 500,
        };
        assert_eq!(seen, vec![first]);
    }

    #[test]
    fn impossible_settings_are_refused_by_name() {
        let emb = embeddings(&[vec![1.0, 0.0], vec![0.0, 0.0], vec![0.0, 1.0]]);
        let refused = |options: ClassOptions| match emb.word_classes(&options) {
            Err(Error::InvalidOption { option, reason }) => format!("{option}: {reason}"),
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(options(0, 1)), "classes: must be at least 1");
        assert_eq!(
            refused(ClassOptions {
                iterations: 0,
                ..options(1, 1)
            }),
            "iterations: must be at least 1"
        );
        assert_eq!(
            refused(options(3, 1)),
            "classes: 3 classes need as many words with a non-zero vector, and there are 2"
        );
    }
}
