//! The output directory: config + hash, manifest, journal, final table (and, once a whole-grid
//! run is finished, its completion record instead of the journal: [`crate::Completion`]).

use crate::error::{IoContext, Result, SweepError};
use crate::fsutil::{sha256_hex, write_atomic};
use crate::record::ColumnKind;
use crate::table::TableFormat;
use crate::{Shard, Sweep};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const MANIFEST_FILE: &str = "sweep.json";
pub const CONFIG_HASH_FILE: &str = "config.sha256";
pub const JOURNAL_FILE: &str = "journal";
pub const RESULTS_FILE: &str = "results.csv";

/// `sweep.json`: what a directory holds, enough for `merge` to work without knowing the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub config_file: String,
    pub config_sha256: String,
    pub header: Vec<String>,
    /// Every unit id of the grid in canonical order (not only this shard's).
    pub units: Vec<String>,
    /// `None` for the whole grid (an unsharded run or a merge).
    pub shard: Option<Shard>,
    /// The final table's format (manifests written before tables could be Parquet: CSV).
    #[serde(default)]
    pub table: TableFormat,
    /// The column types, one per header column (older manifests: none, read as all text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<ColumnKind>,
}

const FORMAT: u32 = 1;

impl Manifest {
    pub fn of(sweep: &Sweep, shard: Option<Shard>) -> Manifest {
        Manifest {
            format: FORMAT,
            config_file: sweep.config_format.file_name().to_string(),
            config_sha256: sweep.config_hash(),
            header: sweep.header.clone(),
            units: sweep.units.iter().map(|u| u.id().to_string()).collect(),
            shard,
            table: sweep.table,
            kinds: sweep.kinds.clone(),
        }
    }

    /// The column types (all text for a manifest that records none).
    pub fn column_kinds(&self) -> Vec<ColumnKind> {
        if self.kinds.is_empty() {
            vec![ColumnKind::Text; self.header.len()]
        } else {
            self.kinds.clone()
        }
    }

    /// Reads `DIR/sweep.json`; `Ok(None)` if the directory has none.
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).io_context(|| format!("reading {}", path.display())),
        };
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|source| SweepError::Json {
                context: format!("{}: not a sweep manifest", path.display()),
                source,
            })?;
        if manifest.format != FORMAT {
            return Err(SweepError::Corrupt(format!(
                "{}: manifest format {} is not the supported {FORMAT}",
                path.display(),
                manifest.format
            )));
        }
        Ok(Some(manifest))
    }

    /// Writes the config, its hash (in `sha256sum -c` format) and then the manifest, each atomically.
    pub fn write_with_config(&self, dir: &Path, config: &str) -> Result<()> {
        debug_assert_eq!(sha256_hex(config.as_bytes()), self.config_sha256);
        write_atomic(&dir.join(&self.config_file), config.as_bytes())?;
        let hash_line = format!("{}  {}\n", self.config_sha256, self.config_file);
        write_atomic(&dir.join(CONFIG_HASH_FILE), hash_line.as_bytes())?;
        let mut json = serde_json::to_string_pretty(self).map_err(|source| SweepError::Json {
            context: format!("encoding {MANIFEST_FILE}"),
            source,
        })?;
        json.push('\n');
        write_atomic(&dir.join(MANIFEST_FILE), json.as_bytes())
    }
}

/// Refuses a directory whose manifest describes a different sweep, naming both config hashes.
pub fn check_same_sweep(dir: &Path, found: &Manifest, wanted: &Manifest) -> Result<()> {
    if found.config_sha256 != wanted.config_sha256 {
        return Err(SweepError::DifferentConfig {
            dir: dir.to_path_buf(),
            found: found.config_sha256.clone(),
            wanted: wanted.config_sha256.clone(),
            saved_config: dir.join(&found.config_file),
        });
    }
    if found.header != wanted.header
        || found.units != wanted.units
        || found.column_kinds() != wanted.column_kinds()
    {
        return Err(SweepError::DifferentGrid(dir.to_path_buf()));
    }
    Ok(())
}
