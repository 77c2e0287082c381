//! Phrases (`vectrain::phrases`, `vectrain phrases`): against gensim's `Phrases` on real
//! text, and the rules gensim's comparison cannot show (lines kept, greedy joins, limits,
//! bad input).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::support::cli::{json, ok, refused, s, vectrain};
use crate::support::python::{run_script, shared_data};
use vectrain::phrases::{
    ENGLISH_CONNECTOR_WORDS, FrozenPhrases, MAX_BETWEEN, PhraseOptions, PhraseScoring, Phrases,
};

/// The first `lines` lines of mix8m, in `dir`.
fn mix8m_head(dir: &Path, lines: usize) -> PathBuf {
    let file = std::fs::File::open(shared_data("mix8m.txt.gz")).unwrap();
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    let head: String = text.split_inclusive('\n').take(lines).collect();
    let path = dir.join("mix8m-head.txt");
    std::fs::write(&path, head).unwrap();
    path
}

fn options(min_count: u64, threshold: f64) -> PhraseOptions {
    PhraseOptions {
        min_count,
        threshold,
        ..PhraseOptions::default()
    }
}

fn learn(text: &str, options: &PhraseOptions) -> Phrases {
    Phrases::learn_text(text.as_bytes(), Path::new("text"), options).unwrap()
}

/// `text` rewritten with its own phrases.
fn rewritten(text: &str, options: &PhraseOptions) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    std::fs::write(&input, text).unwrap();
    let phrases = Phrases::learn(&input, options).unwrap();
    phrases.rewrite(&input, &output).unwrap();
    std::fs::read_to_string(output).unwrap()
}

/// Both scorings on 30,000 lines of mix8m (600k tokens): every line joined as gensim joins
/// it, and the same phrases with the same scores to the bit. gensim is given word2phrase's
/// score for "default" (see the script); its npmi is its own.
#[test]
fn phrases_are_gensims_on_real_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = mix8m_head(dir.path(), 30_000);
    let english: Vec<String> = ENGLISH_CONNECTOR_WORDS.map(String::from).to_vec();
    for (scoring, name, threshold, connectors) in [
        (PhraseScoring::Default, "default", 100.0, "none"),
        (PhraseScoring::Default, "default", 10.0, "none"),
        (PhraseScoring::Npmi, "npmi", 0.5, "none"),
        (PhraseScoring::Default, "default", 10.0, "english"),
        (PhraseScoring::Npmi, "npmi", 0.3, "english"),
    ] {
        let options = PhraseOptions {
            scoring,
            threads: Some(3),
            connectors: if connectors == "english" {
                english.clone()
            } else {
                Vec::new()
            },
            ..options(5, threshold)
        };
        let ours = dir.path().join("ours.txt");
        let phrases = Phrases::learn(&corpus, &options).unwrap();
        let summary = phrases.rewrite(&corpus, &ours).unwrap();
        let theirs = dir.path().join("gensim.txt");
        let exported = run_script(
            "gensim_phrases.py",
            &[
                s(&corpus),
                name,
                &threshold.to_string(),
                "5",
                s(&theirs),
                connectors,
            ],
        );
        let ours_text = std::fs::read_to_string(&ours).unwrap();
        let theirs_text = std::fs::read_to_string(&theirs).unwrap();
        let (ours_lines, theirs_lines): (Vec<&str>, Vec<&str>) =
            (ours_text.lines().collect(), theirs_text.lines().collect());
        assert_eq!(ours_lines.len(), 30_000, "{name} {threshold}");
        assert_eq!(ours_lines.len(), theirs_lines.len(), "{name} {threshold}");
        for (n, (a, b)) in ours_lines.iter().zip(&theirs_lines).enumerate() {
            assert_eq!(a, b, "{name} {threshold} {connectors}: line {}", n + 1);
        }
        assert!(summary.joined > 1_000, "{name} {threshold}: {summary:?}");

        let gensim: HashMap<String, String> = serde_json::from_str(&exported).unwrap();
        let found = phrases.phrases();
        assert_eq!(found.len(), gensim.len(), "{name} {threshold}");
        if connectors == "english" {
            let inside = found.iter().filter(|p| !p.between.is_empty()).count();
            assert!(
                inside > 20,
                "{name} {threshold}: {inside} phrases with connector words"
            );
        }
        for phrase in &found {
            let mut words = vec![phrase.first.as_str()];
            words.extend(phrase.between.iter().map(String::as_str));
            words.push(&phrase.second);
            let key = words.join("_");
            let score: f64 = gensim
                .get(&key)
                .unwrap_or_else(|| panic!("{name} {threshold}: gensim lacks {key}"))
                .parse()
                .unwrap();
            assert_eq!(phrase.score.to_bits(), score.to_bits(), "{name} {key}");
        }
    }
}

