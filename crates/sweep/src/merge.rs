//! Merging shard directories into the directory an unsharded run would have written.

use crate::complete::{Completion, UnitDigest, COMPLETE_FILE};
use crate::error::{IoContext, Result, SweepError};
use crate::fsutil::{self, AtomicFile};
use crate::journal::{self, Entry};
use crate::outdir::{check_same_sweep, Manifest, JOURNAL_FILE, MANIFEST_FILE};
use crate::table::TableWriter;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What [`merge`] wrote.
#[derive(Debug, Clone)]
pub struct MergeOutcome {
    pub results_csv: PathBuf,
    pub units: usize,
    pub rows: usize,
}

const LISTED: usize = 8;

/// `return Err(SweepError::Merge(format!(...)))`: shard directories that do not fit together.
macro_rules! bail {
    ($($message:tt)*) => {
        return Err(SweepError::Merge(format!($($message)*)))
    };
}

fn list_some(ids: &[&str]) -> String {
    let mut text = ids
        .iter()
        .take(LISTED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > LISTED {
        let _ = write!(text, " and {} more", ids.len() - LISTED);
    }
    text
}

/// Combines the journals of `shard_dirs` into `out` (config, manifest, and the table in the
/// shards' format), one unit at a time, so memory does not grow with the grid. The merged
/// directory is a finished whole-grid directory, compacted as a finished run leaves it: the table
/// and its completion record (`complete.json`), no journal (docs/decisions.md D-SWEEP-10); a
/// journal is written only if the table cannot give back every string the shards' journals hold.
///
/// Refuses: directories run with different configs (naming the hashes) or table formats, a unit
/// present in two directories, and units of the grid present in none (listed, with the shard that
/// should hold them).
pub fn merge(out: &Path, shard_dirs: &[PathBuf]) -> Result<MergeOutcome> {
    let Some(first_dir) = shard_dirs.first() else {
        bail!("merge needs at least one shard directory");
    };
    let mut manifests = Vec::new();
    for dir in shard_dirs {
        let Some(manifest) = Manifest::read(dir)? else {
            bail!(
                "{} has no {MANIFEST_FILE}: not a sweep output directory",
                dir.display()
            );
        };
        manifests.push(manifest);
    }
    let reference = &manifests[0];
    for (dir, manifest) in shard_dirs.iter().zip(&manifests).skip(1) {
        if manifest.config_sha256 != reference.config_sha256 {
            bail!(
                "shards were run with different configs: {} has config sha256 {}, {} has {}",
                first_dir.display(),
                reference.config_sha256,
                dir.display(),
                manifest.config_sha256
            );
        }
        check_same_sweep(dir, manifest, reference)?;
        if manifest.table != reference.table {
            bail!(
                "shards were run with different table formats: {} wrote {}, {} wrote {}",
                first_dir.display(),
                reference.table,
                dir.display(),
                manifest.table
            );
        }
    }
    for dir in shard_dirs {
        if Completion::read(dir)?.is_some() && !dir.join(JOURNAL_FILE).exists() {
            bail!(
                "{} is a finished whole-grid directory, compacted (its journal replaced by its table \
                 and {COMPLETE_FILE}): its table is already the whole result; merge takes the \
                 directories of shard runs, which keep their journals",
                dir.display()
            );
        }
    }
    let mut canonical: Vec<PathBuf> = Vec::new();
    for dir in shard_dirs {
        let real = dir
            .canonicalize()
            .io_context(|| format!("resolving {}", dir.display()))?;
        if canonical.contains(&real) {
            bail!("{} is given twice", dir.display());
        }
        canonical.push(real);
    }

    let position: HashMap<&str, usize> = reference
        .units
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut found: HashMap<String, (usize, Entry)> = HashMap::new();
    let mut duplicates: Vec<String> = Vec::new();
    let mut journals: Vec<Option<(File, PathBuf)>> = Vec::new();
    for (d, dir) in shard_dirs.iter().enumerate() {
        let path = dir.join(JOURNAL_FILE);
        let contents = journal::scan(&path)?;
        for entry in contents.entries {
            if !position.contains_key(entry.unit.as_str()) {
                bail!(
                    "{} holds unit {}, which is not in the grid of its {MANIFEST_FILE}",
                    dir.display(),
                    entry.unit
                );
            }
            if let Some((other, _)) = found.get(&entry.unit) {
                duplicates.push(format!(
                    "{} (in {} and {})",
                    entry.unit,
                    shard_dirs[*other].display(),
                    dir.display()
                ));
                continue;
            }
            found.insert(entry.unit.clone(), (d, entry));
        }
        // A shard with no journal holds no units; the gap check below names it.
        let file = match File::open(&path) {
            Ok(file) => Some(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).io_context(|| format!("reading journal {}", path.display())),
        };
        journals.push(file.map(|f| (f, path)));
    }
    if !duplicates.is_empty() {
        let ids: Vec<&str> = duplicates.iter().map(String::as_str).collect();
        bail!(
            "cannot merge: {} units appear in more than one directory: {}",
            ids.len(),
            list_some(&ids)
        );
    }

    let missing: Vec<(usize, &str)> = reference
        .units
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.contains_key(*id))
        .map(|(p, id)| (p, id.as_str()))
        .collect();
    if !missing.is_empty() {
        bail!("{}", explain_gaps(shard_dirs, &manifests, &missing));
    }

    std::fs::create_dir_all(out).io_context(|| format!("creating {}", out.display()))?;
    if Manifest::read(out)?.is_some() {
        bail!(
            "{} already holds a sweep ({MANIFEST_FILE}); merge into a new directory",
            out.display()
        );
    }
    let config_path = first_dir.join(&reference.config_file);
    let config = std::fs::read_to_string(&config_path)
        .io_context(|| format!("reading {}", config_path.display()))?;
    if fsutil::sha256_hex(config.as_bytes()) != reference.config_sha256 {
        bail!(
            "{} does not match the config hash in its {MANIFEST_FILE}; it was edited",
            config_path.display()
        );
    }
    let merged = Manifest {
        shard: None,
        ..reference.clone()
    };
    merged.write_with_config(out, &config)?;

    // The table is written in canonical order, one unit at a time.
    let load = |id: &String| {
        let (d, entry) = &found[id.as_str()];
        let (file, path) = journals[*d]
            .as_ref()
            .expect("a directory that holds a unit has a journal");
        journal::load(file, path, entry)
    };
    let mut table = TableWriter::create(
        &out.join(reference.table.file_name()),
        reference.table,
        &reference.header,
        &reference.column_kinds(),
    )?;
    let mut rows = 0usize;
    let mut digests = Vec::with_capacity(reference.units.len());
    for id in &reference.units {
        let record = load(id)?;
        table.write_rows(&record.unit, &record.rows)?;
        digests.push(UnitDigest::of(&record.unit, &record.rows));
        rows += record.rows.len();
    }
    let lossless = table.lossless();
    let results_csv = table.finish()?;
    if lossless {
        Completion::of_table(out, reference.table.file_name(), digests)?.write(out)?;
    } else {
        // The table cannot stand in for the journal: write the merged journal (canonical order,
        // so `--resume` on it finds everything done), as a run keeps its own in that case.
        let mut merged_journal = AtomicFile::create(&out.join(JOURNAL_FILE))?;
        for id in &reference.units {
            merged_journal
                .writer
                .write_all(&journal::encode(&load(id)?)?)
                .io_context(|| format!("writing {}", out.join(JOURNAL_FILE).display()))?;
        }
        merged_journal.finish()?;
    }
    Ok(MergeOutcome {
        results_csv,
        units: reference.units.len(),
        rows,
    })
}

