//! Running (a shard of) a sweep into an output directory.

use crate::error::{BoxError, IoContext, Result, SweepError};
use crate::journal::{Entry, Journal, Record};
use crate::outdir::{check_same_sweep, Manifest, JOURNAL_FILE, MANIFEST_FILE};
use crate::progress::Progress;
use crate::table::TableWriter;
use crate::{Row, Shard, Sweep, Unit};
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
    /// Path of the final table (`results.csv` or `results.parquet`, by [`Sweep::table`]).
    pub results_csv: PathBuf,
    /// Units computed by this call.
    pub ran: usize,
    /// Units found finished in the journal and skipped.
    pub skipped: usize,
    /// The table's rows (without header) in canonical order, as written to the table; empty
    /// from [`run_streaming`], which hands them to its callback instead.
    pub rows: Vec<Row>,
}

/// Runs the units of `sweep` owned by `options.shard` with `work`, journaling each as it finishes,
/// then writes the table (canonical order) atomically and returns its rows.
///
/// If `work` fails for a unit, no further units are started, units already finished stay in the
/// journal (a `--resume` run continues from there), and the error ([`SweepError::UnitFailed`])
/// names the unit and holds the closure's error as its source. The closure may return any error
/// type that converts into a [`BoxError`] (every `std::error::Error + Send + Sync` does, and so do
/// the usual application error types). For grids whose rows do not fit in memory, use
/// [`run_streaming`].
pub fn run<F, E>(sweep: &Sweep, options: &RunOptions, work: F) -> Result<RunOutcome>
where
    F: Fn(&Unit) -> std::result::Result<Vec<Row>, E> + Sync,
    E: Into<BoxError>,
{
    let mut rows = Vec::new();
    let mut outcome = run_streaming(sweep, options, work, |_, unit_rows| {
        rows.extend(unit_rows);
        Ok(())
    })?;
    outcome.rows = rows;
    Ok(outcome)
}

/// [`run`] in memory independent of the grid's size: a finished unit's rows are journaled and
/// dropped; once every unit is done, the table is written from the journal one unit at a time,
/// in canonical order, and each unit's rows are handed to `on_unit` (unit id, rows) as they are
/// written, so the caller can reduce them (docs/decisions.md D-SWEEP-7). An error of `on_unit`
/// stops the run; the journal is complete by then, so `--resume` rewrites the table.
pub fn run_streaming<F, E, G>(
    sweep: &Sweep,
    options: &RunOptions,
    work: F,
    mut on_unit: G,
) -> Result<RunOutcome>
where
    F: Fn(&Unit) -> std::result::Result<Vec<Row>, E> + Sync,
    E: Into<BoxError>,
    G: FnMut(&str, Vec<Row>) -> std::result::Result<(), BoxError>,
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
            if found.table != wanted.table {
                return Err(SweepError::DifferentFormat {
                    dir: dir.clone(),
                    found: found.table,
                    wanted: wanted.table,
                });
            }
        }
        None => {
            if !contents.entries.is_empty() {
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

    let mut done: HashMap<String, Entry> = HashMap::new();
    let selected_ids: std::collections::HashSet<&str> = selected.iter().map(|u| u.id()).collect();
    for entry in contents.entries {
        if !selected_ids.contains(entry.unit.as_str()) {
            return Err(SweepError::Corrupt(format!(
                "journal in {} holds unit {}, which is not part of this run",
                dir.display(),
                entry.unit
            )));
        }
        if done.contains_key(&entry.unit) {
            return Err(SweepError::Corrupt(format!(
                "journal in {} holds unit {} twice",
                dir.display(),
                entry.unit
            )));
        }
        done.insert(entry.unit.clone(), entry);
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
    // Where each finished unit lies in the journal; its rows are dropped once journaled.
    let finished = Mutex::new(Vec::<Entry>::new());
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
            let entry = journal.append(&record)?;
            drop(record);
            finished.lock().expect("finished lock poisoned").push(entry);
            let done = finished_count.fetch_add(1, Ordering::SeqCst) + 1;
            progress.unit_finished(done, total);
            Ok(())
        })
    });
    progress.finish();
    outcome?;

    let finished = finished.into_inner().expect("finished lock poisoned");
    let ran = finished.len();
    done.extend(finished.into_iter().map(|e| (e.unit.clone(), e)));
    let path = dir.join(sweep.table.file_name());
    let mut table = TableWriter::create(&path, sweep.table, &sweep.header, &sweep.kinds)?;
    for unit in &selected {
        let entry = done.get(unit.id()).ok_or_else(|| {
            SweepError::Render(format!("internal: no journal frame for unit {}", unit.id()))
        })?;
        let record = journal.load(entry)?;
        table.write_rows(&record.unit, &record.rows)?;
        on_unit(&record.unit, record.rows).map_err(|source| SweepError::UnitFailed {
            unit: record.unit.clone(),
            source,
        })?;
    }
    let results_csv = table.finish()?;
    Ok(RunOutcome {
        results_csv,
        ran,
        skipped,
        rows: Vec::new(),
    })
}
