//! Distributed training without MPI: ranks as threads of one process ([`ThreadGroup`]),
//! each reading its own share of a corpus file. The MPI launcher itself is tested in
//! `tests/mpi.rs`.

use std::path::{Path, PathBuf};

use vectrain::corpus::{Share, WordCounts};
use vectrain::cpu::CpuBackend;
use vectrain::distributed::{Collective, SyncMode, TableSync, ThreadGroup, read_corpus};
use vectrain::training::{Control, Outcome};
use vectrain::{Corpus, ReadOptions, Result, TrainConfig, TrainParams};

fn kjv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/kjv.txt")
}

fn options() -> ReadOptions {
    ReadOptions {
        min_count: 5,
        ..ReadOptions::default()
    }
}

fn sentences(corpus: &Corpus) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    corpus
        .for_each_sentence(|ids| {
            all.push(
                ids.iter()
                    .map(|&id| corpus.vocab.word(id).to_owned())
                    .collect(),
            )
        })
        .unwrap();
    all
}

/// Runs `work` on `ranks` threads, one [`ThreadGroup`] member each; results in rank order.
fn on_ranks<T: Send>(ranks: usize, work: impl Fn(&mut ThreadGroup) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = ThreadGroup::new(ranks)
            .into_iter()
            .map(|mut member| {
                let work = &work;
                scope.spawn(move || work(&mut member))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn shares_cover_every_line_once_with_the_whole_files_vocabulary() -> Result<()> {
    let whole = Corpus::read(&kjv(), &options())?;
    for ranks in [2, 3] {
        let shares = on_ranks(ranks, |group| read_corpus(&kjv(), &options(), group));
        let shares: Vec<Corpus> = shares.into_iter().collect::<Result<_>>()?;
        let mut joined = Vec::new();
        for share in &shares {
            // The same vocabulary as one process counting the whole file: same words, same
            // counts, same order.
            assert_eq!(share.vocab.words(), whole.vocab.words());
            assert_eq!(share.vocab.counts(), whole.vocab.counts());
            joined.extend(sentences(share));
            // Shares within 1% of an equal part of the kept tokens.
            let equal = whole.len() as f64 / ranks as f64;
            let off = (share.len() as f64 - equal).abs() / equal;
            assert!(
                off < 0.01,
                "{ranks} ranks: a share is {:.2}% off",
                100.0 * off
            );
        }
        assert_eq!(joined, sentences(&whole), "{ranks} ranks");
    }
    Ok(())
}

#[test]
fn a_share_of_a_gzip_file_is_refused_naming_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.txt.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, b"a b c\n").unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    let share = Share { index: 0, count: 2 };
    let error = Corpus::count_share(&path, &options(), share).unwrap_err();
    assert!(error.to_string().contains("decompress"), "{error}");
}

#[test]
fn shares_reuse_their_cache_files() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let cached = ReadOptions {
        cache_dir: Some(dir.path().to_path_buf()),
        ..options()
    };
    let first = on_ranks(2, |group| {
        read_corpus(&kjv(), &cached, group).map(|c| c.cache)
    });
    let again = on_ranks(2, |group| {
        read_corpus(&kjv(), &cached, group).map(|c| c.cache)
    });
    for (made, reused) in first.into_iter().zip(again) {
        let (path, made) = made?.expect("a cache file");
        assert!(made);
        assert_eq!(reused?, Some((path, false)));
    }
    Ok(())
}

#[test]
fn merged_counts_do_not_depend_on_the_order_of_the_parts() {
    let part = |words: &[(&str, u64)]| WordCounts {
        counts: words.iter().map(|&(w, c)| (w.to_owned(), c)).collect(),
        ..WordCounts::default()
    };
    let a = part(&[("god", 3), ("lord", 1)]);
    let b = part(&[("lord", 4), ("moses", 2)]);
    let sorted = |mut counts: WordCounts| {
        counts.counts.sort();
        counts.counts
    };
    let ab = sorted(WordCounts::merge(vec![a.clone(), b.clone()], 1000));
    assert_eq!(ab, sorted(WordCounts::merge(vec![b, a], 1000)));
    assert_eq!(
        ab,
        [("god".into(), 3), ("lord".into(), 5), ("moses".into(), 2)]
    );
}

