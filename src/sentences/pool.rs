//! Mean, max and SIF pooling of sentences and documents.

use super::sif::{SifConfig, first_component, remove_component, resolve_component, sif_weights};
use super::{Pooled, Pooling};
use crate::embeddings::{Embeddings, Oov};
use crate::error::{Error, Result};

/// The vectors of a sentence's tokens under `oov`, with each token's id (`None` if unknown).
fn tokens<'e, S: AsRef<str>>(
    emb: &'e Embeddings,
    sentence: &[S],
    oov: Oov,
) -> Result<Vec<(Option<u32>, &'e [f32])>> {
    let mut out = Vec::with_capacity(sentence.len());
    for word in sentence {
        let word = word.as_ref();
        match (emb.vocab().id(word), oov) {
            (Some(id), _) => out.push((Some(id), emb.row(id))),
            (None, Oov::Error) => return Err(Error::UnknownWord(word.to_owned())),
            (None, Oov::Skip) => {}
            (None, Oov::Mean) => out.push((None, emb.mean(false))),
            // An empty slice stands for a row of zeros.
            (None, Oov::Zeros) => out.push((None, &[])),
        }
    }
    Ok(out)
}

/// Pools one sentence's token vectors (summing in f64).
fn pool_one(
    toks: &[(Option<u32>, &[f32])],
    dim: usize,
    pooling: &Pooling,
    weights: &[f64],
    out: &mut [f32],
) {
    if toks.is_empty() {
        out.fill(0.0);
        return;
    }
    let value = |v: &[f32], k: usize| v.get(k).copied().unwrap_or(0.0);
    if let Pooling::Max = pooling {
        for (k, o) in out.iter_mut().enumerate() {
            *o = toks
                .iter()
                .map(|(_, v)| value(v, k))
                .fold(f32::NEG_INFINITY, f32::max);
        }
        return;
    }
    let mut sum = vec![0.0f64; dim];
    for (id, v) in toks {
        let w = match (pooling, id) {
            (Pooling::Sif(_), Some(id)) => weights[*id as usize],
            _ => 1.0,
        };
        for (k, s) in sum.iter_mut().enumerate() {
            *s += w * f64::from(value(v, k));
        }
    }
    let n = toks.len() as f64;
    for (o, s) in out.iter_mut().zip(sum) {
        *o = (s / n) as f32;
    }
}

/// Pools each sentence without removing any component.
pub(super) fn pool_raw<T, S>(
    emb: &Embeddings,
    sentences: &[T],
    pooling: &Pooling,
    oov: Oov,
) -> Result<Pooled>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let dim = emb.dim();
    let weights = match pooling {
        Pooling::Sif(config) if !(config.a.is_finite() && config.a > 0.0) => {
            return Err(Error::InvalidOption {
                option: "sif-a",
                reason: format!("{} is not a positive finite number", config.a),
            });
        }
        Pooling::Sif(config) => sif_weights(emb, config.a, config.frequencies),
        _ => Vec::new(),
    };
    let mut data = vec![0.0; sentences.len() * dim];
    for (sentence, out) in sentences.iter().zip(data.chunks_exact_mut(dim)) {
        let toks = tokens(emb, sentence.as_ref(), oov)?;
        pool_one(&toks, dim, pooling, &weights, out);
    }
    Ok(Pooled {
        rows: sentences.len(),
        dim,
        data,
    })
}

/// One vector per sentence, `[sentences.len(), dim]`; see the [module docs](crate::sentences).
pub fn pool<T, S>(emb: &Embeddings, sentences: &[T], pooling: &Pooling, oov: Oov) -> Result<Pooled>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut pooled = pool_raw(emb, sentences, pooling, oov)?;
    if let Pooling::Sif(config) = pooling {
        if let Some(u) = resolve_component(&config.component, &pooled)? {
            remove_component(&mut pooled.data, &u);
        }
    }
    Ok(pooled)
}

