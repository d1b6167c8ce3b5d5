//! What a reproduction cost, stated in its report next to the wall time: the process's peak
//! memory (`getrusage` maxrss) and the size of its runs on disk (docs/decisions.md D-STATS-11).

use std::path::Path;
use std::time::Instant;

/// Wall time, peak memory and output size of a run so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Resources {
    pub wall_seconds: f64,
    /// Peak resident set size of this process, in bytes; `None` where the OS does not say.
    pub peak_rss_bytes: Option<u64>,
    /// Every file under `runs/` (tables, completion records, configs; journals of unfinished or
    /// sharded grids).
    pub runs_bytes: u64,
    /// The per-epoch tables alone (`results.parquet` / `results.csv`).
    pub table_bytes: u64,
}

impl Resources {
    /// Measures now: time since `start`, the peak memory so far, and `out/runs` on disk.
    pub fn measure(out: &Path, start: Instant) -> Self {
        let (runs_bytes, table_bytes) = dir_bytes(&out.join("runs"));
        Self {
            wall_seconds: start.elapsed().as_secs_f64(),
            peak_rss_bytes: peak_rss_bytes(),
            runs_bytes,
            table_bytes,
        }
    }

    /// The report's sentence.
    pub fn sentence(&self) -> String {
        let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
        format!(
            "Cost of this run up to here (all grids trained and reduced): wall time {:.1} s; peak memory \
             {} (getrusage maxrss of the process); runs/ takes {} on disk, of which {} are the \
             per-epoch tables (the rest: configs and completion records, and the journals of grids \
             not finished).",
            self.wall_seconds,
            self.peak_rss_bytes.map_or("not measured".to_string(), mb),
            mb(self.runs_bytes),
            mb(self.table_bytes),
        )
    }
}

/// Peak resident set size of this process in bytes (`getrusage(RUSAGE_SELF)`; Linux reports
/// `ru_maxrss` in KiB).
pub fn peak_rss_bytes() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes a complete `rusage` into the pointer on success (returns 0).
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
        if rc != 0 {
            return None;
        }
        // SAFETY: initialised by the successful call above.
        let usage = unsafe { usage.assume_init() };
        u64::try_from(usage.ru_maxrss).ok().map(|kib| kib * 1024)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Bytes of every file under `dir` (recursively), and of the results tables among them; a
/// missing directory or an unreadable entry counts nothing.
pub fn dir_bytes(dir: &Path) -> (u64, u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    let mut total = 0;
    let mut tables = 0;
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            let (t, r) = dir_bytes(&entry.path());
            total += t;
            tables += r;
        } else {
            total += meta.len();
            let name = entry.file_name();
            if name == "results.parquet" || name == "results.csv" {
                tables += meta.len();
            }
        }
    }
    (total, tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_count_every_file_and_the_tables_apart() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        std::fs::create_dir_all(runs.join("a/b")).unwrap();
        std::fs::write(runs.join("a/results.parquet"), [0u8; 100]).unwrap();
        std::fs::write(runs.join("a/b/results.csv"), [0u8; 7]).unwrap();
        std::fs::write(runs.join("a/b/journal"), [0u8; 1000]).unwrap();
        assert_eq!(dir_bytes(&runs), (1107, 107));
        assert_eq!(dir_bytes(&dir.path().join("missing")), (0, 0));
    }

    #[test]
    fn peak_memory_covers_a_buffer_just_touched() {
        // 64 MiB written page by page must be resident at some point, so maxrss >= it.
        let big = vec![1u8; 64 << 20];
        let peak = peak_rss_bytes();
        assert!(big.iter().step_by(4096).all(|&b| b == 1));
        if cfg!(target_os = "linux") {
            assert!(peak.unwrap() >= 64 << 20, "{peak:?}");
        }
    }
}
