//! The [`Collective`] of an MPI job (cargo feature `mpi`): `mpirun -np N vectrain ...`.

use mpi::Count;
use mpi::collective::SystemOperation;
use mpi::datatype::{Equivalence, PartitionMut};
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

use crate::distributed::Collective;
use crate::error::{Error, Result};

/// Elements per MPI call: MPI counts are 32-bit, so larger tables go in pieces.
const PIECE: usize = 1 << 26;

/// The world communicator of an MPI job. MPI is finalized when it is dropped.
pub struct MpiWorld {
    world: SimpleCommunicator,
    // Dropped last: finalizes MPI.
    _universe: Universe,
}

impl MpiWorld {
    /// Initializes MPI (once per process).
    pub fn init() -> Result<MpiWorld> {
        let universe = mpi::initialize().ok_or_else(|| {
            Error::Mismatch("MPI cannot be initialized (it already was in this process)".into())
        })?;
        Ok(MpiWorld {
            world: universe.world(),
            _universe: universe,
        })
    }

    /// Ends every rank of the job at once with `code` (after an error on this rank, so
    /// that the others do not wait for it forever).
    pub fn abort(&self, code: i32) -> ! {
        self.world.abort(code)
    }
}

impl Collective for MpiWorld {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    fn sum_f32(&mut self, values: &mut [f32]) -> Result<()> {
        sum_in_pieces(&self.world, values);
        Ok(())
    }

    fn sum_u64(&mut self, values: &mut [u64]) -> Result<()> {
        sum_in_pieces(&self.world, values);
        Ok(())
    }

    fn gather(&mut self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        let too_large = || Error::Mismatch("a message over 2 GiB between ranks".into());
        let length = Count::try_from(mine.len()).map_err(|_| too_large())?;
        let mut lengths = vec![0 as Count; self.size()];
        self.world.all_gather_into(&length, &mut lengths[..]);
        let mut offsets = Vec::with_capacity(lengths.len());
        let mut total: Count = 0;
        for &length in &lengths {
            offsets.push(total);
            total = total.checked_add(length).ok_or_else(too_large)?;
        }
        let mut all = vec![0u8; total as usize];
        {
            let mut partition = PartitionMut::new(&mut all[..], &lengths[..], &offsets[..]);
            self.world.all_gather_varcount_into(mine, &mut partition);
        }
        Ok(offsets
            .iter()
            .zip(&lengths)
            .map(|(&at, &length)| all[at as usize..(at + length) as usize].to_vec())
            .collect())
    }
}

/// `values` summed over every rank in place, [`PIECE`] elements per call.
fn sum_in_pieces<T: Equivalence + Copy>(world: &SimpleCommunicator, values: &mut [T]) {
    for piece in values.chunks_mut(PIECE) {
        let mine = piece.to_vec();
        world.all_reduce_into(&mine[..], piece, SystemOperation::sum());
    }
}
