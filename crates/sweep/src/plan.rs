//! What merging shard directories holds in memory (docs/decisions.md D-PLAN-3, D-SWEEP-7): the
//! merge streams, one unit at a time, so the plan is the largest unit's frame decoded into rows,
//! the index of the units and the Parquet row group being buffered, known from the frame headers
//! and file sizes before a payload is read.

use crate::journal;
use crate::outdir::{JOURNAL_FILE, MANIFEST_FILE};
use polarity_core::plan::{Factor, Plan, Term};
use std::path::PathBuf;

/// Bytes in memory per byte of the largest (zstd-compressed) frame: decompressed JSON (up to
/// about 10x), its rows decoded into `String`s (about 4x the JSON) and the frame itself, rounded up.
pub const MERGE_BYTES_PER_FRAME_BYTE: u64 = 64;
/// Bytes per row of a Parquet row group being buffered (typed values and the writers' pages).
pub const PARQUET_ROW_BYTES: u64 = 256;

/// The memory plan of merging `shard_dirs` (missing files count zero; the merge names them).
pub fn merge_plan(shard_dirs: &[PathBuf]) -> Plan {
    let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    // An unreadable journal plans as empty here; the merge itself then names the error.
    let largest = shard_dirs
        .iter()
        .map(|d| journal::largest_frame(&d.join(JOURNAL_FILE)).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let manifests: u64 = shard_dirs
        .iter()
        .map(|d| size(d.join(MANIFEST_FILE)))
        .fold(0u64, u64::saturating_add);
    Plan {
        memory: vec![
            Term::new(
                "reading back and writing one unit (the largest journal frame)",
                vec![Factor::count("bytes of the largest frame", largest)],
                MERGE_BYTES_PER_FRAME_BYTE,
            )
            .given(vec![Factor::count("SHARD_DIR arguments", shard_dirs.len())]),
            Term::new(
                "the shards' manifests and the index of their units",
                vec![Factor::count("manifest bytes", manifests)],
                4,
            ),
            Term::new(
                "the Parquet row group being buffered",
                vec![Factor::count(
                    "rows per row group",
                    crate::table::ROW_GROUP_ROWS,
                )],
                PARQUET_ROW_BYTES,
            ),
        ],
        work: Vec::new(),
        networks: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_follows_the_largest_frame_not_the_journal_size() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let record = |unit: &str, n: usize| journal::Record {
            unit: unit.into(),
            rows: (0..n).map(|i| vec![format!("{i}"); 3]).collect(),
        };
        let (small, big) = (
            journal::encode(&record("u=1", 3)).unwrap(),
            journal::encode(&record("u=2", 500)).unwrap(),
        );
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join(JOURNAL_FILE), [small.clone(), big.clone()].concat()).unwrap();
        std::fs::write(b.join(JOURNAL_FILE), &small).unwrap();
        let plan = merge_plan(&[a.clone(), b.clone(), dir.path().join("missing")]);
        // The frame's payload: its length less the 16-byte header.
        assert_eq!(plan.memory[0].factors[0].value, big.len() as u64 - 16);
        // A torn last frame counts what is there.
        std::fs::write(b.join(JOURNAL_FILE), &big[..40]).unwrap();
        assert_eq!(journal::largest_frame(&b.join(JOURNAL_FILE)).unwrap(), 24);
        // A frame header claiming 4 GiB plans 4 GiB x the factor only if the bytes are there:
        // a sparse 1 TiB journal of one huge frame is refused from its header, not read.
        let mut huge = big[..16].to_vec();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(a.join(JOURNAL_FILE), &huge).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(a.join(JOURNAL_FILE))
            .unwrap()
            .set_len(1 << 40)
            .unwrap();
        let limit = polarity_core::MemoryLimit {
            bytes: 1 << 30,
            source: "test".into(),
        };
        assert!(merge_plan(&[a, b]).check(&limit).is_err());
    }
}
