//! Running (a shard of) a sweep into an output directory.

use crate::complete::{rows_checksum, Completion, UnitDigest, COMPLETE_FILE};
use crate::error::{BoxError, IoContext, Result, SweepError};
use crate::journal::{Entry, Journal, Record, Scan};
use crate::outdir::{check_same_sweep, Manifest, JOURNAL_FILE, MANIFEST_FILE};
use crate::progress::Progress;
use crate::table::TableWriter;
use crate::table_reader::TableReader;
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
    /// Run the units one at a time on the calling thread, outside any pool of the runner's, so
    /// the work inside a unit (a backend's threaded kernels) has rayon's global pool, every
    /// core. For units that must not run concurrently (the image studies: burn-flex has one
    /// random generator per process); `threads` is then ignored. A one-thread pool instead
    /// would confine each unit's own parallel work to that one thread.
    pub one_unit_at_a_time: bool,
    /// Told when units finish (and of a torn journal tail dropped); `None` reports nothing.
    pub progress: Option<Arc<dyn Progress>>,
    /// Keep the journal of a finished whole-grid run. By default it is deleted once the table and
    /// its completion record (`complete.json`) are written, since the table then holds the same
    /// rows (docs/decisions.md D-SWEEP-10). Shard runs always keep theirs: `merge` reads it.
    pub keep_journal: bool,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("out", &self.out)
            .field("resume", &self.resume)
            .field("shard", &self.shard)
            .field("threads", &self.threads)
            .field("one_unit_at_a_time", &self.one_unit_at_a_time)
            .field("progress", &self.progress.as_ref().map(|_| "observer"))
            .field("keep_journal", &self.keep_journal)
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
///
/// A whole-grid run then writes its completion record and deletes the journal (unless
/// [`RunOptions::keep_journal`]); a `--resume` of such a directory runs nothing, checks the table
/// against the record and hands every unit's rows, read back from the table, to `on_unit` in
/// canonical order (docs/decisions.md D-SWEEP-10).
pub fn run_streaming<F, E, G>(
    sweep: &Sweep,
    options: &RunOptions,
    work: F,
    on_unit: G,
) -> Result<RunOutcome>
where
    F: Fn(&Unit) -> std::result::Result<Vec<Row>, E> + Sync,
    E: Into<BoxError>,
    G: FnMut(&str, Vec<Row>) -> std::result::Result<(), BoxError>,
{
    let dir = &options.out;
    std::fs::create_dir_all(dir)
        .io_context(|| format!("creating output directory {}", dir.display()))?;
    // Lock before looking at the manifest so two processes cannot both initialise the directory.
    // A journal created only to hold the lock (a finished directory has none) is removed again,
    // while still locked, if this call fails before journaling anything, so a refused run leaves
    // the directory as it found it.
    let journal_path = dir.join(JOURNAL_FILE);
    let created = !journal_path.exists();
    let (journal, contents) = Journal::open(&journal_path)?;
    let result = run_locked(sweep, options, &journal, contents, work, on_unit);
    if result.is_err() && created && journal.is_empty() {
        // The run's own error is the one to report; a failed clean-up leaves an empty journal.
        let _ = journal.delete();
    }
    result
}

/// [`run_streaming`] once the journal is open and locked.
fn run_locked<F, E, G>(
    sweep: &Sweep,
    options: &RunOptions,
    journal: &Journal,
    contents: Scan,
    work: F,
    mut on_unit: G,
) -> Result<RunOutcome>
where
    F: Fn(&Unit) -> std::result::Result<Vec<Row>, E> + Sync,
    E: Into<BoxError>,
    G: FnMut(&str, Vec<Row>) -> std::result::Result<(), BoxError>,
{
    let dir = &options.out;
    let wanted = Manifest::of(sweep, options.shard);
    let selected: Vec<&Unit> = sweep
        .units
        .iter()
        .enumerate()
        .filter(|(position, _)| options.shard.is_none_or(|s| s.owns(*position)))
        .map(|(_, unit)| unit)
        .collect();

    let completion = match Manifest::read(dir)? {
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
            Completion::read(dir)?
        }
        None => {
            if !contents.entries.is_empty() {
                return Err(SweepError::Corrupt(format!(
                    "{} has a journal but no {MANIFEST_FILE}; it was not made by this runner",
                    dir.display()
                )));
            }
            wanted.write_with_config(dir, &sweep.config)?;
            None
        }
    };
    let progress: &dyn Progress = options.progress.as_deref().unwrap_or(&Silent);
    if let Some(completion) = completion {
        return resume_finished(
            sweep,
            options,
            &selected,
            journal,
            completion,
            progress,
            &mut on_unit,
        );
    }
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
    let run_unit = |unit: &&Unit| -> Result<()> {
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
    };
    let outcome = if options.one_unit_at_a_time {
        pending.iter().try_for_each(run_unit)
    } else {
        rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.unwrap_or(0))
            .build()
            .map_err(SweepError::Threads)?
            .install(|| pending.par_iter().try_for_each(run_unit))
    };
    progress.finish();
    outcome?;

    let finished = finished.into_inner().expect("finished lock poisoned");
    let ran = finished.len();
    done.extend(finished.into_iter().map(|e| (e.unit.clone(), e)));
    let path = dir.join(sweep.table.file_name());
    let mut table = TableWriter::create(&path, sweep.table, &sweep.header, &sweep.kinds)?;
    let whole_grid = options.shard.is_none();
    let mut digests = Vec::new();
    for unit in &selected {
        let entry = done.get(unit.id()).ok_or_else(|| {
            SweepError::Render(format!("internal: no journal frame for unit {}", unit.id()))
        })?;
        let record = journal.load(entry)?;
        table.write_rows(&record.unit, &record.rows)?;
        if whole_grid {
            digests.push(UnitDigest::of(&record.unit, &record.rows));
        }
        on_unit(&record.unit, record.rows).map_err(|source| SweepError::UnitFailed {
            unit: record.unit.clone(),
            source,
        })?;
    }
    // Only a table that gives back every string the journal held may replace it.
    let lossless = table.lossless();
    let results_csv = table.finish()?;
    if whole_grid && lossless {
        // Record first, then delete: a crash in between leaves both, and the next `--resume`
        // checks the table against the record and deletes the journal then.
        Completion::of_table(dir, sweep.table.file_name(), digests)?.write(dir)?;
        if !options.keep_journal {
            journal.delete()?;
        }
    }
    Ok(RunOutcome {
        results_csv,
        ran,
        skipped,
        rows: Vec::new(),
    })
}

