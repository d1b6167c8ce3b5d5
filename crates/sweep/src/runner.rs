//! Running (a shard of) a sweep into an output directory.

use crate::journal::{Journal, Record};
use crate::outdir::{
    check_same_sweep, render_table, Manifest, JOURNAL_FILE, MANIFEST_FILE, RESULTS_FILE,
};
use crate::progress::Progress;
use crate::{fsutil, Row, Shard, Sweep, Unit};
use anyhow::{bail, Context};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where and how to run; usually built from [`crate::cli::SweepArgs::options`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output directory (created if missing).
    pub out: PathBuf,
    /// Continue a directory made by an earlier run of the same config (starts afresh if it holds none).
    pub resume: bool,
    /// The slice of the grid to run; `None` runs every unit.
    pub shard: Option<Shard>,
    /// Worker threads; `None` lets rayon choose (one per core).
    pub threads: Option<usize>,
}

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
/// journal (a `--resume` run continues from there), and the error names the unit.
pub fn run<F>(sweep: &Sweep, options: &RunOptions, work: F) -> anyhow::Result<RunOutcome>
where
    F: Fn(&Unit) -> anyhow::Result<Vec<Row>> + Sync,
{
    let dir = &options.out;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating output directory {}", dir.display()))?;
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
                bail!(
                    "{} already holds a sweep ({MANIFEST_FILE}); pass --resume to continue it, or choose another --out",
                    dir.display()
                );
            }
            check_same_sweep(dir, &found, &wanted)?;
            if found.shard != wanted.shard {
                let show = |s: Option<Shard>| {
                    s.map_or("the whole grid".to_string(), |s| format!("shard {s}"))
                };
                bail!(
                    "{} holds {}, but this run is {}",
                    dir.display(),
                    show(found.shard),
                    show(wanted.shard)
                );
            }
        }
        None => {
            if !contents.records.is_empty() {
                bail!(
                    "{} has a journal but no {MANIFEST_FILE}; it was not made by this runner",
                    dir.display()
                );
            }
            wanted.write_with_config(dir, &sweep.config)?;
        }
    }
    if contents.torn_bytes > 0 {
        journal.truncate_torn_tail(&contents)?;
        eprintln!(
            "sweep: dropped a torn {}-byte tail from {} (a unit interrupted mid-write; it will be rerun)",
            contents.torn_bytes,
            dir.join(JOURNAL_FILE).display()
        );
    }

    let mut done: HashMap<String, Vec<Row>> = HashMap::new();
    let selected_ids: std::collections::HashSet<&str> = selected.iter().map(|u| u.id()).collect();
    for record in contents.records {
        if !selected_ids.contains(record.unit.as_str()) {
            bail!(
                "journal in {} holds unit {}, which is not part of this run",
                dir.display(),
                record.unit
            );
        }
        if done.insert(record.unit.clone(), record.rows).is_some() {
            bail!(
                "journal in {} holds unit {} twice",
                dir.display(),
                record.unit
            );
        }
    }
    let skipped = done.len();
    let pending: Vec<&Unit> = selected
        .iter()
        .copied()
        .filter(|u| !done.contains_key(u.id()))
        .collect();

    let label = match options.shard {
        Some(s) => format!("sweep shard {s}"),
        None => "sweep".to_string(),
    };
    let progress = Progress::new(label, selected.len(), skipped);
    let finished = Mutex::new(Vec::<Record>::new());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .context("starting the worker threads")?;
    let outcome = pool.install(|| {
        pending
            .par_iter()
            .try_for_each(|unit| -> anyhow::Result<()> {
                let rows = work(unit).with_context(|| format!("unit {}", unit.id()))?;
                if let Some(row) = rows.iter().find(|r| r.len() != sweep.header.len()) {
                    bail!(
                        "unit {} returned a row with {} fields but the header has {} ({})",
                        unit.id(),
                        row.len(),
                        sweep.header.len(),
                        sweep.header.join(",")
                    );
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
                progress.unit_finished();
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