/// The default score on counts worked by hand: "new york" 6 times in 37 tokens, "new" 7
/// times and "york" 6 times, min count 5: (6 − 5) / (7 · 6) · 37 = 0.881...
#[test]
fn the_default_score_is_word2phrases() {
    let mut text = "new york is big\n".repeat(6);
    text.push_str("new things come\n");
    text.push_str(&"a b c d e\n".repeat(2));
    let phrases = learn(&text, &options(5, 0.8));
    assert_eq!(phrases.tokens(), 6 * 4 + 3 + 10);
    let expected = (6.0 - 5.0) / (7.0 * 6.0) * 37.0;
    assert_eq!(phrases.score("new", "york"), Some(expected));
    assert!(phrases.joins("new", "york"));
    // "york is" also 6 times, but "is" 6 and "york" 6: (6 − 5) / 36 · 37 = 1.03 > 0.8.
    assert!(phrases.joins("york", "is"));
    // Words under the minimum have no score; a pair never seen has none either.
    assert_eq!(phrases.score("things", "come"), None);
    assert_eq!(phrases.score("york", "new"), None);
    // Pairs are counted within lines: "big new" spans two.
    assert_eq!(phrases.score("big", "new"), None);
    // Greedy from the left: "new york" joins, so "york is" cannot, and "is big" may.
    assert_eq!(
        phrases.apply(&["new", "york", "is", "big"]),
        ["new_york", "is_big"]
    );
    assert_eq!(phrases.apply(&["york", "is", "big"]), ["york_is", "big"]);
}

/// npmi: 1 for words that only ever occur together, −∞ below the minimum count.
#[test]
fn npmi_scores_words_always_together_one() {
    let text = "red herring x\n".repeat(5) + &"y z\n".repeat(5);
    let options = PhraseOptions {
        scoring: PhraseScoring::Npmi,
        ..options(5, 0.5)
    };
    let phrases = learn(&text, &options);
    let together = phrases.score("red", "herring").unwrap();
    // ln(p / p²) / −ln p = 1, up to rounding.
    assert!((together - 1.0).abs() < 1e-12, "{together}");
    let rare = learn(
        &text,
        &PhraseOptions {
            min_count: 6,
            ..options
        },
    );
    assert_eq!(rare.score("red", "herring"), None);
}

/// Lines stay lines (empty ones too), white space becomes one space, a last line gets its
/// newline; a second pass joins phrases into longer ones.
#[test]
fn rewriting_keeps_lines_and_a_second_pass_makes_longer_phrases() {
    let mut text = String::new();
    for _ in 0..20 {
        text.push_str("the new york times\t said  so\n\n");
    }
    text.push_str("and  the end");
    let options = options(5, 1.0);
    let once = rewritten(&text, &options);
    let lines: Vec<&str> = once.split('\n').collect();
    assert_eq!(lines.len(), 42, "{once:?}");
    assert_eq!(lines[0], "the_new york_times said_so");
    assert_eq!(lines[1], "");
    assert_eq!(lines[40], "and the end");
    assert_eq!(lines[41], "", "the last line ends with a newline");
    let twice = rewritten(&once, &options);
    assert_eq!(twice.lines().next(), Some("the_new_york_times said_so"));
}

