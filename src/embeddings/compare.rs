//! gensim's other `KeyedVectors` comparisons: the cosine of one vector with many, a vector's
//! distance to every word, the words closer to a word than another and its rank, the
//! weighted mean of vectors, the similarity of two sets of words, and the odd one out.
//!
//! The formulas are gensim 4.4's, so that results compare on the same file:
//!
//! ```text
//! cosine_similarities(v, R)ᵢ = dot(Rᵢ, v) / (|v| |Rᵢ|)        NaN where a norm is zero
//! distances(v)ᵢ             = 1 − cosine(v, rowᵢ)
//! closer_than(a, b)         = the words w ≠ a with distance(a, w) < distance(a, b)
//! rank(a, b)                = |closer_than(a, b)| + 1
//! mean_vector(V, w)         = Σ wᵢ Vᵢ / Σ |wᵢ|                 (the sum where Σ |wᵢ| = 0)
//! n_similarity(A, B)        = cos(mean(A), mean(B))            raw vectors, unit weights
//! rank_by_centrality(V)     = dot(V̂ᵢ, unit(mean(V̂))), best first; doesnt_match is the last
//! ```
//!
//! Sums run in f32 in gensim's order where gensim fixes one (the means), so results agree with
//! its to about 1e-7; dot products are summed left to right, numpy's BLAS in another order.

use super::Embeddings;
use super::search::dot;
use crate::error::{Error, Result};

/// The cosine of `vector` with each row of `rows` (row-major, `vector.len()` values a row),
/// gensim's `cosine_similarities`: NaN where `vector` or a row has norm zero, as in numpy.
pub fn cosine_similarities(vector: &[f32], rows: &[f32]) -> Result<Vec<f32>> {
    let dim = vector.len();
    if dim == 0 || !rows.len().is_multiple_of(dim) {
        return Err(Error::Mismatch(format!(
            "rows of {} values are not rows of {dim} (the vector's length)",
            rows.len()
        )));
    }
    let norm = norm(vector);
    Ok(rows
        .chunks_exact(dim)
        .map(|row| dot(row, vector) / (norm * self::norm(row)))
        .collect())
}

/// The Euclidean norm of `vector`, summed in f64 as the table's row norms are.
fn norm(vector: &[f32]) -> f32 {
    let sum: f64 = vector.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    sum.sqrt() as f32
}

/// `vector` divided by its norm (left alone when zero), gensim's `unitvec`.
fn unit(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = norm(&vector);
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

/// The weighted mean of `vectors`, gensim's `get_mean_vector` given vectors: `Σ wᵢ vᵢ / Σ |wᵢ|`
/// (weights 1 where `weights` is `None`; the sum itself where the weights add to zero), of
/// unit length with `unit_length`. An empty list, a weight per vector missing, or vectors of
/// different lengths are [`Error::Mismatch`].
pub fn mean_vector(
    vectors: &[&[f32]],
    weights: Option<&[f32]>,
    unit_length: bool,
) -> Result<Vec<f32>> {
    let Some(first) = vectors.first() else {
        return Err(Error::Mismatch("a mean needs at least one vector".into()));
    };
    if let Some(weights) = weights.filter(|w| w.len() != vectors.len()) {
        return Err(Error::Mismatch(format!(
            "{} weights for {} vectors: one weight per vector",
            weights.len(),
            vectors.len()
        )));
    }
    let dim = first.len();
    let mut mean = vec![0.0f32; dim];
    let mut total = 0.0f32;
    for (at, vector) in vectors.iter().enumerate() {
        if vector.len() != dim {
            return Err(Error::Mismatch(format!(
                "vector {at} has {} values, the first has {dim}",
                vector.len()
            )));
        }
        let weight = weights.map_or(1.0, |w| w[at]);
        mean.iter_mut()
            .zip(*vector)
            .for_each(|(m, &x)| *m += weight * x);
        total += weight.abs();
    }
    if total > 0.0 {
        mean.iter_mut().for_each(|m| *m /= total);
    }
    Ok(if unit_length { unit(mean) } else { mean })
}

/// The cosine of the means of two sets of vectors, gensim's `n_similarity` (which takes the
/// raw vectors' mean, not the unit vectors'). Either set empty is [`Error::Mismatch`].
pub fn n_similarity(a: &[&[f32]], b: &[&[f32]]) -> Result<f32> {
    if a.is_empty() || b.is_empty() {
        return Err(Error::Mismatch(
            "n_similarity needs at least one word on each side".into(),
        ));
    }
    let (a, b) = (mean_vector(a, None, true)?, mean_vector(b, None, true)?);
    if a.len() != b.len() {
        return Err(Error::Mismatch(format!(
            "vectors of {} and {} values",
            a.len(),
            b.len()
        )));
    }
    Ok(dot(&a, &b))
}

/// Each named vector's cosine with the centroid of them all, gensim's `rank_by_centrality`:
/// the vectors are taken of unit length (with `use_norm`, gensim's default) and averaged, the
/// centroid made of unit length, and `(cosine, name)` listed best first, equal cosines by
/// name from the last (gensim sorts the pairs in reverse). An empty list is
/// [`Error::Mismatch`].
pub fn rank_by_centrality<'w>(
    named: &[(&'w str, &[f32])],
    use_norm: bool,
) -> Result<Vec<(f32, &'w str)>> {
    let vectors: Vec<Vec<f32>> = named
        .iter()
        .map(|(_, v)| {
            if use_norm {
                unit(v.to_vec())
            } else {
                v.to_vec()
            }
        })
        .collect();
    let rows: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
    if rows.is_empty() {
        return Err(Error::Mismatch(
            "cannot select a word from an empty list".into(),
        ));
    }
    let centroid = mean_vector(&rows, None, true)?;
    let mut ranked: Vec<(f32, &str)> = rows
        .iter()
        .zip(named)
        .map(|(row, (name, _))| (dot(row, &centroid), *name))
        .collect();
    ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| y.1.cmp(x.1)));
    Ok(ranked)
}

