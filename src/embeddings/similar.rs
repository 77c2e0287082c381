//! Similarity queries: nearest neighbours by cosine, analogies, pairwise similarity.
//!
//! The formulas are gensim 4.4's (`KeyedVectors.most_similar`, `most_similar_cosmul`,
//! `similarity`), so that results can be compared on the same file:
//!
//! * **3CosAdd** (`most_similar`). Each query term is a word's unit vector `û` or a raw
//!   vector `v` given by the caller, weighted `+1` (positive) or `-1` (negative):
//!
//!   ```text
//!   m = unit( Σ wᵢ tᵢ / Σ |wᵢ| )        score(r) = dot(r, m) / |r|
//!   ```
//!
//! * **3CosMul** (`most_similar_cosmul`, Levy and Goldberg 2014, eq. 4, with cosines shifted
//!   to `[0, 1]` as in their footnote 7):
//!
//!   ```text
//!   s(r, t) = (1 + dot(r, t) / |r|) / 2
//!   score(r) = Π_pos s(r, t) / (Π_neg s(r, t) + ε)        ε = 1e-6
//!   ```
//!
//! * **similarity** `cos(a, b) = dot(â, b̂)`.
//!
//! The rows of the query words themselves are never returned, nor those of words the caller
//! excludes; rows of norm zero never are either (gensim scores them NaN). Scores are f32 like
//! gensim's, summed in another order, so they agree to about 1e-7.

use super::Embeddings;
use crate::embeddings::search::{self, TopK};
use crate::error::{Error, Result};

/// gensim's `most_similar_cosmul` epsilon, which keeps the quotient finite.
pub const COSMUL_EPSILON: f32 = 1e-6;

/// One term of a similarity query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Query<'q> {
    /// A word of the vocabulary: its unit vector; its row is excluded from the answers.
    Word(&'q str),
    /// A row id: like [`Query::Word`].
    Id(u32),
    /// A vector of `dim` values, used as given (not normalised, as in gensim).
    Vector(&'q [f32]),
}

impl<'q> From<&'q str> for Query<'q> {
    fn from(word: &'q str) -> Query<'q> {
        Query::Word(word)
    }
}

impl<'q> From<&'q [f32]> for Query<'q> {
    fn from(vector: &'q [f32]) -> Query<'q> {
        Query::Vector(vector)
    }
}

/// An answer of a similarity query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour<'e> {
    /// The word.
    pub word: &'e str,
    /// Its row id.
    pub id: u32,
    /// Its score: the cosine for 3CosAdd, the quotient for 3CosMul.
    pub score: f32,
}

/// How an analogy is solved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AnalogyMethod {
    /// 3CosAdd: the nearest row to `b - a + c` (gensim `most_similar`).
    #[default]
    Add,
    /// 3CosMul: gensim `most_similar_cosmul`.
    Mul,
}

impl Embeddings {
    /// The id behind a query term, if it names one, checked.
    fn query_id(&self, query: Query<'_>) -> Result<Option<u32>> {
        match query {
            Query::Word(word) => self.id(word).map(Some),
            Query::Id(id) if (id as usize) < self.len() => Ok(Some(id)),
            Query::Id(id) => Err(Error::Mismatch(format!(
                "id {id} is out of range: the vocabulary has {} words",
                self.len()
            ))),
            Query::Vector(v) if v.len() != self.dim => Err(Error::Mismatch(format!(
                "a query vector has {} values, the embeddings {}",
                v.len(),
                self.dim
            ))),
            // NaN or infinite values would score every row NaN: no answer, and no reason why.
            Query::Vector(v) => match v.iter().position(|x| !x.is_finite()) {
                None => Ok(None),
                Some(at) => Err(Error::Mismatch(format!(
                    "a query vector's value {} is {}: only finite values are accepted",
                    at + 1,
                    v[at]
                ))),
            },
        }
    }

    /// The vector a query term stands for: a unit row, or the caller's vector.
    fn term<'a>(&'a self, query: Query<'a>) -> Result<&'a [f32]> {
        match (query, self.query_id(query)?) {
            (Query::Vector(v), _) => Ok(v),
            (_, Some(id)) => Ok(self.unit_row(id)),
            (_, None) => Err(Error::Mismatch(format!("query {query:?} names no row"))),
        }
    }

