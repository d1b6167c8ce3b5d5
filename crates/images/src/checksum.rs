//! Digests of files and byte buffers, as lowercase hex.
use crate::error::{DataError, Result};
use md5::Md5;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// sha256 and md5 of a file, streamed (the CIFAR-10 tarball is 170 MB).
pub fn file_sha256_md5(path: &Path) -> Result<(String, String)> {
    let mut file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut sha = Sha256::new();
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| DataError::io(path, e))?;
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
        md5.update(&buf[..n]);
    }
    Ok((hex(&sha.finalize()), hex(&md5.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_published_test_vectors() {
        // FIPS 180-2 and RFC 1321 test vectors for "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        let (sha, md5) = file_sha256_md5(&path).unwrap();
        assert_eq!(sha, sha256_hex(b"abc"));
        assert_eq!(md5, "900150983cd24fb0d6963f7d28e17f72");
    }
}