impl Embeddings {
    /// The cosine distance (1 − cosine) of `vector` to every row, by id, gensim's
    /// `distances` without `other_words`: NaN for a row of norm zero, as in gensim.
    pub fn distances(&self, vector: &[f32]) -> Result<Vec<f32>> {
        if vector.len() != self.dim {
            return Err(Error::Mismatch(format!(
                "a vector of {} values against rows of {}",
                vector.len(),
                self.dim
            )));
        }
        // The rows' norms are the table's own, computed once for every query.
        let norm = norm(vector);
        Ok(self
            .data
            .chunks_exact(self.dim)
            .zip(self.norms())
            .map(|(row, &row_norm)| 1.0 - dot(row, vector) / (norm * row_norm))
            .collect())
    }

    /// The words closer to `a` than `b` is, in row order, `a` left out (gensim's
    /// `closer_than`); both must be words of the vocabulary.
    pub fn closer_than(&self, a: &str, b: &str) -> Result<Vec<&str>> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        let distances = self.distances(self.row(a))?;
        let limit = distances[b as usize];
        Ok(distances
            .iter()
            .enumerate()
            .filter(|&(id, &d)| d < limit && id != a as usize)
            .map(|(id, _)| self.vocab.word(id as u32))
            .collect())
    }

    /// Where `b` comes among the words nearest `a`: 1 + the words closer to `a` than `b` is
    /// (gensim's `rank`).
    pub fn rank(&self, a: &str, b: &str) -> Result<usize> {
        Ok(self.closer_than(a, b)?.len() + 1)
    }

    /// The cosine of the mean vectors of two sets of words (gensim's `n_similarity`).
    pub fn n_similarity(&self, a: &[&str], b: &[&str]) -> Result<f32> {
        let rows = |words: &[&str]| -> Result<Vec<&[f32]>> {
            words.iter().map(|w| Ok(self.row(self.id(w)?))).collect()
        };
        n_similarity(&rows(a)?, &rows(b)?)
    }

    /// The word of `words` furthest from their centroid (gensim's `doesnt_match`); words
    /// without a row are left out, as gensim leaves them (with a warning), and a list with
    /// none that has a row is [`Error::Mismatch`].
    pub fn doesnt_match<'w>(&self, words: &[&'w str]) -> Result<&'w str> {
        let named: Vec<(&str, &[f32])> = words
            .iter()
            .filter_map(|&w| self.get(w).map(|row| (w, row)))
            .collect();
        let ranked = rank_by_centrality(&named, true)?;
        Ok(ranked.last().map(|&(_, word)| word).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::tests::tiny;

    // tiny(): a = (3, 4), b = (0, 1), c = (0, 0), d = (1, 1).

    #[test]
    fn distances_to_every_row_with_nan_for_a_zero_row() {
        let distances = tiny().distances(&[1.0, 0.0]).unwrap();
        assert!((distances[0] - 0.4).abs() < 1e-6, "{distances:?}");
        assert_eq!(distances[1], 1.0);
        assert!(distances[2].is_nan());
        assert!((distances[3] - (1.0 - 0.5f32.sqrt())).abs() < 1e-6);
        assert!(tiny().distances(&[1.0]).is_err());
    }

    #[test]
    fn closer_than_and_rank_leave_out_the_word_and_zero_rows() {
        let emb = tiny();
        // From b: b 0 (itself), a 0.2, d 0.29, c NaN.
        assert_eq!(emb.closer_than("b", "d").unwrap(), ["a"]);
        assert_eq!(emb.rank("b", "d").unwrap(), 2);
        assert_eq!(emb.rank("b", "a").unwrap(), 1);
        assert!(emb.closer_than("b", "zebra").is_err());
    }

    #[test]
    fn weighted_mean_as_gensim_computes_it() {
        let (x, y) = ([1.0f32, 2.0], [3.0f32, -2.0]);
        assert_eq!(mean_vector(&[&x, &y], None, false).unwrap(), [2.0, 0.0]);
        // Σ w v = (1 - 9, 2 + 6) = (-8, 8), Σ |w| = 4.
        let weighted = mean_vector(&[&x, &y], Some(&[1.0, -3.0]), false).unwrap();
        assert_eq!(weighted, [-2.0, 2.0]);
        let unit = mean_vector(&[&x, &y], None, true).unwrap();
        assert_eq!(unit, [1.0, 0.0]);
        // Weights adding to zero leave the sum.
        assert_eq!(mean_vector(&[&x], Some(&[0.0]), false).unwrap(), [0.0, 0.0]);
        assert!(mean_vector(&[], None, false).is_err());
        assert!(mean_vector(&[&x], Some(&[1.0, 2.0]), false).is_err());
        assert!(mean_vector(&[&x, &[1.0]], None, false).is_err());
    }

    #[test]
    fn n_similarity_is_the_cosine_of_the_raw_means() {
        let emb = tiny();
        // mean(b, d) = (0.5, 1) against a = (3, 4): 5.5 / (√1.25 · 5) = 0.9839; the mean of
        // the unit vectors would give 0.968.
        let cosine = emb.n_similarity(&["b", "d"], &["a"]).unwrap();
        assert!(
            (cosine - 5.5 / (1.25f32.sqrt() * 5.0)).abs() < 1e-6,
            "{cosine}"
        );
        assert!(emb.n_similarity(&[], &["d"]).is_err());
        assert!(emb.n_similarity(&["a"], &["zebra"]).is_err());
    }

    #[test]
    fn the_odd_one_out_is_furthest_from_the_centroid_of_unit_vectors() {
        let (east, north, northeast) = ([1.0f32, 0.0], [0.0f32, 1.0], [5.0f32, 5.0]);
        let named = [("e", &east[..]), ("n", &north[..]), ("ne", &northeast[..])];
        let ranked = rank_by_centrality(&named, true).unwrap();
        assert_eq!(ranked[0].1, "ne");
        // e and n tie: gensim's reverse sort puts the greater name first.
        assert_eq!([ranked[1].1, ranked[2].1], ["n", "e"]);
        let emb = tiny();
        assert_eq!(emb.doesnt_match(&["a", "b", "d", "zebra"]).unwrap(), "b");
        assert!(emb.doesnt_match(&["zebra"]).is_err());
    }

    #[test]
    fn cosine_similarities_check_the_shape() {
        let cosines = cosine_similarities(&[2.0, 0.0], &[1.0, 1.0, 0.0, 3.0]).unwrap();
        assert!((cosines[0] - 0.5f32.sqrt()).abs() < 1e-6);
        assert_eq!(cosines[1], 0.0);
        assert!(cosine_similarities(&[1.0, 0.0], &[1.0, 2.0, 3.0]).is_err());
        assert!(cosine_similarities(&[], &[]).is_err());
    }
}
