//! The journal: one framed record per finished unit, appended with a single write and fsync.
//!
//! Frame layout: `MAGIC (4 bytes) | payload length (u32 LE) | first 8 bytes of SHA-256(payload) |
//! payload`, the payload being JSON `{"unit": id, "rows": [[field, ...], ...]}`, zstd-compressed
//! under the magic `PSJ2` (written since docs/decisions.md D-SWEEP-9) or plain under `PSJ1` (read
//! only, journals of earlier versions). A process killed at
//! any moment leaves at most one torn frame at the end; [`read`] stops at the first frame that is
//! short or fails its checksum and reports where the valid prefix ends, and
//! [`Journal::truncate_torn_tail`] cuts the file there.
//!
//! Memory: [`scan`] and [`Journal::open`] read the journal frame by frame and keep only where each
//! unit's frame lies ([`Entry`]), never its rows; [`Journal::load`] reads one unit back when the
//! table is written (docs/decisions.md D-SWEEP-7).

use crate::error::{IoContext, Result, SweepError};
use crate::Row;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Frames of plain JSON (journals written before compression; still read).
const MAGIC_JSON: &[u8; 4] = b"PSJ1";
/// Frames of zstd-compressed JSON (written).
const MAGIC: &[u8; 4] = b"PSJ2";
const HEADER_LEN: usize = 16;
/// zstd's default level: about 5x smaller journals for the cost of a few ms per unit.
const ZSTD_LEVEL: i32 = 3;

/// The JSON of a payload stored under `magic` (`None`: not a frame, or not decompressible).
fn json_of<'a>(magic: &[u8], payload: &'a [u8]) -> Option<std::borrow::Cow<'a, [u8]>> {
    if magic == MAGIC_JSON {
        Some(std::borrow::Cow::Borrowed(payload))
    } else if magic == MAGIC {
        zstd::stream::decode_all(payload)
            .ok()
            .map(std::borrow::Cow::Owned)
    } else {
        None
    }
}

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
    let json = serde_json::to_vec(record).map_err(|source| SweepError::Json {
        context: format!("encoding the rows of unit {}", record.unit),
        source,
    })?;
    let payload = zstd::bulk::compress(&json, ZSTD_LEVEL)
        .io_context(|| format!("compressing the rows of unit {}", record.unit))?;
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
        let len = u32::from_le_bytes(header[4..8].try_into().unwrap()) as usize;
        let Some(payload) = bytes.get(pos + HEADER_LEN..pos + HEADER_LEN + len) else {
            break;
        };
        if header[8..16] != checksum(payload) {
            break;
        }
        let Some(json) = json_of(&header[..4], payload) else {
            break;
        };
        let Ok(record) = serde_json::from_slice::<Record>(&json) else {
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

/// Where one finished unit's frame lies in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub unit: String,
    /// Offset of the payload (after the frame header).
    pub offset: u64,
    pub len: u32,
    pub checksum: [u8; 8],
    /// The frame's magic (how its payload is stored).
    pub magic: [u8; 4],
}

/// The finished units of a journal, in journal order, and the length of its valid prefix.
#[derive(Debug, Default)]
pub struct Scan {
    pub entries: Vec<Entry>,
    pub valid_len: u64,
    /// Bytes after the valid prefix: a torn or corrupt tail.
    pub torn_bytes: u64,
}

/// Only the unit id of a payload (the rows are skipped, not kept).
#[derive(Deserialize)]
struct UnitOnly {
    unit: String,
}

/// Reads a journal frame by frame, checking each frame's checksum, and keeps where each unit lies
/// (not its rows); stops at the first short, corrupt or undecodable frame. A missing file is an
/// empty journal.
pub fn scan(path: &Path) -> Result<Scan> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Scan::default()),
        Err(e) => return Err(e).io_context(|| format!("reading journal {}", path.display())),
    };
    scan_file(&file, path)
}

