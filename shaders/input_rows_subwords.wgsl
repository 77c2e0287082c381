// The <input_rows> block of negative_sampling_v2.wgsl for --subwords (fastText): a word
// stands for its own row of the input table and the rows of its character n-grams
// (src/subwords, `SubwordIndex`), in that order; the input table has vocabulary + bucket
// rows. The host puts this file in place of that block.
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.

// Every word's rows in one array: cells 0..=vocab hold where each word's list starts in this
// same array (word w's list is word_rows[word_rows[w]..word_rows[w + 1]]), the lists follow.
@group(0) @binding(9) var<storage, read> word_rows: array<u32>;

fn row_count(word: u32) -> u32 {
    return word_rows[word + 1u] - word_rows[word];
}

fn input_row(word: u32, r: u32) -> u32 {
    return word_rows[word_rows[word] + r];
}