/// A pair straddling the cut of a line longer than 10,000 tokens is not counted, nor
/// joined, as training never sees it side by side.
#[test]
fn pairs_do_not_span_the_cut_of_a_long_line() {
    let mut words: Vec<String> = (0..9_999).map(|i| format!("w{}", i % 3)).collect();
    words.push("alpha".into());
    words.push("beta".into());
    let mut text = words.join(" ") + "\n";
    for i in 0..6 {
        text.push_str(&format!("g{i} alpha beta\n"));
    }
    // alpha beta scores (6 − 5) / 49 · 10,019 = 204; the pairs of w0, w1, w2 about 3.
    let options = options(5, 10.0);
    let phrases = learn(&text, &options);
    assert!(phrases.joins("alpha", "beta"));
    let out = rewritten(&text, &options);
    let first: Vec<&str> = out.lines().next().unwrap().split(' ').collect();
    assert_eq!(
        first.len(),
        10_001,
        "alpha (token 10,000) and beta stay apart"
    );
    assert_eq!(first[9_999..], ["alpha", "beta"]);
    assert_eq!(out.lines().nth(1), Some("g0 alpha_beta"));
}

/// Phrases saved and read back join alike; a phrase file that is not one is refused naming
/// the line.
#[test]
fn saved_phrases_read_back_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let text = "ice cream cone\n".repeat(10) + &"cream cheese\n".repeat(6);
    // cream cheese scores (6 − 5) / (16 · 6) · 42 = 0.44, the others 1.31.
    let phrases = learn(&text, &options(5, 0.4));
    let path = dir.join("phrases.txt");
    phrases.frozen().write(&path).unwrap();
    let read = FrozenPhrases::read(&path, "_").unwrap();
    assert_eq!(read.phrases(), phrases.phrases());
    assert_eq!(read.len(), phrases.phrases().len());
    let sentence = ["ice", "cream", "cheese", "cream", "cheese"];
    assert_eq!(read.apply(&sentence), phrases.apply(&sentence));
    assert_eq!(
        read.apply(&sentence),
        ["ice_cream", "cheese", "cream_cheese"]
    );
    assert_eq!(read.score("ice", "cream"), phrases.score("ice", "cream"));
    let other = FrozenPhrases::read(&path, "-").unwrap();
    assert_eq!(other.apply(&["ice", "cream"]), ["ice-cream"]);
    for (bad, expected) in [
        (
            "ice cream 3.5\n",
            ":1: expected `first [connector words] second score count`, found 3 fields",
        ),
        ("\nice cream x 3\n", ":2: the score of ice cream is \"x\""),
        ("ice cream NaN 3\n", "the score of ice cream is \"NaN\""),
        ("ice cream 3.5 -1\n", "the count of ice cream is \"-1\""),
        (
            "a b 1 1\nice cream 3.5 2\na b 2 2\n",
            ":3: a b is listed twice (first on line 1)",
        ),
    ] {
        let path = dir.join("bad.txt");
        std::fs::write(&path, bad).unwrap();
        let error = FrozenPhrases::read(&path, "_").unwrap_err().to_string();
        assert!(error.contains(expected), "{bad:?}: {error}");
    }
    let error = FrozenPhrases::read(&path, " ").unwrap_err().to_string();
    assert!(error.contains("--delimiter"), "{error}");
    let missing = FrozenPhrases::read(&dir.join("missing.txt"), "_").unwrap_err();
    assert!(missing.to_string().contains("missing.txt"), "{missing}");
}

