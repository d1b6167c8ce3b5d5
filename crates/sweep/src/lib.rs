//! polarity-sweep: a task-independent sweep runner.
//!
//! The caller declares a [`Sweep`]: the fully resolved config (saved beside the results with its
//! hash), the CSV header and the ordered list of [`Unit`]s. [`run`] executes the units owned by this
//! process's [`Shard`] with a closure returning rows, journals each finished unit atomically,
//! skips finished units on resume, and finally writes the table (`results.csv`, or typed
//! `results.parquet`, [`TableFormat`]) in canonical unit order, so the bytes never depend on
//! threads, scheduling, interruptions or sharding. [`run_streaming`] does so in memory independent
//! of the grid, handing each unit's rows to the caller as the table is written. [`merge()`]
//! combines shard directories into the table an unsharded run writes. A finished whole-grid
//! directory keeps its table and a [`Completion`] record instead of its journal, and resumes from
//! them (docs/decisions.md D-SWEEP-10). See the crate README for the guarantees.
//!
//! The crate parses no flags and prints nothing: the `polarity` binary maps its options onto
//! [`RunOptions`] and shows progress through the [`Progress`] observer.

mod complete;
mod error;
mod fsutil;
pub mod journal;
mod merge;
mod outdir;
pub mod plan;
pub mod progress;
pub mod record;
mod runner;
mod shard;
pub mod table;
pub mod table_reader;
mod unit;

pub use complete::{Completion, UnitDigest, COMPLETE_FILE};
pub use error::{BoxError, GridError, ShardError, SweepError};
pub use merge::{merge, MergeOutcome};
pub use outdir::{Manifest, CONFIG_HASH_FILE, JOURNAL_FILE, MANIFEST_FILE, RESULTS_FILE};
pub use progress::Progress;
pub use record::ColumnKind;
pub use runner::{run, run_streaming, RunOptions, RunOutcome};
pub use shard::{process_env, resolve_shard, Shard};
pub use table::TableFormat;
pub use unit::{Axis, AxisValue, Grid, Unit};

/// One CSV record; its length must equal the header's.
pub type Row = Vec<String>;

/// How the resolved config text is written (it only chooses the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    Toml,
    Json,
}

impl ConfigFormat {
    pub fn file_name(self) -> &'static str {
        match self {
            ConfigFormat::Toml => "config.toml",
            ConfigFormat::Json => "config.json",
        }
    }
}

/// What to run: fully determined by the config, so equal config hashes mean equal sweeps.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The fully resolved config (every default filled in); its SHA-256 identifies the sweep.
    pub config: String,
    pub config_format: ConfigFormat,
    /// Header of the results table.
    pub header: Vec<String>,
    /// The type of each column (what a Parquet table stores); all [`ColumnKind::Text`] unless
    /// set with [`Sweep::with_kinds`].
    pub kinds: Vec<ColumnKind>,
    /// The final table's format (CSV unless set with [`Sweep::with_format`]). Not part of the
    /// config: recorded in the manifest, and a resumed run must ask for the same.
    pub table: TableFormat,
    /// All units of the grid in canonical order (shards take slices of this list).
    pub units: Vec<Unit>,
}

impl Sweep {
    /// Checks the header and that unit ids are unique.
    pub fn new(
        config: String,
        config_format: ConfigFormat,
        header: Vec<String>,
        units: Vec<Unit>,
    ) -> Result<Sweep, SweepError> {
        if header.is_empty() {
            return Err(SweepError::EmptyHeader);
        }
        if units.is_empty() {
            return Err(SweepError::NoUnits);
        }
        let mut seen = std::collections::HashSet::new();
        for unit in &units {
            if !seen.insert(unit.id()) {
                return Err(SweepError::DuplicateUnit(unit.id().to_string()));
            }
        }
        Ok(Sweep {
            config,
            config_format,
            kinds: vec![ColumnKind::Text; header.len()],
            table: TableFormat::Csv,
            header,
            units,
        })
    }

    /// Chooses the final table's format.
    pub fn with_format(mut self, table: TableFormat) -> Sweep {
        self.table = table;
        self
    }

    /// Declares the column types (one per header column; `record::kinds_of` derives them from a
    /// record type).
    pub fn with_kinds(mut self, kinds: Vec<ColumnKind>) -> Result<Sweep, SweepError> {
        if kinds.len() != self.header.len() {
            return Err(SweepError::KindsMismatch {
                kinds: kinds.len(),
                columns: self.header.len(),
            });
        }
        self.kinds = kinds;
        Ok(self)
    }

    /// Hex SHA-256 of the config text.
    pub fn config_hash(&self) -> String {
        fsutil::sha256_hex(self.config.as_bytes())
    }
}