/// For documents (each a list of sentences), one row per sentence, in order:
/// `[sentence vector ; document vector]`, `2 * dim` values. The document vector pools all
/// the document's tokens with the same `pooling`; under SIF the component (of the sentence
/// batch, or the given one) is removed from both halves.
pub fn documents<D, T, S>(
    emb: &Embeddings,
    documents: &[D],
    pooling: &Pooling,
    oov: Oov,
) -> Result<Pooled>
where
    D: AsRef<[T]>,
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let sentences: Vec<&[S]> = documents
        .iter()
        .flat_map(|d| d.as_ref().iter().map(AsRef::as_ref))
        .collect();
    let joined: Vec<Vec<&S>> = documents
        .iter()
        .map(|d| d.as_ref().iter().flat_map(|s| s.as_ref().iter()).collect())
        .collect();
    let mut pooled = pool_raw(emb, &sentences, pooling, oov)?;
    let mut docs = pool_raw(emb, &joined, pooling, oov)?;
    if let Pooling::Sif(config) = pooling {
        if let Some(u) = resolve_component(&config.component, &pooled)? {
            remove_component(&mut pooled.data, &u);
            remove_component(&mut docs.data, &u);
        }
    }
    let mut per_sentence_doc = Vec::with_capacity(pooled.data.len());
    for (d, document) in documents.iter().enumerate() {
        for _ in document.as_ref() {
            per_sentence_doc.extend_from_slice(docs.row(d));
        }
    }
    concat(&pooled, &per_sentence_doc, emb.dim())
}

/// `[row ; features row]` for each row: `features` is row-major `[pooled.rows, feature_dim]`.
pub fn concat(pooled: &Pooled, features: &[f32], feature_dim: usize) -> Result<Pooled> {
    if features.len() != pooled.rows * feature_dim {
        return Err(Error::Mismatch(format!(
            "{} feature values do not make {} rows of {feature_dim}",
            features.len(),
            pooled.rows
        )));
    }
    let dim = pooled.dim + feature_dim;
    let mut data = Vec::with_capacity(pooled.rows * dim);
    for i in 0..pooled.rows {
        data.extend_from_slice(pooled.row(i));
        data.extend_from_slice(&features[i * feature_dim..(i + 1) * feature_dim]);
    }
    Ok(Pooled {
        rows: pooled.rows,
        dim,
        data,
    })
}

/// The first principal component (uncentred) of SIF's weighted means of `reference`, to pass
/// as [`Component::Given`] when pooling other sentences.
pub fn sif_component<T, S>(
    emb: &Embeddings,
    reference: &[T],
    config: &SifConfig,
    oov: Oov,
) -> Result<Vec<f32>>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let pooled = pool_raw(emb, reference, &Pooling::Sif(config.clone()), oov)?;
    Ok(first_component(&pooled.data, pooled.dim))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::tests::{close, emb};

    #[test]
    fn mean_and_max() {
        let batch = [vec!["the", "cat", "sat"], vec!["dog"]];
        let mean = pool(&emb(), &batch, &Pooling::Mean, Oov::Skip).unwrap();
        assert!(close(&mean.data, &[5.0 / 3.0, 2.0, 0.0, 0.0]));
        let max = pool(&emb(), &batch, &Pooling::Max, Oov::Skip).unwrap();
        assert_eq!(max.data, [4.0, 4.0, 0.0, 0.0]);
        let with_zero = pool(&emb(), &[vec!["cat", "dog"]], &Pooling::Mean, Oov::Zeros).unwrap();
        assert_eq!(with_zero.data, [0.0, 1.0]);
    }

    #[test]
    fn documents_append_their_vector() {
        let docs = [vec![vec!["the"], vec!["cat", "sat"]], vec![vec!["sat"]]];
        let out = documents(&emb(), &docs, &Pooling::Mean, Oov::Skip).unwrap();
        assert_eq!((out.rows, out.dim), (3, 4));
        let doc0 = [5.0 / 3.0, 2.0];
        assert!(close(out.row(0), &[1.0, 0.0, doc0[0], doc0[1]]));
        assert!(close(out.row(1), &[2.0, 3.0, doc0[0], doc0[1]]));
        assert!(close(out.row(2), &[4.0, 4.0, 4.0, 4.0]));
        let features = concat(&out, &[7.0, 8.0, 9.0], 1).unwrap();
        assert_eq!(features.row(2), [4.0, 4.0, 4.0, 4.0, 9.0]);
        assert!(concat(&out, &[1.0], 1).is_err());
    }
}