/// Connector words stand inside phrases, never at their ends, and wait to be settled; the
/// phrase file names them and keeps the phrases whole.
#[test]
fn connector_words_stand_inside_phrases() {
    let mut text = "the bank of america and the bank\n".repeat(6);
    text.push_str(&"x of the of the of the of the of the of the y\n".repeat(6));
    let options = PhraseOptions {
        connectors: ["of", "the", "and"].map(String::from).to_vec(),
        ..options(5, 0.0)
    };
    let phrases = learn(&text, &options);
    // In 126 tokens, "bank of america" 6 times, bank 12 times and america 6: (6 − 5) /
    // (12 · 6) · 126 = 1.75; "america and the bank" alike. "x … y" (6 times) would score as
    // much, but 12 connector words are more than a phrase holds.
    let found: Vec<String> = phrases
        .phrases()
        .iter()
        .map(|p| format!("{} [{}] {}", p.first, p.between.join(" "), p.second))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.contains(&"bank [of] america".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"america [and the] bank".to_string()),
        "{found:?}"
    );
    const { assert!(MAX_BETWEEN < 12) };
    assert_eq!(
        phrases.apply(&["the", "bank", "of", "america", "and", "the", "bank", "of"]),
        ["the", "bank_of_america", "and", "the", "bank", "of"]
    );
    // A candidate that does not complete settles with its waiting connector words.
    assert_eq!(
        phrases.apply(&["bank", "of", "the", "bank", "and"]),
        ["bank", "of", "the", "bank", "and"]
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phrases.txt");
    phrases.frozen().write(&path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("#connectors of the and\n"), "{written}");
    assert!(written.contains("\nbank of america "), "{written}");
    let read = FrozenPhrases::read(&path, "+").unwrap();
    assert_eq!(read.connectors(), ["of", "the", "and"]);
    assert_eq!(read.phrases(), phrases.phrases());
    assert_eq!(read.apply(&["bank", "of", "america"]), ["bank+of+america"]);
    // A phrase with a word inside that is not a connector word is refused.
    std::fs::write(&path, "#connectors of\nbank the america 1 6\n").unwrap();
    let error = FrozenPhrases::read(&path, "_").unwrap_err().to_string();
    assert!(error.contains("\"the\" is not a connector word"), "{error}");
    let out = rewritten(&text, &options);
    assert_eq!(out.lines().next(), Some("the bank_of_america and the bank"));
    let bad = PhraseOptions {
        connectors: vec!["of".into(), "of".into()],
        ..options
    };
    let error = Phrases::learn_text(b"a b\n", Path::new("t"), &bad).unwrap_err();
    assert!(error.to_string().contains("--connector-words"), "{error}");
}

/// Invalid UTF-8 is decoded as training decodes it, and counted; the output is valid UTF-8.
#[test]
fn invalid_utf8_is_replaced_as_training_replaces_it() {
    let mut text = b"caf\xe9 noir\n".repeat(6);
    text.extend_from_slice(b"x\n");
    let phrases = Phrases::learn_text(&text, Path::new("t"), &options(5, 0.0)).unwrap();
    assert_eq!(phrases.stats().lossy_tokens, 6);
    assert!(phrases.joins("caf\u{fffd}", "noir"));
}

/// Past the pair limit the rarest pairs are pruned, and the phrases found say so.
#[test]
fn the_pair_limit_prunes_rare_pairs() {
    let mut text = "salt pepper\n".repeat(50);
    for i in 0..200 {
        text.push_str(&format!("a{} b{}\n", i % 20, i % 13));
    }
    let limited = learn(
        &text,
        &PhraseOptions {
            pair_limit: 20,
            threads: Some(1),
            ..options(5, 0.0)
        },
    );
    assert!(limited.pairs_pruned_below() > 0);
    assert!(limited.pair_count() <= 20, "{}", limited.pair_count());
    assert!(limited.joins("salt", "pepper"));
    let full = learn(&text, &options(5, 0.0));
    assert_eq!(full.pairs_pruned_below(), 0);
}

#[test]
fn options_that_cannot_work_are_refused() {
    let text = "a b\n".repeat(10);
    let refuse = |options: PhraseOptions, expected: &str| {
        let error = Phrases::learn_text(text.as_bytes(), Path::new("t"), &options).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    };
    refuse(options(0, 1.0), "--min-count");
    refuse(options(5, f64::NAN), "--threshold");
    let npmi = PhraseOptions {
        scoring: PhraseScoring::Npmi,
        ..options(5, 2.0)
    };
    refuse(npmi, "[-1, 1]");
    for delimiter in ["", " ", "a\tb", "\n"] {
        let options = PhraseOptions {
            delimiter: delimiter.into(),
            ..options(5, 1.0)
        };
        refuse(options, "--delimiter");
    }
    let error = Phrases::learn_text(b" \n\n", Path::new("blank"), &options(5, 1.0)).unwrap_err();
    assert!(error.to_string().contains("holds no words"), "{error}");
}

