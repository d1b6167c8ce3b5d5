//! `polarity data fetch`: downloads a dataset from its canonical URL into a data root (the user
//! cache by default), verifies it, and installs it atomically.
//!
//! Downloads shell out to `curl` (or `wget`): an HTTP client crate with TLS (ureq + rustls/ring
//! or native-tls) would add a C/asm build and tens of seconds of compile time to a crate that
//! must build in seconds, for one command run once per machine; curl is on almost every system,
//! follows the system's proxy and certificate settings, and also reads `file://` URLs (tests).
use crate::checksum::{file_sha256_md5, sha256_hex};
use crate::dataset::{DatasetKind, Provenance, Validation};
use crate::error::{DataError, Result};
use crate::locate::{folder_name, how_to_get};
use crate::{cifar10, fashion_mnist};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const FASHION_MNIST_BASE_URL: &str =
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
pub const CIFAR10_URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/// Official md5 of `cifar-10-binary.tar.gz` (the CIFAR page).
pub const CIFAR10_TARBALL_MD5: &str = "c32a1d4ab5d03f1284b67883e8d87530";
/// sha256 recorded by a third-party repository (not official): reported, not enforced.
pub const CIFAR10_TARBALL_SHA256_UNOFFICIAL: &str =
    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd";

/// What to fetch from where.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Data root; the dataset goes to `<root>/fashion-mnist` or `<root>/cifar-10-batches-bin`.
    pub dest_root: PathBuf,
    /// Replaces the canonical URL: Fashion-MNIST, the folder URL of the four `.gz` files;
    /// CIFAR-10, the tarball URL.
    pub url: Option<String>,
    /// CIFAR-10: an already-downloaded `cifar-10-binary.tar.gz` to install instead of downloading.
    pub archive: Option<PathBuf>,
    /// Fetch again even if a valid copy is installed.
    pub force: bool,
    /// `Canonical` for real use. `StructureOnly` skips every checksum (only for synthetic test
    /// files).
    pub validation: Validation,
}

/// The result of a fetch.
#[derive(Clone, Debug)]
pub struct FetchOutcome {
    pub dir: PathBuf,
    /// A valid copy was already there; nothing was downloaded.
    pub already_present: bool,
    /// The installed files, as verified after installing.
    pub provenance: Provenance,
    /// Notes for the user (e.g. the tarball's digests).
    pub notes: Vec<String>,
}

/// Fetches `kind` silently; see [`fetch_with_notes`].
pub fn fetch(kind: DatasetKind, opts: &FetchOptions) -> Result<FetchOutcome> {
    fetch_with_notes(kind, opts, &|_| {})
}

/// Fetches `kind`, calling `note` with a line for the user before a long step starts (e.g.
/// "downloading URL (about 170 MB) ..."); the caller decides whether and where to print it.
pub fn fetch_with_notes(
    kind: DatasetKind,
    opts: &FetchOptions,
    note: &dyn Fn(&str),
) -> Result<FetchOutcome> {
    match kind {
        DatasetKind::FashionMnist => fetch_fashion_mnist(opts),
        DatasetKind::Cifar10 => fetch_cifar10(opts, note),
    }
}