    /// The ids to leave out of the answers: the query terms' rows and the known words of
    /// `exclude` (unknown ones are ignored).
    fn excluded(&self, terms: &[Query<'_>], exclude: &[&str]) -> Result<Vec<u32>> {
        let mut ids = Vec::new();
        for &term in terms {
            ids.extend(self.query_id(term)?);
        }
        ids.extend(exclude.iter().filter_map(|w| self.vocab.id(w)));
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// gensim's `get_mean_vector(pre_normalize=True, post_normalize=True)` with weights
    /// `+1` for `positive` and `-1` for `negative`.
    fn combined_query(&self, positive: &[Query<'_>], negative: &[Query<'_>]) -> Result<Vec<f32>> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Error::Mismatch("a similarity query needs a term".into()));
        }
        let mut mean = vec![0.0f32; self.dim];
        for (terms, sign) in [(positive, 1.0f32), (negative, -1.0)] {
            for &term in terms {
                for (m, &x) in mean.iter_mut().zip(self.term(term)?) {
                    *m += sign * x;
                }
            }
        }
        let total = (positive.len() + negative.len()) as f64;
        Ok(unit_f64(&mean, total))
    }

    /// The `k` best of the first `rows` rows for the scores `score(id)`, best first, without
    /// `excluded` and without rows whose score is NaN.
    fn best_rows(
        &self,
        k: usize,
        excluded: &[u32],
        rows: usize,
        score: impl Fn(u32) -> f32,
    ) -> Vec<Neighbour<'_>> {
        let mut top = TopK::new(k.saturating_add(excluded.len()));
        for id in 0..rows.min(self.len()) as u32 {
            top.offer(score(id), id);
        }
        self.neighbours(&top, k, excluded)
    }

    /// The score of row `id` for a 3CosAdd or 3CosMul query (the terms checked).
    fn scorer<'a>(
        &'a self,
        positive: &[Query<'a>],
        negative: &[Query<'a>],
        method: AnalogyMethod,
    ) -> Result<Box<dyn Fn(u32) -> f32 + 'a>> {
        let norms = self.norms();
        if method == AnalogyMethod::Add {
            let mean = self.combined_query(positive, negative)?;
            return Ok(Box::new(move |id| {
                search::dot(self.row(id), &mean) / norms[id as usize]
            }));
        }
        if positive.is_empty() {
            return Err(Error::Mismatch("3CosMul needs a positive term".into()));
        }
        let terms = |queries: &[Query<'a>]| -> Result<Vec<&'a [f32]>> {
            queries.iter().map(|&q| self.term(q)).collect()
        };
        let (pos, neg) = (terms(positive)?, terms(negative)?);
        let shifted = move |id: u32, t: &[f32]| {
            (1.0 + search::dot(self.row(id), t) / norms[id as usize]) / 2.0
        };
        Ok(Box::new(move |id| {
            let num: f32 = pos.iter().map(|t| shifted(id, t)).product();
            let den: f32 = neg.iter().map(|t| shifted(id, t)).product();
            num / (den + COSMUL_EPSILON)
        }))
    }

    /// The first `k` entries of `top` not in the sorted `excluded`, as neighbours.
    pub(crate) fn neighbours(&self, top: &TopK, k: usize, excluded: &[u32]) -> Vec<Neighbour<'_>> {
        top.entries()
            .iter()
            .filter(|(_, id)| excluded.binary_search(id).is_err())
            .take(k)
            .map(|&(score, id)| Neighbour {
                word: self.vocab.word(id),
                id,
                score,
            })
            .collect()
    }

    /// The `k` rows of highest cosine with `query`, best first (gensim
    /// `most_similar(positive=[query], topn=k)`). A word or id query is never its own answer;
    /// words in `exclude` are left out too.
    pub fn most_similar<'q>(
        &self,
        query: impl Into<Query<'q>>,
        k: usize,
        exclude: &[&str],
    ) -> Result<Vec<Neighbour<'_>>> {
        self.most_similar_combined(&[query.into()], &[], k, exclude)
    }

    /// 3CosAdd with any number of positive and negative terms (gensim
    /// `most_similar(positive, negative, topn=k)`); see the [module docs](self).
    pub fn most_similar_combined(
        &self,
        positive: &[Query<'_>],
        negative: &[Query<'_>],
        k: usize,
        exclude: &[&str],
    ) -> Result<Vec<Neighbour<'_>>> {
        self.most_similar_among(
            positive,
            negative,
            AnalogyMethod::Add,
            k,
            exclude,
            self.len(),
        )
    }

    /// 3CosMul (gensim `most_similar_cosmul(positive, negative, topn=k)`); see the
    /// [module docs](self). Needs at least one positive term.
    pub fn most_similar_cosmul(
        &self,
        positive: &[Query<'_>],
        negative: &[Query<'_>],
        k: usize,
        exclude: &[&str],
    ) -> Result<Vec<Neighbour<'_>>> {
        self.most_similar_among(
            positive,
            negative,
            AnalogyMethod::Mul,
            k,
            exclude,
            self.len(),
        )
    }

    /// 3CosAdd or 3CosMul among the first `rows` rows only, the most frequent words (gensim's
    /// `restrict_vocab=rows`; all rows where `rows` is past the vocabulary's end).
    pub fn most_similar_among(
        &self,
        positive: &[Query<'_>],
        negative: &[Query<'_>],
        method: AnalogyMethod,
        k: usize,
        exclude: &[&str],
        rows: usize,
    ) -> Result<Vec<Neighbour<'_>>> {
        let score = self.scorer(positive, negative, method)?;
        let excluded = self.excluded(&[positive, negative].concat(), exclude)?;
        Ok(self.best_rows(k, &excluded, rows, score))
    }

    /// The score of each of the first `rows` rows, by id, for 3CosAdd or 3CosMul: gensim's
    /// `most_similar(..., topn=None, restrict_vocab=rows)`. The query's own rows are scored
    /// too, and a row of norm zero scores NaN, as in gensim.
    pub fn similarity_scores(
        &self,
        positive: &[Query<'_>],
        negative: &[Query<'_>],
        method: AnalogyMethod,
        rows: usize,
    ) -> Result<Vec<f32>> {
        let score = self.scorer(positive, negative, method)?;
        Ok((0..rows.min(self.len()) as u32).map(score).collect())
    }

    /// "`a` is to `b` as `c` is to ?": the `k` best answers, the three words excluded.
    pub fn analogy(
        &self,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
        method: AnalogyMethod,
    ) -> Result<Vec<Neighbour<'_>>> {
        let positive = [Query::Word(b), Query::Word(c)];
        let negative = [Query::Word(a)];
        match method {
            AnalogyMethod::Add => self.most_similar_combined(&positive, &negative, k, &[]),
            AnalogyMethod::Mul => self.most_similar_cosmul(&positive, &negative, k, &[]),
        }
    }

    /// The cosine similarity of two words (gensim `similarity`); 0 if one row is zero.
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        Ok(search::dot(self.unit_row(a), self.unit_row(b)))
    }

    /// [`most_similar`](Embeddings::most_similar) for many queries at once, with no
    /// exclusions beyond each query's own row.
    ///
    /// All queries against all rows is one matrix product, computed blocked (row panels kept
    /// in cache, a register tile of queries x rows) and shared among the available threads.
    /// Scores equal those of `most_similar` up to rounding of the query's normalisation.
    pub fn most_similar_batch(
        &self,
        queries: &[Query<'_>],
        k: usize,
    ) -> Result<Vec<Vec<Neighbour<'_>>>> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.most_similar_batch_threads(queries, k, threads)
    }

    /// [`most_similar_batch`](Embeddings::most_similar_batch) on at most `threads` threads.
    pub fn most_similar_batch_threads(
        &self,
        queries: &[Query<'_>],
        k: usize,
        threads: usize,
    ) -> Result<Vec<Vec<Neighbour<'_>>>> {
        let (matrix, own) = self.batch_queries(queries)?;
        let tops = search::top_k(
            &self.data,
            self.norms(),
            self.dim,
            &matrix,
            k.saturating_add(1),
            threads,
        );
        Ok(tops
            .iter()
            .zip(own)
            .map(|(top, own)| self.neighbours(top, k, own.as_slice()))
            .collect())
    }
}

impl Embeddings {
    /// The unit vectors of `queries`, row-major `[queries.len(), dim]`, and the row each
    /// names (excluded from its answers): what every `most_similar_batch` searches with.
    pub(crate) fn batch_queries(
        &self,
        queries: &[Query<'_>],
    ) -> Result<(Vec<f32>, Vec<Option<u32>>)> {
        let mut matrix = Vec::with_capacity(queries.len() * self.dim);
        let mut own = Vec::with_capacity(queries.len());
        for &query in queries {
            matrix.extend(self.combined_query(&[query], &[])?);
            own.push(self.query_id(query)?);
        }
        Ok((matrix, own))
    }
}

/// `v / total`, then divided by its Euclidean norm (unless zero), in f64 like gensim's
/// `unitvec` of the float64 mean; rounded to f32.
fn unit_f64(v: &[f32], total: f64) -> Vec<f32> {
    let mean: Vec<f64> = v.iter().map(|&x| f64::from(x) / total).collect();
    let norm = mean.iter().map(|x| x * x).sum::<f64>().sqrt();
    let scale = if norm > 0.0 { norm } else { 1.0 };
    mean.iter().map(|x| (x / scale) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    fn grid() -> Embeddings {
        let words: Vec<String> = ["king", "queen", "man", "woman", "zero", "apple"]
            .map(String::from)
            .to_vec();
        #[rustfmt::skip]
        let data = vec![
            1.0, 1.0, 0.1,
            1.0, -1.0, 0.1,
            0.2, 1.0, 0.0,
            0.2, -1.0, 0.0,
            0.0, 0.0, 0.0,
            0.0, 0.1, 1.0,
        ];
        Embeddings::new(Vocab::from_ordered(words, vec![1; 6]), 3, data).unwrap()
    }

    #[test]
    fn analogy_finds_queen() {
        let emb = grid();
        for method in [AnalogyMethod::Add, AnalogyMethod::Mul] {
            let top = emb.analogy("man", "king", "woman", 2, method).unwrap();
            assert_eq!(top[0].word, "queen", "{method:?}");
            assert!(
                top.iter()
                    .all(|n| !["man", "king", "woman", "zero"].contains(&n.word))
            );
        }
    }

    #[test]
    fn most_similar_excludes_and_skips_zero_rows() {
        let emb = grid();
        let top = emb.most_similar("king", 10, &["man"]).unwrap();
        let words: Vec<&str> = top.iter().map(|n| n.word).collect();
        assert_eq!(words.len(), 3);
        assert!(!words.contains(&"king") && !words.contains(&"man") && !words.contains(&"zero"));
        let v = [1.0f32, 1.0, 0.1];
        let by_vector = emb.most_similar(&v[..], 1, &[]).unwrap();
        assert_eq!(by_vector[0].word, "king");
        assert!((by_vector[0].score - 1.0).abs() < 1e-6);
        assert!(matches!(
            emb.most_similar("nope", 1, &[]),
            Err(Error::UnknownWord(_))
        ));
    }

    #[test]
    fn batch_equals_single_queries() {
        let emb = grid();
        let queries = [
            Query::Word("king"),
            Query::Id(3),
            Query::Vector(&[0.0, 0.0, 1.0]),
        ];
        for threads in [1, 2] {
            let batch = emb
                .most_similar_batch_threads(&queries, 3, threads)
                .unwrap();
            for (query, got) in queries.iter().zip(&batch) {
                let expected = emb.most_similar(*query, 3, &[]).unwrap();
                assert_eq!(got.len(), expected.len());
                for (g, e) in got.iter().zip(&expected) {
                    assert_eq!(g.id, e.id);
                    assert!((g.score - e.score).abs() < 1e-6);
                }
            }
        }
    }

    #[test]
    fn restricted_queries_search_the_first_rows_and_scores_cover_them_all() {
        let emb = grid();
        let king = [Query::Word("king")];
        for method in [AnalogyMethod::Add, AnalogyMethod::Mul] {
            // Among the first three rows, king's answers are queen and man only.
            let top = emb
                .most_similar_among(&king, &[], method, 10, &[], 3)
                .unwrap();
            let words: Vec<&str> = top.iter().map(|n| n.word).collect();
            assert_eq!(words.len(), 2, "{method:?}");
            assert!(words.contains(&"queen") && words.contains(&"man"));
            let all = emb
                .most_similar_among(&king, &[], method, 10, &[], 99)
                .unwrap();
            let whole = match method {
                AnalogyMethod::Add => emb.most_similar_combined(&king, &[], 10, &[]),
                AnalogyMethod::Mul => emb.most_similar_cosmul(&king, &[], 10, &[]),
            };
            assert_eq!(all, whole.unwrap());
            // Every row scored, the query's own included, NaN for the zero row.
            let scores = emb.similarity_scores(&king, &[], method, 99).unwrap();
            assert_eq!(scores.len(), 6);
            assert!(scores[4].is_nan() && scores[0] > scores[1]);
            for n in &all {
                assert_eq!(scores[n.id as usize], n.score);
            }
            assert_eq!(
                emb.similarity_scores(&king, &[], method, 2).unwrap().len(),
                2
            );
        }
        assert!(
            emb.similarity_scores(&[], &king, AnalogyMethod::Mul, 6)
                .is_err()
        );
    }

    #[test]
    fn similarity_is_cosine() {
        let emb = grid();
        let expected = (1.0 - 1.0 + 0.01) / (2.01f32.sqrt() * 2.01f32.sqrt());
        assert!((emb.similarity("king", "queen").unwrap() - expected).abs() < 1e-6);
        assert_eq!(emb.similarity("zero", "king").unwrap(), 0.0);
    }
}
