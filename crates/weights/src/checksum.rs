//! File hashes: every loaded weight file's sha256 is recorded in run provenance, and checked
//! where a checksum is published.

use crate::Error;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Published checksums: (file name, sha256). torchvision's hub checks the 8-hex prefix in the
/// name; the full hash is the one recorded in docs/decisions.md D-DATA-4.
pub const KNOWN_CHECKSUMS: [(&str, &str); 1] = [(
    "alexnet-owt-7be5be79.pth",
    "7be5be791159472b1fbf3c69796f7cb30dca7ad8466c2df70058c37116cdee02",
)];

/// SHA-256 of `bytes`, lower-case hex.
pub fn file_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checksum check: `Some(true)` if the file's name has a published hash and `sha256`
/// matches it, an error if it does not match, `None` if no hash is known for that name.
pub fn verify_published(path: &Path, sha256: &str) -> Result<Option<bool>, Error> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match KNOWN_CHECKSUMS.iter().find(|(n, _)| *n == name) {
        Some((_, expected)) if *expected == sha256 => Ok(Some(true)),
        Some((_, expected)) => Err(Error::WeightFile {
            path: path.display().to_string(),
            message: format!(
                "sha256 {sha256} does not match the published {expected}; the download is corrupt or a different file"
            ),
        }),
        None => Ok(None),
    }
}

/// Reads a whole file, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_hashes_are_checked_by_file_name() {
        let known = Path::new("/x/alexnet-owt-7be5be79.pth");
        assert_eq!(
            verify_published(known, KNOWN_CHECKSUMS[0].1).unwrap(),
            Some(true)
        );
        let e = verify_published(known, "00").unwrap_err().to_string();
        assert!(e.contains("does not match the published"), "{e}");
        assert_eq!(
            verify_published(Path::new("other.pth"), "00").unwrap(),
            None
        );
        assert_eq!(
            file_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
