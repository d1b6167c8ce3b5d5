//! The journal: one framed record per finished unit, appended with a single write and fsync.
//!
//! Frame layout: `MAGIC (4 bytes) | payload length (u32 LE) | first 8 bytes of SHA-256(payload) |
//! payload`, the payload being JSON `{"unit": id, "rows": [[field, ...], ...]}`. A process killed at
//! any moment leaves at most one torn frame at the end; [`read`] stops at the first frame that is
//! short or fails its checksum and reports where the valid prefix ends, and
//! [`Journal::truncate_torn_tail`] cuts the file there.

use crate::error::{IoContext, Result, SweepError};
use crate::Row;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const MAGIC: &[u8; 4] = b"PSJ1";
const HEADER_LEN: usize = 16;

/// One finished unit as stored in the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub unit: String,
    pub rows: Vec<Row>,
}

fn checksum(payload: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(payload);
    digest[..8].try_into().expect("SHA-256 has 32 bytes")
}

/// Encodes one record as a complete frame.
pub fn encode(record: &Record) -> Result<Vec<u8>> {
    let payload = serde_json::to_vec(record).map_err(|source| SweepError::Json {
        context: format!("encoding the rows of unit {}", record.unit),
        source,
    })?;
    let len = u32::try_from(payload.len()).map_err(|_| SweepError::FrameTooLarge {
        unit: record.unit.clone(),
        bytes: payload.len(),
    })?;
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    frame.extend_from_slice(MAGIC);
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&checksum(&payload));
    frame.extend_from_slice(&payload);
    Ok(frame)
}

/// The valid records of a journal and the length of the valid prefix.
#[derive(Debug)]
pub struct Contents {
    pub records: Vec<Record>,
    pub valid_len: u64,
    /// Bytes after the valid prefix: a torn or corrupt tail.
    pub torn_bytes: u64,
}

/// Decodes frames from `bytes` until the first incomplete or corrupt one.
pub fn decode(bytes: &[u8]) -> Contents {
    let mut records = Vec::new();
    let mut pos = 0usize;
    while let Some(header) = bytes.get(pos..pos + HEADER_LEN) {
        if &header[..4] != MAGIC {
            break;
        }
        let len = u32::from_le_bytes(header[4..8].try_into().unwrap()) as usize;
        let Some(payload) = bytes.get(pos + HEADER_LEN..pos + HEADER_LEN + len) else {
            break;
        };
        if header[8..16] != checksum(payload) {
            break;
        }
        let Ok(record) = serde_json::from_slice::<Record>(payload) else {
            break;
        };
        records.push(record);
        pos += HEADER_LEN + len;
    }
    Contents {
        records,
        valid_len: pos as u64,
        torn_bytes: (bytes.len() - pos) as u64,
    }
}

/// Reads a journal without modifying it (a missing file is an empty journal).
pub fn read(path: &Path) -> Result<Contents> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(decode(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Contents {
            records: Vec::new(),
            valid_len: 0,
            torn_bytes: 0,
        }),
        Err(e) => Err(e).io_context(|| format!("reading journal {}", path.display())),
    }
}

/// An open journal, exclusively locked against a second writer, positioned for appending.
pub struct Journal {
    file: File,
    path: PathBuf,
    writing: Mutex<()>,
}

impl Journal {
    /// Opens (creating if needed) and locks the journal, and returns it with its records. A torn tail
    /// is left in place until [`Journal::truncate_torn_tail`], so a refused run modifies nothing.
    pub fn open(path: &Path) -> Result<(Journal, Contents)> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .io_context(|| format!("opening journal {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(SweepError::Locked(path.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).io_context(|| format!("locking journal {}", path.display()))
            }
        }
        let contents = read(path)?;
        Ok((
            Journal {
                file,
                path: path.to_path_buf(),
                writing: Mutex::new(()),
            },
            contents,
        ))
    }

    /// Cuts the journal back to its valid prefix (a no-op when there is no torn tail).
    pub fn truncate_torn_tail(&self, contents: &Contents) -> Result<()> {
        if contents.torn_bytes > 0 {
            self.file
                .set_len(contents.valid_len)
                .and_then(|()| self.file.sync_all())
                .io_context(|| {
                    format!("truncating torn tail of journal {}", self.path.display())
                })?;
        }
        Ok(())
    }

    /// Appends one record as a single write followed by fsync. Callable from many threads: the
    /// write is serialised so frames never interleave, while the fsyncs may overlap (the slow part).
    pub fn append(&self, record: &Record) -> Result<()> {
        let frame = encode(record)?;
        let result = {
            let _writing = self
                .writing
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            (&self.file).write_all(&frame)
        };
        result.and_then(|()| self.file.sync_data()).io_context(|| {
            format!(
                "appending unit {} to journal {}",
                record.unit,
                self.path.display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(unit: &str, n: usize) -> Record {
        Record {
            unit: unit.to_string(),
            rows: (0..n)
                .map(|i| vec![unit.to_string(), format!("{i}"), "a,\"b\"\nc".to_string()])
                .collect(),
        }
    }

    #[test]
    fn every_cut_of_the_last_frame_is_detected_and_truncated() {
        let first = [record("a=1", 2), record("a=2", 0)];
        let mut prefix = Vec::new();
        for r in &first {
            prefix.extend(encode(r).unwrap());
        }
        let last = encode(&record("a=3", 3)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        // Brute force over every length a torn final write could leave.
        for cut in 0..last.len() {
            let mut bytes = prefix.clone();
            bytes.extend_from_slice(&last[..cut]);
            std::fs::write(&path, &bytes).unwrap();
            let (journal, contents) = Journal::open(&path).unwrap();
            assert_eq!(contents.records, first, "cut at {cut}");
            assert_eq!(contents.torn_bytes, cut as u64);
            journal.truncate_torn_tail(&contents).unwrap();
            assert_eq!(
                std::fs::metadata(&path).unwrap().len(),
                prefix.len() as u64,
                "cut at {cut}"
            );
            // Appending after the truncation yields a clean journal.
            journal.append(&record("a=3", 3)).unwrap();
            drop(journal);
            assert_eq!(read(&path).unwrap().records.len(), 3);
            assert_eq!(read(&path).unwrap().torn_bytes, 0);
        }
    }

    #[test]
    fn flipped_payload_byte_fails_the_checksum() {
        let mut bytes = encode(&record("a=1", 1)).unwrap();
        let good = bytes.len();
        bytes.extend(encode(&record("a=2", 1)).unwrap());
        let flip = good + HEADER_LEN + 5;
        bytes[flip] ^= 0x01;
        let contents = decode(&bytes);
        assert_eq!(contents.records, vec![record("a=1", 1)]);
        assert_eq!(contents.valid_len, good as u64);
    }

    #[test]
    fn second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let _first = Journal::open(&path).unwrap();
        let err = Journal::open(&path)
            .err()
            .expect("second open must fail")
            .to_string();
        assert!(err.contains("locked"), "{err}");
    }
}
