//! Reads a data file whole, unwrapping gzip when the content starts with the gzip magic bytes
//! (detected from the content, not the file name), and records its digests.
use crate::checksum::sha256_hex;
use crate::dataset::FileProvenance;
use crate::error::{DataError, Result};
use flate2::read::MultiGzDecoder;
use std::io::Read;
use std::path::Path;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The decompressed content of a file and its provenance (not yet checked against a reference).
pub struct RawFile {
    pub content: Vec<u8>,
    pub provenance: FileProvenance,
}

pub fn read(path: &Path) -> Result<RawFile> {
    let stored = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let file_bytes = stored.len() as u64;
    let gzip = stored.starts_with(&GZIP_MAGIC);
    let content = if gzip {
        let mut out = Vec::new();
        MultiGzDecoder::new(stored.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => DataError::Truncated {
                    path: path.to_path_buf(),
                    detail: format!("the gzip stream ends early ({e})"),
                },
                _ => DataError::Format {
                    path: path.to_path_buf(),
                    detail: format!("corrupt gzip stream: {e}"),
                },
            })?;
        out
    } else {
        Vec::new()
    };
    let file_sha256 = sha256_hex(&stored);
    let (content, content_sha256) = if gzip {
        let sha = sha256_hex(&content);
        (content, sha)
    } else {
        (stored, file_sha256.clone())
    };
    Ok(RawFile {
        provenance: FileProvenance {
            path: path.to_path_buf(),
            file_bytes,
            file_sha256,
            gzip,
            content_bytes: content.len() as u64,
            content_sha256,
            verified_against: None,
        },
        content,
    })
}

/// Checks the content sha256 against `expected` and records it as verified.
pub fn verify_sha256(file: &mut RawFile, expected: &str, hint: &'static str) -> Result<()> {
    if file.provenance.content_sha256 != expected {
        return Err(DataError::Checksum {
            path: file.provenance.path.clone(),
            algorithm: "sha256",
            what: if file.provenance.gzip {
                "decompressed content"
            } else {
                "file"
            },
            actual: file.provenance.content_sha256.clone(),
            expected: expected.to_string(),
            hint,
        });
    }
    file.provenance.verified_against = Some(expected.to_string());
    Ok(())
}
