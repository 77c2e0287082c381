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

mod kmeans;
#[cfg(test)]
mod tests;

use crate::Embeddings;
use crate::error::{Error, Result};
use kmeans::{assign, first_centroids, mean_cosine, move_centroids};

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
        let mut centroids = first_centroids(unit, self.norms(), dim, options);
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
