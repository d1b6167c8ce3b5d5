//! Small file-system helpers: atomic replacement and hashing.

use crate::error::{IoContext, Result, SweepError};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a fixed temp name beside it, fsync, rename, fsync the directory.
/// The temp name is fixed (not random) so a process killed mid-write leaves no litter that accumulates;
/// callers hold the journal lock, so no two writers share it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(SweepError::NotAFilePath(path.to_path_buf()));
    };
    let name = name.to_string_lossy();
    let temp = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        // Make the rename itself durable; opening a directory for fsync works on Unix only.
        if cfg!(unix) {
            File::open(dir)?.sync_all()?;
        }
        std::io::Result::Ok(())
    })();
    result.io_context(|| format!("writing {}", path.display()))
}

/// A file written under a temporary name and renamed over `path` only by [`AtomicFile::commit`]
/// (fsync of the file, rename, fsync of the directory); dropped uncommitted, it leaves `path` as
/// it was.
pub(crate) struct AtomicFile {
    pub(crate) path: PathBuf,
    pub(crate) temp: PathBuf,
    pub(crate) writer: BufWriter<File>,
}

impl AtomicFile {
    pub(crate) fn create(path: &Path) -> Result<AtomicFile> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(SweepError::NotAFilePath(path.to_path_buf()));
        };
        // A fixed temp name, as `fsutil::write_atomic`: callers hold the journal lock.
        let temp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
        let file = File::create(&temp).io_context(|| format!("writing {}", path.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp,
            writer: BufWriter::with_capacity(1 << 20, file),
        })
    }

    pub(crate) fn finish(self) -> Result<()> {
        AtomicFile::commit(self.writer, &self.path, &self.temp)
    }

    pub(crate) fn commit(writer: BufWriter<File>, path: &Path, temp: &Path) -> Result<()> {
        let result = (|| {
            let file = writer.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(temp, path)?;
            if let Some(dir) = path.parent() {
                File::open(dir)?.sync_all()?;
            }
            std::io::Result::Ok(())
        })();
        result.io_context(|| format!("writing {}", path.display()))
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        // FIPS 180-2 example "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