fn scan_file(file: &File, path: &Path) -> Result<Scan> {
    let total = file
        .metadata()
        .io_context(|| format!("reading journal {}", path.display()))?
        .len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut entries = Vec::new();
    let mut pos = 0u64;
    let mut payload = Vec::new();
    loop {
        let mut header = [0u8; HEADER_LEN];
        if read_full(&mut reader, &mut header)
            .io_context(|| format!("reading journal {}", path.display()))?
            < HEADER_LEN
            || (&header[..4] != MAGIC && &header[..4] != MAGIC_JSON)
        {
            break;
        }
        let len = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
        payload.resize(len as usize, 0);
        if read_full(&mut reader, &mut payload)
            .io_context(|| format!("reading journal {}", path.display()))?
            < payload.len()
        {
            break;
        }
        let sum: [u8; 8] = header[8..16].try_into().expect("8 bytes");
        if sum != checksum(&payload) {
            break;
        }
        let Some(json) = json_of(&header[..4], &payload) else {
            break;
        };
        let Ok(unit) = serde_json::from_slice::<UnitOnly>(&json) else {
            break;
        };
        entries.push(Entry {
            unit: unit.unit,
            offset: pos + HEADER_LEN as u64,
            len,
            checksum: sum,
            magic: header[..4].try_into().expect("4 bytes"),
        });
        pos += (HEADER_LEN + payload.len()) as u64;
    }
    Ok(Scan {
        entries,
        valid_len: pos,
        torn_bytes: total - pos,
    })
}

/// The largest payload among a journal's frames, walking the frame headers only (16 bytes a
/// frame, payloads skipped); 0 for a missing or empty journal. For memory plans: what one unit
/// costs when it is read back.
pub fn largest_frame(path: &Path) -> Result<u64> {
    use std::io::{Seek, SeekFrom};
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).io_context(|| format!("reading journal {}", path.display())),
    };
    let total = file
        .metadata()
        .io_context(|| format!("reading journal {}", path.display()))?
        .len();
    let mut reader = BufReader::with_capacity(HEADER_LEN, file);
    let (mut pos, mut largest) = (0u64, 0u64);
    let mut header = [0u8; HEADER_LEN];
    while pos + HEADER_LEN as u64 <= total {
        reader
            .seek(SeekFrom::Start(pos))
            .and_then(|_| reader.read_exact(&mut header))
            .io_context(|| format!("reading journal {}", path.display()))?;
        if &header[..4] != MAGIC && &header[..4] != MAGIC_JSON {
            break; // not a frame: the valid prefix ends here
        }
        let len = u64::from(u32::from_le_bytes(
            header[4..8].try_into().expect("4 bytes"),
        ));
        largest = largest.max(len.min(total - pos - HEADER_LEN as u64));
        pos += HEADER_LEN as u64 + len;
    }
    Ok(largest)
}

/// Reads until `buf` is full or the end of the input; returns how many bytes were read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads the record of one scanned unit back (checksum verified again).
pub fn load(file: &File, path: &Path, entry: &Entry) -> Result<Record> {
    use std::os::unix::fs::FileExt;
    let mut payload = vec![0u8; entry.len as usize];
    file.read_exact_at(&mut payload, entry.offset)
        .io_context(|| {
            format!(
                "reading unit {} from journal {}",
                entry.unit,
                path.display()
            )
        })?;
    if checksum(&payload) != entry.checksum {
        return Err(SweepError::Corrupt(format!(
            "journal {}: the frame of unit {} changed since it was read",
            path.display(),
            entry.unit
        )));
    }
    let json = json_of(&entry.magic, &payload).ok_or_else(|| {
        SweepError::Corrupt(format!(
            "journal {}: the frame of unit {} does not decompress",
            path.display(),
            entry.unit
        ))
    })?;
    serde_json::from_slice(&json).map_err(|source| SweepError::Json {
        context: format!(
            "decoding unit {} from journal {}",
            entry.unit,
            path.display()
        ),
        source,
    })
}

/// An open journal, exclusively locked against a second writer, positioned for appending.
pub struct Journal {
    file: File,
    path: PathBuf,
    /// Serialises appends; holds the journal's length (where the next frame starts).
    writing: Mutex<u64>,
}

impl Journal {
    /// Opens (creating if needed) and locks the journal, and returns it with where its units lie.
    /// A torn tail is left in place until [`Journal::truncate_torn_tail`], so a refused run
    /// modifies nothing.
    pub fn open(path: &Path) -> Result<(Journal, Scan)> {
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
        let scan = scan_file(&file, path)?;
        Ok((
            Journal {
                file,
                path: path.to_path_buf(),
                writing: Mutex::new(scan.valid_len + scan.torn_bytes),
            },
            scan,
        ))
    }

    /// Cuts the journal back to its valid prefix (a no-op when there is no torn tail).
    pub fn truncate_torn_tail(&self, contents: &Scan) -> Result<()> {
        if contents.torn_bytes > 0 {
            let mut end = self
                .writing
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *end = contents.valid_len;
            self.file
                .set_len(contents.valid_len)
                .and_then(|()| self.file.sync_all())
                .io_context(|| {
                    format!("truncating torn tail of journal {}", self.path.display())
                })?;
        }
        Ok(())
    }