/// `--resume` of a directory whose run finished (it holds a completion record): runs nothing,
/// checks the table against the record, hands each unit's rows read back from the table to
/// `on_unit` in canonical order (checking each unit's checksum), and deletes a journal left by a
/// crash between the record and the deletion (unless [`RunOptions::keep_journal`]).
fn resume_finished<G>(
    sweep: &Sweep,
    options: &RunOptions,
    selected: &[&Unit],
    journal: &Journal,
    completion: Completion,
    progress: &dyn Progress,
    on_unit: &mut G,
) -> Result<RunOutcome>
where
    G: FnMut(&str, Vec<Row>) -> std::result::Result<(), BoxError>,
{
    let dir = &options.out;
    let record = dir.join(COMPLETE_FILE);
    let redo = format!(
        "delete {} and rerun (or, if its journal is still there, delete {} and resume)",
        dir.display(),
        record.display()
    );
    if options.shard.is_some() {
        return Err(SweepError::Corrupt(format!(
            "{} is in a shard's directory, which never has one; {redo}",
            record.display()
        )));
    }
    if completion.table != sweep.table.file_name() {
        return Err(SweepError::Corrupt(format!(
            "{} names the table {}, but this run's table is {}; {redo}",
            record.display(),
            completion.table,
            sweep.table.file_name()
        )));
    }
    let same_units = completion.units.len() == selected.len()
        && completion
            .units
            .iter()
            .zip(selected)
            .all(|(digest, unit)| digest.unit == unit.id());
    if !same_units {
        return Err(SweepError::Corrupt(format!(
            "{} does not list the units of {MANIFEST_FILE} in their order; {redo}",
            record.display()
        )));
    }
    completion.check_table(dir)?;
    let total = selected.len();
    progress.start(None, total, total);
    progress.finish();

    let path = dir.join(&completion.table);
    let read_error = |message: String| SweepError::TableRead {
        table: path.clone(),
        message,
    };
    let mut table = TableReader::open(&path, sweep.table, &sweep.header, &sweep.kinds)?;
    for digest in &completion.units {
        let mut rows = Vec::new();
        for _ in 0..digest.rows {
            let row = table.next_row()?.ok_or_else(|| {
                read_error(format!(
                    "it ends inside unit {} ({} of its {} rows read)",
                    digest.unit,
                    rows.len(),
                    digest.rows
                ))
            })?;
            rows.push(row);
        }
        let found = rows_checksum(&rows);
        if found != digest.checksum {
            return Err(read_error(format!(
                "the rows of unit {} read back with checksum {found}, not the {} of {}; {redo}",
                digest.unit,
                digest.checksum,
                record.display()
            )));
        }
        on_unit(&digest.unit, rows).map_err(|source| SweepError::UnitFailed {
            unit: digest.unit.clone(),
            source,
        })?;
    }
    if table.next_row()?.is_some() {
        return Err(read_error(format!(
            "it holds rows after the last unit of {}; {redo}",
            record.display()
        )));
    }
    // The journal is empty (opened only to lock the directory) or left by a crash: the table
    // now stands checked in its place.
    if !options.keep_journal || journal.is_empty() {
        journal.delete()?;
    }
    Ok(RunOutcome {
        results_csv: path,
        ran: 0,
        skipped: total,
        rows: Vec::new(),
    })
}
