//! Large tables on 2 MiB pages. A training update reads and writes rows scattered over the
//! whole input table (with subwords 2,000,000 bucket rows, 800 MB at d = 100): on 4 KiB pages
//! that is 200,000 pages, far more than the TLB holds, so most rows cost a page walk; on
//! 2 MiB pages it is 400. (On the 2-core AMD EPYC VM the subword CBOW loop ran about 7%
//! faster, median of alternated repetitions.)
//!
//! Linux backs an anonymous mapping with huge pages when asked by `madvise(MADV_HUGEPAGE)`
//! (transparent huge pages in `madvise` mode, the common default), but only for pages first
//! touched after the advice: so the advice is given between allocating and filling. It is a
//! hint: where the kernel says no, or on other systems, nothing changes but the speed.

/// Tables smaller than this stay on ordinary pages (a few MB fit the TLB's reach anyway).
const SMALLEST: usize = 8 << 20;

/// A table of `len` zeros, asked for huge pages before any of it is touched.
pub(crate) fn zeroed(len: usize) -> Vec<f32> {
    // A large zeroed allocation is a fresh mapping that no page of has been touched yet
    // (the allocator knows it is zero and does not write it).
    let table = vec![0.0f32; len];
    advise(&table);
    table
}

/// Asks the kernel to back the pages of `cells` with huge pages from their first touch.
fn advise<T>(cells: &[T]) {
    let bytes = std::mem::size_of_val(cells);
    if bytes < SMALLEST {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = cells.as_ptr().addr();
        let first = start.next_multiple_of(PAGE);
        let end = (start + bytes) / PAGE * PAGE;
        if end > first {
            // SAFETY: madvise with MADV_HUGEPAGE changes how the range is backed, never its
            // contents; the range is page-aligned and inside the live allocation `cells`.
            // A refusal (an error return) leaves ordinary pages, which is fine.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_tables_are_zeros_of_the_length_asked() {
        for len in [0, 1, 1000, SMALLEST / 4 + 3, 3 * SMALLEST / 4] {
            let table = zeroed(len);
            assert_eq!(table.len(), len);
            assert!(table.iter().all(|&x| x.to_bits() == 0), "{len}");
        }
    }
}
