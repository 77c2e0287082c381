//! Adding up the ranks' changes to a table row by row, sending only the rows some rank
//! changed: one flag per row first (so every rank knows the union), then those rows packed.
//! Rows outside the union are zero on every rank, so the sums equal those of the whole
//! table, element for element.

use crate::distributed::Collective;
use crate::error::Result;

/// Replaces `changes` (a row-major table of `dim`-value rows, this rank's changes since the
/// last synchronisation) by the sum over every rank, sending only the rows some rank
/// changed. Returns how many rows were sent.
pub fn sum_changed_rows(
    collective: &mut dyn Collective,
    changes: &mut [f32],
    dim: usize,
) -> Result<usize> {
    let dim = dim.max(1);
    let mut flags: Vec<f32> = changes
        .chunks_exact(dim)
        .map(|row| f32::from(u8::from(row.iter().any(|&v| v != 0.0))))
        .collect();
    // A sum of at most a few thousand ones is exact in f32: nonzero means changed somewhere.
    collective.sum_f32(&mut flags)?;
    let union: Vec<usize> = flags
        .iter()
        .enumerate()
        .filter(|&(_, &flag)| flag > 0.0)
        .map(|(row, _)| row)
        .collect();
    let mut packed = Vec::with_capacity(union.len() * dim);
    for &row in &union {
        packed.extend_from_slice(&changes[row * dim..(row + 1) * dim]);
    }
    collective.sum_f32(&mut packed)?;
    for (values, &row) in packed.chunks_exact(dim).zip(&union) {
        changes[row * dim..(row + 1) * dim].copy_from_slice(values);
    }
    Ok(union.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::ThreadGroup;
    use crate::rng::{pcg, uniform_values};

    /// Rank `rank`'s changes: `rows` rows of `dim`, about a third of them changed.
    fn changes(rank: usize, rows: usize, dim: usize) -> Vec<f32> {
        let mut table = uniform_values(rows * dim, 7 + rank as u32);
        for (row, values) in table.chunks_exact_mut(dim).enumerate() {
            if !pcg((rank * rows + row) as u32).is_multiple_of(3) {
                values.fill(0.0);
            }
        }
        table
    }

    #[test]
    fn equals_the_sum_of_whole_tables() {
        for (ranks, rows, dim) in [(2, 101, 7), (3, 64, 1), (4, 5, 33)] {
            let results: Vec<(Vec<f32>, Vec<f32>, usize)> = std::thread::scope(|scope| {
                let handles: Vec<_> = ThreadGroup::new(ranks)
                    .into_iter()
                    .map(|mut member| {
                        scope.spawn(move || {
                            let rank = member.rank();
                            let mut whole = changes(rank, rows, dim);
                            let mut sparse = whole.clone();
                            member.sum_f32(&mut whole).unwrap();
                            let sent = sum_changed_rows(&mut member, &mut sparse, dim).unwrap();
                            (whole, sparse, sent)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let union = (0..rows)
                .filter(|&row| {
                    (0..ranks).any(|rank| {
                        changes(rank, rows, dim)[row * dim..(row + 1) * dim]
                            .iter()
                            .any(|&v| v != 0.0)
                    })
                })
                .count();
            for (whole, sparse, sent) in results {
                assert_eq!(whole, sparse, "{ranks} ranks, {rows} x {dim}");
                assert_eq!(sent, union);
                assert!(sent < rows);
            }
        }
    }
}
