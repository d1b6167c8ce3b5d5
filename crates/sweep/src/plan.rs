//! What merging shard directories holds in memory (docs/decisions.md D-PLAN-3): their journals
//! are read whole, decoded into rows and rendered into one table, so the plan is a multiple of
//! the journals' sizes on disk, known from the file system before a byte is read.

use crate::outdir::{JOURNAL_FILE, MANIFEST_FILE};
use polarity_core::plan::{Factor, Plan, Term};
use std::path::PathBuf;

/// Bytes in memory per byte of journal on disk: the file as read (1), its rows decoded into
/// `String`s (about 4: 48 B per field of about 12 B of JSON) and the rendered table (1).
pub const MERGE_BYTES_PER_JOURNAL_BYTE: u64 = 6;

/// The memory plan of merging `shard_dirs` (missing files count zero; the merge names them).
pub fn merge_plan(shard_dirs: &[PathBuf]) -> Plan {
    let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    let journals: u64 = shard_dirs
        .iter()
        .map(|d| size(d.join(JOURNAL_FILE)))
        .fold(0u64, u64::saturating_add);
    let manifests: u64 = shard_dirs
        .iter()
        .map(|d| size(d.join(MANIFEST_FILE)))
        .fold(0u64, u64::saturating_add);
    Plan {
        memory: vec![
            Term::new(
                "reading, decoding and rendering the shards' journals",
                vec![Factor::count("journal bytes on disk in all", journals)],
                MERGE_BYTES_PER_JOURNAL_BYTE,
            )
            .given(vec![Factor::count("SHARD_DIR arguments", shard_dirs.len())]),
            Term::new(
                "the shards' manifests",
                vec![Factor::count("manifest bytes", manifests)],
                4,
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
    fn the_plan_follows_the_journal_sizes_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for (d, len) in [(&a, 1000u64), (&b, 234)] {
            std::fs::create_dir(d).unwrap();
            std::fs::File::create(d.join(JOURNAL_FILE))
                .unwrap()
                .set_len(len)
                .unwrap();
        }
        let plan = merge_plan(&[a.clone(), b.clone(), dir.path().join("missing")]);
        assert_eq!(plan.memory[0].factors[0].value, 1234);
        assert_eq!(
            plan.memory_bytes(),
            Some(1234 * MERGE_BYTES_PER_JOURNAL_BYTE)
        );
        // A sparse 1 TiB journal is planned from its size, not read.
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
