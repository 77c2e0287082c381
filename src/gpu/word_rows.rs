//! Every word's input rows (its own and its n-grams') as the subword kernel reads them.

use crate::error::{Error, Result};
use crate::subwords::SubwordIndex;

/// The subword kernel's `word_rows` array for `index`: cells `0..=vocab` hold where each
/// word's list starts in the array itself, the lists follow (`shaders/input_rows_subwords.wgsl`).
pub fn word_rows_array(index: &SubwordIndex) -> Result<Vec<u32>> {
    let head = index.offsets.len();
    let cells = head + index.rows.len();
    if cells > u32::MAX as usize {
        return Err(Error::DeviceLimit {
            what: "the words' n-gram rows".into(),
            needed: cells as u64 * 4,
            limit: u32::MAX as u64 * 4,
            limit_name: "32-bit indexing of the subword rows",
        });
    }
    let mut array = Vec::with_capacity(cells);
    array.extend(index.offsets.iter().map(|&at| at + head as u32));
    array.extend_from_slice(&index.rows);
    Ok(array)
}
