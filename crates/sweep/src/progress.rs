//! Progress of a running sweep, reported to an observer the caller supplies in
//! [`crate::RunOptions::progress`]. The library draws and prints nothing; the `polarity` binary
//! turns these calls into a bar on a terminal and one line per 10 % otherwise.

use crate::Shard;
use std::path::Path;

/// Observer of one [`crate::run`] call at a time. Units finish on the runner's worker threads, so
/// the methods may be called concurrently. Every method defaults to doing nothing.
pub trait Progress: Send + Sync {
    /// Before any unit runs: `total` units belong to this run (its shard), of which `done` were
    /// already finished in the journal (a resumed run).
    fn start(&self, shard: Option<Shard>, total: usize, done: usize) {
        let _ = (shard, total, done);
    }

    /// A unit was journaled; `done` of `total` are now finished (resumed ones included).
    fn unit_finished(&self, done: usize, total: usize) {
        let _ = (done, total);
    }

    /// The run stopped: all units finished, or one failed.
    fn finish(&self) {}

    /// A resumed run found a unit interrupted mid-write and cut its `bytes` from `journal`; the
    /// unit will be rerun.
    fn torn_tail_dropped(&self, journal: &Path, bytes: u64) {
        let _ = (journal, bytes);
    }
}
