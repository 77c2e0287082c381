//! Any bytes (plain or gzip) given to the corpus reader give Ok or Err: no panic, no hang, no
//! huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vectrain::{Corpus, ReadOptions};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options, so both lowercasing and min-count paths are reached.
    let (options, text) = match data.split_first() {
        Some((&flags, text)) => (
            ReadOptions { lowercase: flags & 1 != 0, min_count: u64::from(flags >> 1 & 3) + 1, max_vocab: (flags & 8 != 0).then_some(usize::from(flags >> 4) + 1), ..ReadOptions::default() },
            text,
        ),
        None => (
            ReadOptions { lowercase: false, min_count: 1, max_vocab: None, ..ReadOptions::default() },
            data,
        ),
    };
    if let Ok(corpus) = Corpus::from_reader(text, std::path::Path::new("fuzz"), &options) {
        let mut tokens = 0;
        for chunk in corpus.chunks(7) {
            corpus
                .for_each_sentence_in(&chunk, |words, _| tokens += words.len())
                .expect("an in-memory corpus reads back");
        }
        assert_eq!(tokens, corpus.len());
    }
});
