//! Negative sampling, subsampling and the counter-based generator.

use vectrain::rng;
use vectrain::sampling::{NegativeSampler, keep_probabilities};

#[test]
fn alias_table_draws_follow_count_to_the_three_quarters() {
    let counts = [1000u64, 300, 100, 10, 1, 0, 50];
    let sampler = NegativeSampler::new(&counts, 0.75);
    let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(0.75)).collect();
    let total: f64 = weights.iter().sum();
    let draws = 400_000u32;
    let mut seen = vec![0u32; counts.len()];
    for i in 0..draws {
        seen[sampler.draw(7, i, 3) as usize] += 1;
    }
    for (word, &weight) in weights.iter().enumerate() {
        let expected = weight / total;
        let observed = seen[word] as f64 / draws as f64;
        // 5 standard deviations of a binomial proportion, plus slack for f32 thresholds.
        let tolerance = 5.0 * (expected * (1.0 - expected) / draws as f64).sqrt() + 1e-4;
        assert!(
            (observed - expected).abs() <= tolerance,
            "word {word}: {observed} vs {expected}"
        );
    }
    assert_eq!(seen[5], 0, "a word of count 0 is never drawn");
}

#[test]
fn keep_probability_is_word2vecs_formula() {
    let counts = [1_000_000u64, 1000, 1];
    let keep = keep_probabilities(&counts, 1e-3);
    let t: f64 = 1e-3 * 1_001_001.0;
    let f: f64 = 1_000_000.0;
    let expected = ((f / t).sqrt() + 1.0) * t / f;
    assert!((keep[0] as f64 - expected).abs() < 1e-6);
    assert_eq!(keep[1], 1.0);
    assert_eq!(keep[2], 1.0);
    assert!(keep_probabilities(&counts, 0.0).iter().all(|&p| p == 1.0));
}

#[test]
fn draws_depend_on_every_input() {
    let base = rng::draw(1, rng::Stream::Negative, 2, 3);
    assert_ne!(base, rng::draw(2, rng::Stream::Negative, 2, 3));
    assert_ne!(base, rng::draw(1, rng::Stream::Window, 2, 3));
    assert_ne!(base, rng::draw(1, rng::Stream::Negative, 3, 3));
    assert_ne!(base, rng::draw(1, rng::Stream::Negative, 2, 4));
    let mean = (0..100_000u32)
        .map(|i| rng::unit_f32(rng::draw(9, rng::Stream::Subsample, i, 0)) as f64)
        .sum::<f64>()
        / 100_000.0;
    assert!((mean - 0.5).abs() < 0.01, "uniform draws average {mean}");
}
