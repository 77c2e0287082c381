//! Distributed training without MPI: ranks as threads of one process ([`ThreadGroup`]),
//! each reading its own share of a corpus file. The MPI launcher itself is tested in
//! `tests/mpi.rs`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use vectrain::checkpoint::{self, RunFiles};
use vectrain::corpus::{Share, WordCounts};
use vectrain::cpu::CpuBackend;
use vectrain::distributed::{
    Collective, RankCheckpoints, SharedCollective, SyncMode, SyncRows, SyncSettings, TableSync,
    ThreadGroup, Traffic, read_corpus, resume_share,
};
use vectrain::io::VectorFormat;
use vectrain::subwords::{SubwordModel, SubwordSettings, VectorSource};
use vectrain::training::{Control, EpochStats, Every, Outcome, Snapshot};
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

/// With a given vocabulary (`--read-vocab`) nothing is counted: each rank encodes the lines
/// of its equal byte range with that vocabulary, in memory or into a cache file reused
/// later, and the ranks' statistics add up to the whole file's.
#[test]
fn shares_of_a_given_vocabulary_cover_every_line_once_without_counting() -> Result<()> {
    let whole = Corpus::read(&kjv(), &options())?;
    // The whole file's counts, given back, with a word the file never has.
    let mut counts: Vec<(String, u64)> = whole
        .vocab
        .words()
        .iter()
        .cloned()
        .zip(whole.vocab.counts().iter().copied())
        .collect();
    counts.push(("unwritten".into(), 7));
    let dir = tempfile::tempdir().unwrap();
    let given = |cache_dir: Option<PathBuf>| ReadOptions {
        vocab: Some(std::sync::Arc::new(vectrain::GivenVocab {
            source: PathBuf::from("kjv.vocab"),
            counts: counts.clone(),
        })),
        cache_dir,
        ..options()
    };
    for (ranks, cache_dir) in [(2, None), (3, Some(dir.path().to_path_buf()))] {
        let options = given(cache_dir);
        for pass in ["read", "reused"] {
            let shares = on_ranks(ranks, |group| read_corpus(&kjv(), &options, group));
            let shares: Vec<Corpus> = shares.into_iter().collect::<Result<_>>()?;
            let mut joined = Vec::new();
            for share in &shares {
                // The given words and counts, the one the file lacks among them.
                let unwritten = share.vocab.id("unwritten").expect("a given word");
                assert_eq!(share.vocab.counts()[unwritten as usize], 7);
                let others: Vec<&String> = (share.vocab.words().iter())
                    .filter(|w| *w != "unwritten")
                    .collect();
                assert!(
                    others.iter().copied().eq(whole.vocab.words()),
                    "{ranks} ranks"
                );
                assert_eq!(
                    share.stats.lines, whole.stats.lines,
                    "{ranks} ranks, {pass}"
                );
                assert_eq!(share.stats.raw_tokens, whole.stats.raw_tokens);
                if options.cache_dir.is_some() {
                    let (_, made) = share.cache.clone().expect("a cache file");
                    assert_eq!(made, pass == "read");
                }
                joined.extend(sentences(share));
            }
            assert_eq!(joined, sentences(&whole), "{ranks} ranks, {pass}");
            if options.cache_dir.is_none() {
                break;
            }
        }
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

/// The settings of the tests' runs: small tables, one thread a rank.
fn config() -> TrainConfig {
    TrainConfig {
        dim: 24,
        epochs: 2,
        threads: Some(1),
        min_count: 5,
        ..TrainConfig::default()
    }
}

fn params() -> Result<TrainParams> {
    config().check()
}

/// [`params`] with subwords, one epoch: 20,000 buckets keep the test's tables small.
fn subword_params() -> Result<TrainParams> {
    TrainConfig {
        epochs: 1,
        subwords: Some(SubwordSettings {
            bucket: 20_000,
            ..SubwordSettings::default()
        }),
        ..config()
    }
    .check()
}

/// Trains `ranks` thread ranks on their shares of KJV, synchronising every `every` words;
/// each rank's final input table and number of synchronisations.
fn train_ranks(ranks: usize, every: u64, mode: SyncMode) -> Vec<Result<(Vec<f32>, u64)>> {
    train_ranks_sending(ranks, SyncSettings { every, mode }, SyncRows::Changed)
        .into_iter()
        .map(|ended| ended.map(|(input, syncs, _)| (input, syncs)))
        .collect()
}

/// [`train_ranks`] sending `rows`; what the synchronisations sent too.
fn train_ranks_sending(
    ranks: usize,
    sync: SyncSettings,
    rows: SyncRows,
) -> Vec<Result<(Vec<f32>, u64, Traffic)>> {
    on_ranks(ranks, |group| {
        let ended = train_rank(group, &params()?, sync, rows, None)?;
        let Ended::Finished {
            input,
            syncs,
            traffic,
            ..
        } = ended
        else {
            panic!("nothing asked the run to stop");
        };
        Ok((input, syncs, traffic))
    })
}

/// How one rank's run ended.
enum Ended {
    /// Its tables, run statistics and synchronisations.
    Finished {
        input: Vec<f32>,
        output: Vec<f32>,
        /// With subwords, the whole model (the input table's buckets too).
        model: Option<Box<SubwordModel>>,
        epochs: Vec<EpochStats>,
        syncs: u64,
        traffic: Traffic,
    },
    /// Every rank stopped.
    Stopped,
}

/// Checkpoints of a run of [`train_rank`]: where, whether to resume from there first, and
/// after how many checkpoints rank 1 asks every rank to stop.
struct Checkpoints<'a> {
    path: &'a Path,
    resume: bool,
    stop_after: Option<u64>,
}

/// Words between two checkpoints of the runs that take some.
const CHECKPOINT_WORDS: u64 = 150_000;

/// One thread rank's run on its share of KJV, with checkpoints where `checkpoints` says.
fn train_rank(
    group: &mut ThreadGroup,
    params: &TrainParams,
    sync: SyncSettings,
    rows: SyncRows,
    checkpoints: Option<Checkpoints<'_>>,
) -> Result<Ended> {
    let rank = group.rank();
    let corpus = read_corpus(&kjv(), &options(), group)?;
    let (resume, resumed) = match &checkpoints {
        Some(c) if c.resume => {
            let saved = checkpoint::read(c.path)?;
            let resumed = resume_share(saved, c.path, params, &corpus, sync, group)?;
            (Some(resumed.resume), resumed.syncs)
        }
        _ => (None, 0),
    };
    let files = RunFiles {
        corpus: Some(kjv()),
        output: PathBuf::from("vectors.txt"),
        format: VectorFormat::Word2VecText,
        every: Some(Every::Words(CHECKPOINT_WORDS)),
    };
    let shared = SharedCollective::new(group);
    let stop = AtomicBool::new(false);
    let mut written = 0;
    let mut write = |snapshot: &Snapshot<'_>| -> Result<()> {
        let Some(checkpoints) = &checkpoints else {
            return Ok(());
        };
        let writer = RankCheckpoints {
            path: checkpoints.path,
            trainer: "cpu",
            params,
            files: &files,
            share: &corpus,
            sync,
        };
        writer.write(&mut &shared, snapshot)?;
        written += 1;
        if rank == 1 && checkpoints.stop_after == Some(written) {
            stop.store(true, Ordering::Relaxed);
        }
        Ok(())
    };
    let mut handle = &shared;
    let every = checkpoints.as_ref().map(|_| Every::Words(CHECKPOINT_WORDS));
    let mut averager = TableSync::new(&mut handle, sync.every, sync.mode)
        .sending(rows, params.dim)
        .with_checkpoints(every)
        .resuming(resumed);
    let control = Control {
        resume,
        stop: Some(&stop),
        checkpoint: Some(&mut write),
        averager: Some(&mut averager),
        ..Control::default()
    };
    let mut backend = CpuBackend::new(1);
    let outcome = vectrain::train(&mut backend, &corpus, params, control, &mut |_| {})?;
    Ok(match outcome {
        Outcome::Finished(trained) => Ended::Finished {
            input: trained.embeddings.as_slice().to_vec(),
            output: trained.output,
            model: trained.subwords.map(Box::new),
            epochs: trained.stats.epochs,
            syncs: averager.syncs,
            traffic: averager.traffic,
        },
        Outcome::Stopped(_) => Ended::Stopped,
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
fn sending_only_changed_rows_gives_the_tables_of_whole_ones() -> Result<()> {
    // Short intervals, so that many rows stay untouched between two synchronisations.
    let sync = SyncSettings {
        every: 20_000,
        mode: SyncMode::SumOfChanges,
    };
    let whole = train_ranks_sending(2, sync, SyncRows::All);
    let changed = train_ranks_sending(2, sync, SyncRows::Changed);
    for (whole, changed) in whole.into_iter().zip(changed) {
        let (whole, changed) = (whole?, changed?);
        assert_eq!(whole.0, changed.0, "the same tables, bit for bit");
        assert_eq!(whole.1, changed.1);
        assert_eq!(whole.2.fraction(), 1.0);
        let sent = changed.2.fraction();
        assert!(
            sent > 0.0 && sent < 0.9,
            "changed rows sent {sent} of the tables"
        );
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

/// Hierarchical softmax: the output table is the Huffman tree's inner nodes, which the ranks
/// add up like any table.
#[test]
fn hierarchical_softmax_ranks_end_with_the_same_tables_whichever_rows_they_send() -> Result<()> {
    let params = TrainConfig {
        epochs: 1,
        hs: true,
        negative: 0,
        ..config()
    }
    .check()?;
    let words = Corpus::read(&kjv(), &options())?.vocab.len();
    let sync = SyncSettings {
        every: 50_000,
        mode: SyncMode::SumOfChanges,
    };
    let run = |rows: SyncRows| -> Vec<(Vec<f32>, Vec<f32>, Traffic)> {
        on_ranks(2, |group| {
            match train_rank(group, &params, sync, rows, None) {
                Ok(Ended::Finished {
                    input,
                    output,
                    traffic,
                    ..
                }) => (input, output, traffic),
                Ok(Ended::Stopped) => panic!("nothing asked the run to stop"),
                Err(error) => panic!("{error}"),
            }
        })
    };
    let whole = run(SyncRows::All);
    let changed = run(SyncRows::Changed);
    let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for (input, output, traffic) in &changed {
        assert_eq!(bits(input), bits(&whole[0].0));
        assert_eq!(bits(output), bits(&whole[0].1));
        assert_eq!(output.len(), (words - 1) * 24);
        assert!(traffic.fraction() > 0.0);
    }
    // Every inner node is on some word's path, so every row of the tree trained.
    let trained_rows = whole[0]
        .1
        .chunks(24)
        .filter(|row| row.iter().any(|&x| x != 0.0));
    assert_eq!(trained_rows.count(), words - 1);
    Ok(())
}

#[test]
fn subword_ranks_end_with_one_model_whichever_rows_they_send() -> Result<()> {
    let params = subword_params()?;
    let sync = SyncSettings {
        every: 50_000,
        mode: SyncMode::SumOfChanges,
    };
    let run = |rows: SyncRows| -> Vec<(Box<SubwordModel>, Traffic)> {
        on_ranks(2, |group| {
            match train_rank(group, &params, sync, rows, None) {
                Ok(Ended::Finished {
                    model: Some(model),
                    traffic,
                    ..
                }) => (model, traffic),
                Ok(_) => panic!("a subword run without its model, or stopped"),
                Err(error) => panic!("{error}"),
            }
        })
    };
    let whole = run(SyncRows::All);
    let changed = run(SyncRows::Changed);
    let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for (model, traffic) in &changed {
        // Every rank holds the same words and buckets, bit for bit, as when whole tables
        // are sent.
        assert_eq!(bits(&model.input), bits(&whole[0].0.input));
        assert_eq!(bits(&model.output), bits(&whole[0].0.output));
        assert_eq!(model.input.len(), (model.words.len() + 20_000) * 24);
        let sent = traffic.fraction();
        assert!(sent > 0.0 && sent < 1.0, "changed rows sent {sent}");
    }
    // The buckets were trained: a word KJV never has gets a vector from its n-grams, close
    // to the vocabulary word it extends.
    let model = &changed[0].0;
    let mut unseen = vec![0.0; 24];
    let source = model.ngram_vector("moseses", &mut unseen);
    assert!(
        matches!(source, VectorSource::Ngrams(n) if n > 0),
        "{source:?}"
    );
    let id = model.words.iter().position(|w| w == "moses").unwrap();
    let mut moses = vec![0.0; 24];
    model.word_vector_by_id(id, &mut moses);
    let cosine = |a: &[f32], b: &[f32]| {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        dot / (a.iter().map(|x| x * x).sum::<f32>() * b.iter().map(|x| x * x).sum::<f32>()).sqrt()
    };
    assert!(cosine(&unseen, &moses) > 0.5, "{}", cosine(&unseen, &moses));
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

/// Synchronisation of the checkpoint tests: about 5,000 words of each of 2 ranks, under a
/// chunk of 10,000, so that a rank often passes two points after one chunk (and owes one
/// on resuming).
const SYNC: SyncSettings = SyncSettings {
    every: 10_000,
    mode: SyncMode::SumOfChanges,
};

/// Two ranks of [`train_rank`] training `params`, synchronising as [`SYNC`], with checkpoints
/// at `path` as `resume` and `stop_after` say.
fn checkpointed_ranks(
    params: &TrainParams,
    path: &Path,
    resume: bool,
    stop_after: Option<u64>,
) -> Vec<Result<Ended>> {
    on_ranks(2, |group| {
        let checkpoints = Checkpoints {
            path,
            resume,
            stop_after,
        };
        train_rank(group, params, SYNC, SyncRows::Changed, Some(checkpoints))
    })
}

#[test]
fn two_ranks_stopped_and_resumed_twice_end_as_a_run_never_stopped() -> Result<()> {
    stopped_and_resumed_twice_end_as_never_stopped(&params()?)
}

#[test]
fn subword_ranks_stopped_and_resumed_twice_end_as_a_run_never_stopped() -> Result<()> {
    stopped_and_resumed_twice_end_as_never_stopped(&subword_params()?)
}

/// Two ranks training `params`, stopped at a checkpoint, resumed and stopped again, then
/// resumed to the end, against two ranks never stopped.
fn stopped_and_resumed_twice_end_as_never_stopped(params: &TrainParams) -> Result<()> {
    let reference = on_ranks(2, |group| {
        train_rank(group, params, SYNC, SyncRows::Changed, None)
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.ckpt");
    for (resume, stop_after) in [(false, 2), (true, 1)] {
        let stopped = checkpointed_ranks(params, &path, resume, Some(stop_after));
        for ended in stopped {
            assert!(matches!(ended?, Ended::Stopped));
        }
        let saved = checkpoint::read(&path)?;
        let run = saved.distributed.expect("a distributed checkpoint");
        assert_eq!(run.ranks.len(), 2);
        assert_eq!(run.sync, SYNC);
        assert!(run.syncs > 0);
    }
    let resumed = checkpointed_ranks(params, &path, true, None);
    let same = |a: &[f32], b: &[f32]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    };
    for (resumed, reference) in resumed.into_iter().zip(reference) {
        let (
            Ended::Finished {
                input,
                output,
                model,
                epochs,
                syncs,
                ..
            },
            Ended::Finished {
                input: input_ref,
                output: output_ref,
                model: model_ref,
                epochs: epochs_ref,
                syncs: syncs_ref,
                ..
            },
        ) = (resumed?, reference?)
        else {
            panic!("a run stopped");
        };
        // Bit for bit: the same synchronisation points, sums in rank order, one thread a
        // rank, and every rank's own position and loss restored.
        assert!(same(&input, &input_ref));
        assert!(same(&output, &output_ref));
        // With subwords, the buckets too.
        assert_eq!(model.is_some(), params.subwords.is_some());
        if let (Some(model), Some(model_ref)) = (model, model_ref) {
            assert!(same(&model.input, &model_ref.input));
        }
        assert_eq!(syncs, syncs_ref);
        assert_eq!(epochs.len(), epochs_ref.len());
        for (a, b) in epochs.iter().zip(&epochs_ref) {
            assert_eq!(a.loss.to_bits(), b.loss.to_bits());
            assert_eq!(a.examples, b.examples);
        }
    }
    Ok(())
}

#[test]
fn a_resume_on_other_ranks_or_synchronisation_is_refused_naming_it() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.ckpt");
    // Rank 1 asks to stop at the first checkpoint: every rank stops at the next one.
    let stopped = checkpointed_ranks(&params()?, &path, false, Some(1));
    for ended in stopped {
        assert!(matches!(ended?, Ended::Stopped));
    }
    let refusals = |ranks: usize, sync: SyncSettings| -> Vec<String> {
        on_ranks(ranks, |group| {
            let params = params().unwrap();
            let corpus = read_corpus(&kjv(), &options(), group).unwrap();
            let saved = checkpoint::read(&path).unwrap();
            match resume_share(saved, &path, &params, &corpus, sync, group) {
                Ok(_) => String::new(),
                Err(error) => error.to_string(),
            }
        })
    };
    for message in refusals(3, SYNC) {
        assert!(
            message.contains("is of a run of 2 ranks, this one has 3"),
            "{message}"
        );
    }
    let other = SyncSettings {
        every: 20_000,
        mode: SyncMode::Mean,
    };
    for message in refusals(2, other) {
        for fragment in [
            "--sync-every 10000 (checkpoint) vs 20000 (this run)",
            "--sync-mode sum (checkpoint) vs mean (this run)",
        ] {
            assert!(message.contains(fragment), "{message}");
        }
    }
    Ok(())
}

#[test]
fn a_checkpoint_rank_0_cannot_write_ends_every_rank_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("run.ckpt");
    let ended = checkpointed_ranks(&params().unwrap(), &path, false, None);
    let messages: Vec<String> = ended
        .into_iter()
        .map(|ended| ended.err().map(|e| e.to_string()).unwrap_or_default())
        .collect();
    // Rank 0 says why; the others, that rank 0 failed: none waits for another.
    assert!(messages[0].contains("run.ckpt"), "{messages:?}");
    assert!(
        messages[1].contains("rank 0 could not write the checkpoint"),
        "{messages:?}"
    );
}
