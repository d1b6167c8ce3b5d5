//! The completion record (`complete.json`): what a finished whole-grid directory holds once its
//! journal is gone (docs/decisions.md D-SWEEP-10).
//!
//! Written atomically after the table is committed and before the journal is deleted, it names
//! the table with its byte size and SHA-256, and lists every unit in canonical order with its row
//! count and a checksum of its rows as strings. A `--resume` of the directory checks the table
//! against it and streams each unit's rows back from the table, checking each unit's checksum, so
//! the caller receives exactly the strings the journal held.

use crate::error::{IoContext, Result, SweepError};
use crate::fsutil::write_atomic;
use crate::Row;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The completion record's file name in the output directory.
pub const COMPLETE_FILE: &str = "complete.json";

/// Format version of the record.
const FORMAT: u32 = 1;

/// One unit of a finished run: its rows' count and checksum ([`rows_checksum`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDigest {
    pub unit: String,
    pub rows: u64,
    pub checksum: String,
}

impl UnitDigest {
    pub fn of(unit: &str, rows: &[Row]) -> UnitDigest {
        UnitDigest {
            unit: unit.to_string(),
            rows: rows.len() as u64,
            checksum: rows_checksum(rows),
        }
    }
}

/// `complete.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub format: u32,
    /// The table's file name in the directory (`results.csv` or `results.parquet`).
    pub table: String,
    pub table_bytes: u64,
    pub table_sha256: String,
    /// Every unit of the grid in canonical order.
    pub units: Vec<UnitDigest>,
}

/// First 8 bytes (hex) of the SHA-256 of the rows as strings, length-prefixed so that no two
/// different row lists (a field split in two, a row moved to the next) share an encoding. Eight
/// bytes, as the journal's frame checksums: it detects damage and a reader that renders a value
/// differently, and keeps the record small for grids of 100,000 units.
pub fn rows_checksum(rows: &[Row]) -> String {
    let mut hash = Sha256::new();
    hash.update((rows.len() as u64).to_le_bytes());
    for row in rows {
        hash.update((row.len() as u64).to_le_bytes());
        for field in row {
            hash.update((field.len() as u64).to_le_bytes());
            hash.update(field.as_bytes());
        }
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The byte size and hex SHA-256 of a file, read in 1 MiB pieces.
pub fn file_digest(path: &Path) -> Result<(u64, String)> {
    let mut file = File::open(path).io_context(|| format!("reading {}", path.display()))?;
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .io_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hash.update(&buffer[..n]);
        bytes += n as u64;
    }
    let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((bytes, hex))
}

impl Completion {
    /// The record of the table `table` (a file in `dir`) holding `units`.
    pub fn of_table(dir: &Path, table: &str, units: Vec<UnitDigest>) -> Result<Completion> {
        let (table_bytes, table_sha256) = file_digest(&dir.join(table))?;
        Ok(Completion {
            format: FORMAT,
            table: table.to_string(),
            table_bytes,
            table_sha256,
            units,
        })
    }

    /// Reads `DIR/complete.json`; `Ok(None)` if the directory has none.
    pub fn read(dir: &Path) -> Result<Option<Completion>> {
        let path = dir.join(COMPLETE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).io_context(|| format!("reading {}", path.display())),
        };
        let record: Completion =
            serde_json::from_str(&text).map_err(|source| SweepError::Json {
                context: format!("{}: not a completion record", path.display()),
                source,
            })?;
        if record.format != FORMAT {
            return Err(SweepError::Corrupt(format!(
                "{}: completion record format {} is not the supported {FORMAT}",
                path.display(),
                record.format
            )));
        }
        Ok(Some(record))
    }

    /// Writes `DIR/complete.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let mut json = serde_json::to_string(self).map_err(|source| SweepError::Json {
            context: format!("encoding {COMPLETE_FILE}"),
            source,
        })?;
        json.push('\n');
        write_atomic(&dir.join(COMPLETE_FILE), json.as_bytes())
    }

    /// Checks that the table on disk is the one recorded (byte size, then SHA-256).
    pub fn check_table(&self, dir: &Path) -> Result<()> {
        let path = dir.join(&self.table);
        let what_to_do = format!("restore the table, or delete {} and rerun", dir.display());
        let (bytes, sha256) = match file_digest(&path) {
            Ok(found) => found,
            Err(SweepError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(SweepError::TableMismatch {
                    table: path,
                    found: "no such file".into(),
                    expected: format!("{} bytes", self.table_bytes),
                    what_to_do,
                })
            }
            Err(e) => return Err(e),
        };
        if bytes != self.table_bytes {
            return Err(SweepError::TableMismatch {
                table: path,
                found: format!("{bytes} bytes"),
                expected: format!("{} bytes", self.table_bytes),
                what_to_do,
            });
        }
        if sha256 != self.table_sha256 {
            return Err(SweepError::TableMismatch {
                table: path,
                found: format!("sha256 {sha256}"),
                expected: format!("sha256 {}", self.table_sha256),
                what_to_do,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[&str]) -> Row {
        fields.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn checksum_separates_fields_rows_and_counts() {
        // Same concatenated text, different structure: every pair must differ.
        let variants = [
            vec![row(&["ab", "c"])],
            vec![row(&["a", "bc"])],
            vec![row(&["abc"])],
            vec![row(&["a"]), row(&["bc"])],
            vec![row(&["ab", "c"]), row(&[])],
            vec![],
        ];
        let sums: Vec<String> = variants.iter().map(|v| rows_checksum(v)).collect();
        for i in 0..sums.len() {
            assert_eq!(sums[i].len(), 16);
            for j in 0..i {
                assert_ne!(sums[i], sums[j], "{:?} vs {:?}", variants[i], variants[j]);
            }
        }
        assert_eq!(
            rows_checksum(&variants[0]),
            rows_checksum(&variants[0].clone())
        );
    }

    #[test]
    fn file_digest_matches_the_one_shot_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        // Larger than one read buffer, so the piecewise hash is exercised.
        let bytes: Vec<u8> = (0..(3 << 20) + 7).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let (len, hex) = file_digest(&path).unwrap();
        assert_eq!(len, bytes.len() as u64);
        assert_eq!(hex, crate::fsutil::sha256_hex(&bytes));
    }
}
