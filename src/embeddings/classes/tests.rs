//! Tests of word classes: found exactly where the words bunch, a fixed point once
//! converged, the same on any thread count, and the refusals.

use super::*;
use crate::embeddings::search;
use crate::rng;
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