/// Says, for each group of missing units, which shard should have produced them and why it did not.
fn explain_gaps(dirs: &[PathBuf], manifests: &[Manifest], missing: &[(usize, &str)]) -> String {
    let counts: Vec<usize> = manifests
        .iter()
        .filter_map(|m| m.shard.map(|s| s.count))
        .collect();
    let common_count = (counts.len() == manifests.len() && counts.windows(2).all(|w| w[0] == w[1]))
        .then(|| counts[0]);
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for &(position, id) in missing {
        let owner = manifests
            .iter()
            .position(|m| m.shard.is_none_or(|s| s.owns(position)));
        let reason = match (owner, common_count) {
            (Some(d), _) => {
                let shard = manifests[d]
                    .shard
                    .map_or("the whole grid".to_string(), |s| format!("shard {s}"));
                format!(
                    "{} ({shard}) has not finished them; rerun it with --resume",
                    dirs[d].display()
                )
            }
            (None, Some(n)) => format!(
                "shard {}/{n}: no directory for it was given",
                position % n + 1
            ),
            (None, None) => "no given directory's shard owns them".to_string(),
        };
        groups.entry(reason).or_default().push(id);
    }
    let mut text = format!(
        "cannot merge: {} units of the grid are in no shard directory:",
        missing.len()
    );
    for (reason, ids) in groups {
        let _ = write!(text, "\n  {reason}: {}", list_some(&ids));
    }
    text
}