fn fetch_fashion_mnist(opts: &FetchOptions) -> Result<FetchOutcome> {
    if opts.archive.is_some() {
        return Err(DataError::invalid(
            "--archive",
            "applies to CIFAR-10 only; for Fashion-MNIST use --url or scripts/fetch-fashion-mnist-debian.sh",
        ));
    }
    let dir = opts.dest_root.join(folder_name(DatasetKind::FashionMnist));
    if !opts.force {
        if let Ok(ds) = fashion_mnist::load(&dir, opts.validation) {
            return Ok(already(dir, ds.provenance));
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| DataError::io(&dir, e))?;
    let base = opts.url.as_deref().unwrap_or(FASHION_MNIST_BASE_URL);
    let base = base.trim_end_matches('/');
    let mut parts = Vec::new();
    for spec in fashion_mnist::FILES {
        let name = format!("{}.gz", spec.stem);
        let url = format!("{base}/{name}");
        let part = dir.join(format!(".{name}.part"));
        download(&url, &part).map_err(|e| {
            let _ = std::fs::remove_file(&part);
            DataError::Fetch(format!(
                "downloading {url} failed: {e}\n{}",
                how_to_get(DatasetKind::FashionMnist, Some(&opts.dest_root))
            ))
        })?;
        if opts.validation == Validation::Canonical {
            let bytes = std::fs::read(&part).map_err(|e| DataError::io(&part, e))?;
            let actual = sha256_hex(&bytes);
            if actual != spec.canonical_gz_sha256 {
                let _ = std::fs::remove_file(&part);
                return Err(DataError::Checksum {
                    path: PathBuf::from(url),
                    algorithm: "sha256",
                    what: "downloaded file",
                    actual,
                    expected: spec.canonical_gz_sha256.to_string(),
                    hint: " (the canonical .gz sha256 of docs/decisions.md D-DATA-1)",
                });
            }
        }
        parts.push((part, dir.join(&name), dir.join(spec.stem)));
    }
    for (part, gz, stale_raw) in &parts {
        // The loader prefers a raw file over the .gz; an old raw copy must not shadow the new one.
        if stale_raw.exists() {
            std::fs::remove_file(stale_raw).map_err(|e| DataError::io(stale_raw, e))?;
        }
        std::fs::rename(part, gz).map_err(|e| DataError::io(gz, e))?;
    }
    let ds = fashion_mnist::load(&dir, opts.validation)?;
    Ok(FetchOutcome {
        dir,
        already_present: false,
        provenance: ds.provenance,
        notes: Vec::new(),
    })
}

fn fetch_cifar10(opts: &FetchOptions, note: &dyn Fn(&str)) -> Result<FetchOutcome> {
    let dir = opts.dest_root.join(folder_name(DatasetKind::Cifar10));
    if !opts.force {
        if let Ok(ds) = cifar10::load(&dir, opts.validation) {
            return Ok(already(dir, ds.provenance));
        }
    }
    std::fs::create_dir_all(&opts.dest_root).map_err(|e| DataError::io(&opts.dest_root, e))?;
    let downloaded = opts.dest_root.join(".cifar-10-binary.tar.gz.part");
    let archive = match &opts.archive {
        Some(path) => path.clone(),
        None => {
            let url = opts.url.as_deref().unwrap_or(CIFAR10_URL);
            note(&format!("downloading {url} (about 170 MB) ..."));
            download(url, &downloaded).map_err(|e| {
                let _ = std::fs::remove_file(&downloaded);
                DataError::Fetch(format!(
                    "downloading {url} failed: {e}\n{}",
                    how_to_get(DatasetKind::Cifar10, Some(&opts.dest_root))
                ))
            })?;
            downloaded.clone()
        }
    };
    let result = install_cifar_archive(&archive, &dir, opts);
    if opts.archive.is_none() {
        let _ = std::fs::remove_file(&downloaded);
    }
    result
}

fn install_cifar_archive(archive: &Path, dir: &Path, opts: &FetchOptions) -> Result<FetchOutcome> {
    let (sha256, md5) = file_sha256_md5(archive)?;
    if opts.validation == Validation::Canonical && md5 != CIFAR10_TARBALL_MD5 {
        return Err(DataError::Checksum {
            path: archive.to_path_buf(),
            algorithm: "md5",
            what: "archive",
            actual: md5,
            expected: CIFAR10_TARBALL_MD5.to_string(),
            hint: " (the official md5 of cifar-10-binary.tar.gz; the python and matlab versions are not read)",
        });
    }
    let mut notes = vec![format!("{}: md5 {md5}, sha256 {sha256}", archive.display())];
    if sha256 != CIFAR10_TARBALL_SHA256_UNOFFICIAL {
        notes.push(format!(
            "note: the sha256 differs from the unofficial value {CIFAR10_TARBALL_SHA256_UNOFFICIAL}"
        ));
    }
    let staging = opts.dest_root.join(format!(
        ".cifar-10-batches-bin.incoming-{}",
        std::process::id()
    ));
    let result = extract_cifar_members(archive, &staging).and_then(|()| {
        let ds = cifar10::load(&staging, opts.validation)?;
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
        }
        std::fs::rename(&staging, dir).map_err(|e| DataError::io(dir, e))?;
        Ok(ds.provenance)
    });
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    let mut provenance = result?;
    for file in &mut provenance.files {
        if let Some(name) = file.path.file_name() {
            file.path = dir.join(name);
        }
    }
    Ok(FetchOutcome {
        dir: dir.to_path_buf(),
        already_present: false,
        provenance,
        notes,
    })
}