    /// Appends one record as a single write followed by fsync, and says where it lies. Callable
    /// from many threads: the write is serialised so frames never interleave, while the fsyncs may
    /// overlap (the slow part).
    pub fn append(&self, record: &Record) -> Result<Entry> {
        let frame = encode(record)?;
        let entry = Entry {
            unit: record.unit.clone(),
            offset: 0,
            len: u32::try_from(frame.len() - HEADER_LEN).expect("encode checked the length"),
            checksum: frame[8..16].try_into().expect("8 bytes"),
            magic: *MAGIC,
        };
        let result = {
            let mut end = self
                .writing
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let start = *end;
            (&self.file).write_all(&frame).map(|()| {
                *end += frame.len() as u64;
                start
            })
        };
        result
            .and_then(|start| {
                self.file.sync_data()?;
                Ok(Entry {
                    offset: start + HEADER_LEN as u64,
                    ..entry
                })
            })
            .io_context(|| {
                format!(
                    "appending unit {} to journal {}",
                    record.unit,
                    self.path.display()
                )
            })
    }

    /// Reads one unit's record back (see [`load`]).
    pub fn load(&self, entry: &Entry) -> Result<Record> {
        load(&self.file, &self.path, entry)
    }

    /// Whether the journal file holds no bytes at all.
    pub fn is_empty(&self) -> bool {
        *self
            .writing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            == 0
    }

    /// Deletes the journal file (durably: the directory is synced); the lock is released when the
    /// journal is dropped.
    pub fn delete(&self) -> Result<()> {
        std::fs::remove_file(&self.path)
            .and_then(|()| match self.path.parent() {
                Some(dir) if cfg!(unix) && !dir.as_os_str().is_empty() => {
                    File::open(dir)?.sync_all()
                }
                _ => Ok(()),
            })
            .io_context(|| format!("deleting journal {}", self.path.display()))
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
            // The streaming scan finds the same units as the whole-file decoder, and each loads
            // back to its record.
            let loaded: Vec<Record> = contents
                .entries
                .iter()
                .map(|e| journal.load(e).unwrap())
                .collect();
            assert_eq!(loaded, first, "cut at {cut}");
            assert_eq!(contents.torn_bytes, cut as u64);
            journal.truncate_torn_tail(&contents).unwrap();
            assert_eq!(
                std::fs::metadata(&path).unwrap().len(),
                prefix.len() as u64,
                "cut at {cut}"
            );
            // Appending after the truncation yields a clean journal, and the entry it returns
            // points at the new frame.
            let entry = journal.append(&record("a=3", 3)).unwrap();
            assert_eq!(journal.load(&entry).unwrap(), record("a=3", 3));
            drop(journal);
            assert_eq!(scan(&path).unwrap().entries.last(), Some(&entry));
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        std::fs::write(&path, &bytes).unwrap();
        let scanned = scan(&path).unwrap();
        assert_eq!(scanned.entries.len(), 1);
        assert_eq!(scanned.valid_len, good as u64);
        assert_eq!(scanned.torn_bytes, (bytes.len() - good) as u64);
    }

    /// Journals written before compression (plain JSON frames) are still read and resumed.
    #[test]
    fn plain_json_frames_of_earlier_versions_are_read() {
        let old = record("a=1", 2);
        let json = serde_json::to_vec(&old).unwrap();
        let mut bytes = MAGIC_JSON.to_vec();
        bytes.extend((json.len() as u32).to_le_bytes());
        bytes.extend(checksum(&json));
        bytes.extend(&json);
        let new = encode(&record("a=2", 1)).unwrap();
        assert_eq!(&new[..4], MAGIC);
        assert!(new.len() < HEADER_LEN + serde_json::to_vec(&record("a=2", 1)).unwrap().len() + 20);
        bytes.extend(&new);
        assert_eq!(decode(&bytes).records, [old.clone(), record("a=2", 1)]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        std::fs::write(&path, &bytes).unwrap();
        let (journal, scanned) = Journal::open(&path).unwrap();
        assert_eq!(scanned.torn_bytes, 0);
        assert_eq!(journal.load(&scanned.entries[0]).unwrap(), old);
        assert_eq!(journal.load(&scanned.entries[1]).unwrap(), record("a=2", 1));
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
