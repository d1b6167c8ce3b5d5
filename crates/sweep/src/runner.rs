//! Running (a shard of) a sweep into an output directory.

use crate::error::{BoxError, IoContext, Result, SweepError};
use crate::journal::{Journal, Record};
use crate::outdir::{
    check_same_sweep, render_table, Manifest, JOURNAL_FILE, MANIFEST_FILE, RESULTS_FILE,
};
use crate::progress::Progress;
use crate::{fsutil, Row, Shard, Sweep, Unit};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Where and how to run. The `polarity` binary builds it from `--out`, `--resume`, `--shard`,
/// `--shards` and `--threads` (with [`crate::resolve_shard`]).
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Output directory (created if missing).
    pub out: PathBuf,
    /// Continue a directory made by an earlier run of the same config (starts afresh if it holds none).
    pub resume: bool,
    /// The slice of the grid to run; `None` runs every unit.
    pub shard: Option<Shard>,
    /// Worker threads; `None` lets rayon choose (one per core).
    pub threads: Option<usize>,
    /// Told when units finish (and of a torn journal tail dropped); `None` reports nothing.
    pub progress: Option<Arc<dyn Progress>>,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("out", &self.out)
            .field("resume", &self.resume)
            .field("shard", &self.shard)
            .field("threads", &self.threads)
            .field("progress", &self.progress.as_ref().map(|_| "observer"))
            .finish()
    }
}

/// The observer of a run, or one that ignores everything.
struct Silent;
impl Progress for Silent {}

/// What [`run`] did.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Path of the final table.
    pub results_csv: PathBuf,
    /// Units computed by this call.
    pub ran: usize,
    /// Units found finished in the journal and skipped.
    pub skipped: usize,
    /// The table's rows (without header) in canonical order, as written to `results.csv`.
    pub rows: Vec<Row>,
}

/// Runs the units of `sweep` owned by `options.shard` with `work`, journaling each as it finishes,
/// then writes `results.csv` (canonical order) atomically.
///
/// If `work` fails for a unit, no further units are started, units already finished stay in the
/// journal (a `--resume` run continues from there), and the error ([`SweepError::UnitFailed`])
/// names the unit and holds the closure's error as its source. The closure may return any error
/// type that converts into a [`BoxError`] (every `std::error::Error + Send + Sync` does, and so do
/// the usual application error types).
pub fn run<F, E>(sweep: &Sweep, options: &RunOptions, work: F) -> Result<RunOutcome>
where
    F: Fn(&Unit) -> std::result::Result<Vec<Row>, E> + Sync,
    E: Into<BoxError>,
{
    let dir = &options.out;
    std::fs::create_dir_all(dir)
        .io_context(|| format!("creating output directory {}", dir.display()))?;
    let wanted = Manifest::of(sweep, options.shard);
    let selected: Vec<&Unit> = sweep
        .units
        .iter()
        .enumerate()
        .filter(|(position, _)| options.shard.is_none_or(|s| s.owns(*position)))
        .map(|(_, unit)| unit)
        .collect();

    // Lock before looking at the manifest so two processes cannot both initialise the directory.
    let (journal, contents) = Journal::open(&dir.join(JOURNAL_FILE))?;
    match Manifest::read(dir)? {
        Some(found) => {
            if !options.resume {
                return Err(SweepError::AlreadyHoldsSweep(dir.clone()));
            }
            check_same_sweep(dir, &found, &wanted)?;
            if found.shard != wanted.shard {
                let show = |s: Option<Shard>| {
                    s.map_or("the whole grid".to_string(), |s| format!("shard {s}"))
                };
                return Err(SweepError::DifferentShard {
                    dir: dir.clone(),
                    found: show(found.shard),
                    wanted: show(wanted.shard),
                });
            }
        }
        None => {
            if !contents.records.is_empty() {
                return Err(SweepError::Corrupt(format!(
                    "{} has a journal but no {MANIFEST_FILE}; it was not made by this runner",
                    dir.display()
                )));
            }
            wanted.write_with_config(dir, &sweep.config)?;
        }
    }
    let progress: &dyn Progress = options.progress.as_deref().unwrap_or(&Silent);
    if contents.torn_bytes > 0 {
        journal.truncate_torn_tail(&contents)?;
        progress.torn_tail_dropped(&dir.join(JOURNAL_FILE), contents.torn_bytes);
    }

    let mut done: HashMap<String, Vec<Row>> = HashMap::new();
    let selected_ids: std::collections::HashSet<&str> = selected.iter().map(|u| u.id()).collect();
    for record in contents.records {
        if !selected_ids.contains(record.unit.as_str()) {
            return Err(SweepError::Corrupt(format!(
                "journal in {} holds unit {}, which is not part of this run",
                dir.display(),
                record.unit
            )));
        }
        if done.insert(record.unit.clone(), record.rows).is_some() {
            return Err(SweepError::Corrupt(format!(
                "journal in {} holds unit {} twice",
                dir.display(),
                record.unit
            )));
        }
    }
    let skipped = done.len();
    let pending: Vec<&Unit> = selected
        .iter()
        .copied()
        .filter(|u| !done.contains_key(u.id()))
        .collect();

    let total = selected.len();
    progress.start(options.shard, total, skipped);
    let finished_count = AtomicUsize::new(skipped);
    let finished = Mutex::new(Vec::<Record>::new());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(SweepError::Threads)?;
    let outcome = pool.install(|| {
        pending.par_iter().try_for_each(|unit| -> Result<()> {
            let rows = work(unit).map_err(|e| SweepError::UnitFailed {
                unit: unit.id().to_string(),
                source: e.into(),
            })?;
            if let Some(row) = rows.iter().find(|r| r.len() != sweep.header.len()) {
                return Err(SweepError::RowWidth {
                    unit: unit.id().to_string(),
                    fields: row.len(),
                    expected: sweep.header.len(),
                    header: sweep.header.join(","),
                });
            }
            let record = Record {
                unit: unit.id().to_string(),
                rows,
            };
            journal.append(&record)?;
            finished
                .lock()
                .expect("finished lock poisoned")
                .push(record);
            let done = finished_count.fetch_add(1, Ordering::SeqCst) + 1;
            progress.unit_finished(done, total);
            Ok(())
        })
    });
    progress.finish();
    outcome?;

    let finished = finished.into_inner().expect("finished lock poisoned");
    let ran = finished.len();
    done.extend(finished.into_iter().map(|r| (r.unit, r.rows)));
    let order: Vec<&str> = selected.iter().map(|u| u.id()).collect();
    let table = render_table(&sweep.header, order.iter().copied(), &done)?;
    let results_csv = dir.join(RESULTS_FILE);
    fsutil::write_atomic(&results_csv, &table)?;
    let rows = order
        .iter()
        .flat_map(|id| done.remove(*id).unwrap_or_default())
        .collect();
    Ok(RunOutcome {
        results_csv,
        ran,
        skipped,
        rows,
    })
}
