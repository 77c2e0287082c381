//! Principal component analysis down to two dimensions, for the few hundred points of a map.
//!
//! The points `x_i` (rows of `[n, dim]`) are centred, and the two leading eigenvectors of
//! their scatter matrix `C = Xᵀ X` are found by subspace iteration: `V ← orth(C V)` with
//! Gram–Schmidt, `C V` computed as `Xᵀ (X V)` so that `C` (`dim × dim`) is never formed. The
//! error shrinks like `(λ₃ / λ₂)^k`; iteration stops when the basis moves less than 1e-10 or
//! after 1000 iterations. Each point's coordinates are its projections
//! `(x_i · v₁, x_i · v₂)`. Each axis is signed so that its largest component is positive,
//! making the result independent of the starting vectors' signs.

/// Iterations of the subspace iteration at most.
const MAX_ITERATIONS: usize = 1000;
/// Largest change of a basis vector (Euclidean) that counts as converged.
const TOLERANCE: f64 = 1e-10;

/// The 2-D PCA projection of the `n = points.len() / dim` rows of `points` (row-major).
/// Fewer than two distinct points, or a dimension of 1, give zeros on the missing axes.
pub fn project_2d(points: &[f32], dim: usize) -> Vec<[f64; 2]> {
    let n = points.len().checked_div(dim).unwrap_or(0);
    if n == 0 {
        return Vec::new();
    }
    let centred = centre(points, n, dim);
    let axes = leading_axes(&centred, n, dim);
    (0..n)
        .map(|i| {
            let row = &centred[i * dim..(i + 1) * dim];
            [dot(row, &axes[0]), dot(row, &axes[1])]
        })
        .collect()
}

/// The rows minus their mean, in f64.
fn centre(points: &[f32], n: usize, dim: usize) -> Vec<f64> {
    let mut mean = vec![0.0; dim];
    for row in points.chunks_exact(dim) {
        for (m, &x) in mean.iter_mut().zip(row) {
            *m += f64::from(x);
        }
    }
    for m in &mut mean {
        *m /= n as f64;
    }
    points
        .chunks_exact(dim)
        .flat_map(|row| row.iter().zip(&mean).map(|(&x, m)| f64::from(x) - m))
        .collect()
}

/// The two leading eigenvectors of `Xᵀ X` (unit length; zero where the data has no such
/// direction).
fn leading_axes(x: &[f64], n: usize, dim: usize) -> [Vec<f64>; 2] {
    // Fixed, generic starting vectors: a result never depends on a random draw.
    let mut basis = [
        (0..dim).map(|j| 1.0 + 1.0 / (j as f64 + 1.0)).collect(),
        (0..dim)
            .map(|j| if j % 2 == 0 { 1.0 } else { -0.5 } + 0.01 * j as f64)
            .collect::<Vec<f64>>(),
    ];
    orthonormalise(&mut basis);
    for _ in 0..MAX_ITERATIONS {
        let mut next = [
            scatter_times(x, n, dim, &basis[0]),
            scatter_times(x, n, dim, &basis[1]),
        ];
        orthonormalise(&mut next);
        let moved = (0..2)
            .map(|k| distance(&basis[k], &next[k]))
            .fold(0.0, f64::max);
        basis = next;
        if moved < TOLERANCE {
            break;
        }
    }
    for axis in &mut basis {
        let largest = axis
            .iter()
            .copied()
            .fold(0.0, |a: f64, b| if b.abs() > a.abs() { b } else { a });
        if largest < 0.0 {
            axis.iter_mut().for_each(|v| *v = -*v);
        }
    }
    basis
}

/// `Xᵀ (X v)`.
fn scatter_times(x: &[f64], n: usize, dim: usize, v: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; dim];
    for i in 0..n {
        let row = &x[i * dim..(i + 1) * dim];
        let projection = dot(row, v);
        for (o, r) in out.iter_mut().zip(row) {
            *o += projection * r;
        }
    }
    out
}

/// Gram–Schmidt on two vectors; a vector with nothing left becomes zero.
fn orthonormalise(basis: &mut [Vec<f64>; 2]) {
    normalise(&mut basis[0]);
    let overlap = dot(&basis[0], &basis[1]);
    let [first, second] = basis;
    for (s, f) in second.iter_mut().zip(first.iter()) {
        *s -= overlap * f;
    }
    normalise(&mut basis[1]);
}

fn normalise(v: &mut [f64]) {
    let norm = dot(v, v).sqrt();
    // Below this the direction is rounding noise, not data.
    if norm > 1e-300 {
        v.iter_mut().for_each(|x| *x /= norm);
    } else {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_on_a_tilted_plane_keep_their_distances() {
        // Points in 3-D on a plane; their spread along u is 3x their spread along w.
        let u = [0.6, 0.8, 0.0];
        let w = [0.0, 0.0, 1.0];
        let coords: [(f64, f64); 5] = [
            (-3.0, 1.0),
            (0.0, -1.0),
            (3.0, 0.5),
            (1.5, -0.5),
            (-1.5, 0.0),
        ];
        let points: Vec<f32> = coords
            .iter()
            .flat_map(|&(a, b)| (0..3).map(move |j| (a * u[j] + b * w[j]) as f32))
            .collect();
        let projected = project_2d(&points, 3);
        assert_eq!(projected.len(), coords.len());
        for i in 0..coords.len() {
            for j in 0..coords.len() {
                let original: f64 = (coords[i].0 - coords[j].0).hypot(coords[i].1 - coords[j].1);
                let mapped =
                    (projected[i][0] - projected[j][0]).hypot(projected[i][1] - projected[j][1]);
                assert!(
                    (original - mapped).abs() < 1e-5,
                    "{i} {j}: {original} vs {mapped}"
                );
            }
        }
        // The first axis carries the larger spread.
        let spread = |k: usize| projected.iter().map(|p| p[k] * p[k]).sum::<f64>();
        assert!(spread(0) > spread(1));
    }

    #[test]
    fn degenerate_input_gives_zeros_not_nan() {
        assert!(project_2d(&[], 3).is_empty());
        let same = project_2d(&[1.0, 2.0, 1.0, 2.0], 2);
        assert!(same.iter().flatten().all(|v| *v == 0.0), "{same:?}");
        let line = project_2d(&[0.0, 1.0, 2.0], 1);
        assert!(
            line.iter().all(|p| p[1] == 0.0 && p[0].is_finite()),
            "{line:?}"
        );
    }
}