/// The command: its JSON summary, the phrase list, a gzip corpus, and bad input refused
/// without leaving an output file.
#[test]
fn the_command_writes_the_corpus_and_the_phrase_list() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("c.txt.gz");
    let text = "hot dog stand\n".repeat(8) + &"the stand\n".repeat(3);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, text.as_bytes()).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let (out, list) = (dir.path().join("out.txt"), dir.path().join("phrases.txt"));
    let summary = json(&[
        "phrases",
        "--input",
        s(&gz),
        "--output",
        s(&out),
        "--threshold",
        "0",
        "--delimiter",
        "+",
        "--save-phrases",
        s(&list),
        "--json",
    ]);
    assert_eq!(summary["lines"], 11);
    assert_eq!(summary["tokens"], 30);
    assert_eq!(summary["joined"], 8);
    assert_eq!(summary["tokens_written"], 22);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().next(), Some("hot+dog stand"));
    assert_eq!(written.lines().last(), Some("the stand"));
    // hot dog: (8 − 5) / 64 · 30; dog stand: (8 − 5) / (8 · 11) · 30.
    let listed = std::fs::read_to_string(&list).unwrap();
    let expected = format!(
        "hot dog {} 8\ndog stand {} 8\n",
        3.0 / 64.0 * 30.0,
        3.0 / 88.0 * 30.0
    );
    assert_eq!(listed, expected);
    // The saved phrases join other text; `dog stand` is listed, so with `hot` absent it joins.
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "a hot dog\nthe dog stand\nhot dog stand\n").unwrap();
    let joined = dir.path().join("joined.txt");
    let summary = json(&[
        "phrases",
        "--input",
        s(&other),
        "--output",
        s(&joined),
        "--phrases-from",
        s(&list),
        "--delimiter",
        "+",
        "--json",
    ]);
    assert_eq!(
        (summary["phrases"].as_u64(), summary["joined"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        std::fs::read_to_string(&joined).unwrap(),
        "a hot+dog\nthe dog+stand\nhot+dog stand\n"
    );
    refused(
        &[
            "phrases",
            "--input",
            s(&other),
            "--output",
            s(&joined),
            "--phrases-from",
            s(&list),
            "--threshold",
            "3",
        ],
        "cannot be used with",
    );
    let connected = dir.path().join("connected.txt");
    std::fs::write(&connected, "hot of the dog\n".repeat(6)).unwrap();
    for words in ["of,the", "english"] {
        let summary = json(&[
            "phrases",
            "--input",
            s(&connected),
            "--output",
            s(&out),
            "--threshold",
            "0",
            "--min-count",
            "3",
            "--connector-words",
            words,
            "--json",
        ]);
        assert_eq!(summary["joined"], 18, "{words}");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap().lines().next(),
            Some("hot_of_the_dog")
        );
    }
    let text_summary = ok(&[
        "phrases",
        "--input",
        s(&gz),
        "--output",
        s(&out),
        "--threshold",
        "0",
    ]);
    assert!(text_summary.contains("8 tokens joined"), "{text_summary}");

    let missing = dir.path().join("missing.txt");
    let never = dir.path().join("never.txt");
    refused(
        &["phrases", "--input", s(&missing), "--output", s(&never)],
        "missing.txt",
    );
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n \n").unwrap();
    refused(
        &["phrases", "--input", s(&empty), "--output", s(&never)],
        "holds no words",
    );
    refused(
        &[
            "phrases",
            "--input",
            s(&gz),
            "--output",
            s(&never),
            "--scoring",
            "npmi",
            "--threshold",
            "3",
        ],
        "[-1, 1]",
    );
    assert!(!never.exists());
    let run = vectrain(&["phrases", "--input", s(&gz), "--output", s(dir.path())]);
    assert!(!run.status.success());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