/// Copies the members `cifar-10-batches-bin/<known name>` of a .tar.gz into `staging`; other
/// members are ignored, and output paths are built from the known names only.
fn extract_cifar_members(archive: &Path, staging: &Path) -> Result<()> {
    const EXTRA: [&str; 2] = ["batches.meta.txt", "readme.html"];
    let wanted: Vec<&str> = cifar10::TRAIN_FILES
        .iter()
        .copied()
        .chain([cifar10::TEST_FILE])
        .chain(EXTRA)
        .collect();
    if staging.exists() {
        std::fs::remove_dir_all(staging).map_err(|e| DataError::io(staging, e))?;
    }
    std::fs::create_dir_all(staging).map_err(|e| DataError::io(staging, e))?;
    let file = std::fs::File::open(archive).map_err(|e| DataError::io(archive, e))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let corrupt = |e: std::io::Error| DataError::Format {
        path: archive.to_path_buf(),
        detail: format!("cannot read the tar.gz archive: {e}"),
    };
    for entry in tar.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        let path = entry.path().map_err(corrupt)?.into_owned();
        let mut parts = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let (Some(folder), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if folder != "cifar-10-batches-bin" {
            continue;
        }
        if let Some(known) = wanted.iter().find(|w| **w == name) {
            let out = staging.join(known);
            let mut dst = std::fs::File::create(&out).map_err(|e| DataError::io(&out, e))?;
            std::io::copy(&mut entry, &mut dst).map_err(corrupt)?;
        }
    }
    let missing: Vec<&str> = wanted[..6]
        .iter()
        .copied()
        .filter(|n| !staging.join(n).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(DataError::Format {
            path: archive.to_path_buf(),
            detail: format!(
                "the archive lacks cifar-10-batches-bin/{} (is it the binary version, cifar-10-binary.tar.gz?)",
                missing.join(", ")
            ),
        });
    }
    Ok(())
}

fn already(dir: PathBuf, provenance: Provenance) -> FetchOutcome {
    FetchOutcome {
        dir,
        already_present: true,
        provenance,
        notes: Vec::new(),
    }
}

/// Downloads `url` to `dest` with curl, or wget if curl is not installed.
pub(crate) fn download(url: &str, dest: &Path) -> std::result::Result<(), String> {
    let tools: [(&str, Vec<&str>); 2] = [
        (
            "curl",
            vec![
                "--fail",
                "--location",
                "--silent",
                "--show-error",
                "--connect-timeout",
                "30",
                "--retry",
                "2",
                "--output",
            ],
        ),
        (
            "wget",
            vec!["--quiet", "--timeout=30", "--tries=3", "--output-document"],
        ),
    ];
    for (tool, args) in tools {
        match Command::new(tool).args(&args).arg(dest).arg(url).output() {
            Ok(out) if out.status.success() => return Ok(()),
            Ok(out) => {
                return Err(format!(
                    "{tool} exited with {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("could not run {tool}: {e}")),
        }
    }
    Err("neither curl nor wget is installed".into())
}