fn params() -> Result<TrainParams> {
    TrainConfig {
        dim: 24,
        epochs: 2,
        threads: Some(1),
        min_count: 5,
        ..TrainConfig::default()
    }
    .check()
}

/// Trains `ranks` thread ranks on their shares of KJV, synchronising every `every` words;
/// each rank's final input table and number of synchronisations.
fn train_ranks(ranks: usize, every: u64, mode: SyncMode) -> Vec<Result<(Vec<f32>, u64)>> {
    on_ranks(ranks, |group| {
        let params = params()?;
        let corpus = read_corpus(&kjv(), &options(), group)?;
        let mut averager = TableSync::new(group, every, mode);
        let control = Control {
            averager: Some(&mut averager),
            ..Control::default()
        };
        let mut backend = CpuBackend::new(1);
        let outcome = vectrain::train(&mut backend, &corpus, &params, control, &mut |_| {})?;
        let Outcome::Finished(trained) = outcome else {
            panic!("nothing asked the run to stop");
        };
        Ok((trained.embeddings.as_slice().to_vec(), averager.syncs))
    })
}

#[test]
fn ranks_end_with_the_same_tables_after_the_same_number_of_averages() -> Result<()> {
    let corpus_words = 2 * Corpus::read(&kjv(), &options())?.len() as u64;
    for (ranks, mode) in [(2, SyncMode::SumOfChanges), (3, SyncMode::Mean)] {
        let every = 300_000;
        let results: Vec<(Vec<f32>, u64)> = train_ranks(ranks, every, mode)
            .into_iter()
            .collect::<Result<_>>()?;
        let expected = corpus_words.div_ceil(every);
        for (table, averages) in &results {
            assert_eq!(*averages, expected, "{ranks} ranks");
            // Sums in rank order: every rank holds the same bits.
            assert_eq!(table, &results[0].0, "{ranks} ranks");
            assert!(table.iter().all(|v| v.is_finite()));
        }
    }
    Ok(())
}

#[test]
fn two_ranks_learn_what_one_process_learns() -> Result<()> {
    // The same pairs as tests/cpu_trainer.rs's KJV checks: related words closer than
    // unrelated ones, on the averaged tables of two ranks.
    let (table, _) = train_ranks(2, 200_000, SyncMode::SumOfChanges).remove(0)?;
    let single = {
        let corpus = Corpus::read(&kjv(), &options())?;
        let trained =
            vectrain::train_to_end(&mut CpuBackend::new(1), &corpus, &params()?, &mut |_| {})?;
        trained.embeddings
    };
    let corpus = Corpus::read(&kjv(), &options())?;
    let averaged = vectrain::Embeddings::new(corpus.vocab.clone(), 24, table)?;
    for embeddings in [&single, &averaged] {
        let related = embeddings.similarity("moses", "aaron")?;
        let unrelated = embeddings.similarity("moses", "wine")?;
        assert!(
            related > unrelated + 0.1,
            "moses~aaron {related} vs moses~wine {unrelated}"
        );
    }
    let close = |e: &vectrain::Embeddings| e.similarity("father", "son").unwrap();
    assert!(
        (close(&single) - close(&averaged)).abs() < 0.25,
        "father~son: one process {}, two ranks {}",
        close(&single),
        close(&averaged)
    );
    Ok(())
}

#[test]
fn a_thread_group_sums_in_rank_order() {
    let sums = on_ranks(3, |group: &mut ThreadGroup| {
        let mut values = [group.rank() as f32 + 0.5, 1.0];
        group.sum_f32(&mut values).unwrap();
        let mut counts = [group.rank() as u64];
        group.sum_u64(&mut counts).unwrap();
        (values, counts[0], group.size())
    });
    for (values, count, size) in sums {
        assert_eq!(values, [4.5, 3.0]);
        assert_eq!(count, 3);
        assert_eq!(size, 3);
    }
}
