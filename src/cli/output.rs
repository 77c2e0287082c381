//! Output for people (aligned columns) and for programs (JSON numbers), and the vectors a
//! training run writes.

use std::path::Path;

use crate::cli::say::{note, out};
use crate::io::fasttext_bin::write_fasttext_bin;
use crate::io::{VectorFormat, write_vectors};
use crate::training::Trained;
use anyhow::Context;

/// Prints each epoch's loss (`whose` says whose: "" or "rank 0's ") and writes the vectors
/// to `output` in `format`.
pub fn write_trained(
    trained: &Trained,
    output: &Path,
    format: VectorFormat,
    whose: &str,
) -> anyhow::Result<()> {
    for (epoch, stats) in trained.stats.epochs.iter().enumerate() {
        note!(
            "epoch {}: {whose}loss {:.4} over {} examples, {:.1} s",
            epoch + 1,
            stats.loss,
            stats.examples,
            stats.seconds
        );
    }
    match (format, &trained.subwords) {
        (VectorFormat::FastTextBin, Some(model)) => write_fasttext_bin(model, output),
        _ => write_vectors(&trained.embeddings, output, format),
    }
    .with_context(|| format!("writing the vectors to {}", output.display()))
}

/// Writes the vocabulary `trained` was trained on, with its counts, to `path`.
pub fn write_vocab(trained: &Trained, path: &Path) -> anyhow::Result<()> {
    crate::io::vocab_counts::write(trained.embeddings.vocab(), path)
        .with_context(|| format!("writing the vocabulary to {}", path.display()))
}

/// Prints ranked neighbours as a table: rank, word, and `score` (the column's name).
pub fn ranked(neighbours: &[crate::embeddings::Neighbour<'_>], score: &str) {
    let rows: Vec<Vec<String>> = neighbours
        .iter()
        .enumerate()
        .map(|(rank, n)| {
            vec![
                (rank + 1).to_string(),
                n.word.to_owned(),
                format!("{:.4}", n.score),
            ]
        })
        .collect();
    table(&["rank", "word", score], &rows, &[0, 2]);
}

/// Prints `rows` under `header`, each column as wide as its widest cell; columns listed in
/// `right` are right-aligned (numbers), the others left-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let text: Vec<String> = cells
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                if right.contains(&i) {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        out!("{}", text.join("  ").trim_end());
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

/// An f32 as the JSON number of its shortest decimal form (`0.1`, not
/// `0.10000000149011612`); non-finite values become `null`.
pub fn number(x: f32) -> serde_json::Value {
    x.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A vector of f32 as JSON numbers (see [`number`]).
pub fn numbers(v: &[f32]) -> serde_json::Value {
    v.iter().copied().map(number).collect()
}
