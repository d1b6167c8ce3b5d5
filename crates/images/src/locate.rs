//! Where datasets are looked for, in order:
//! 1. `--data-dir` (if given, it is the only place searched: an explicit choice is never
//!    silently replaced by another copy);
//! 2. `$POLARITY_DATA`;
//! 3. the user cache, `$XDG_CACHE_HOME/polarity/data` or `~/.cache/polarity/data`
//!    (`%LOCALAPPDATA%\polarity\data` on Windows), where `polarity data fetch` and
//!    `scripts/fetch-fashion-mnist-debian.sh` install;
//! 4. `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`).
//!
//! Under each root R the dataset may sit in R itself, in `R/<dataset folder>`, or (Fashion-MNIST)
//! in the Debian layout R/usr/share/datasets/fashion-mnist, i.e. the .deb unpacked under R.
use crate::cifar10;
use crate::dataset::DatasetKind;
use crate::error::{DataError, Result};
use crate::fashion_mnist;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub const ENV_DATA_DIR: &str = "POLARITY_DATA";
pub const DEBIAN_FASHION_MNIST: &str = "/usr/share/datasets/fashion-mnist";
const DEBIAN_RELATIVE: &str = "usr/share/datasets/fashion-mnist";

/// The environment variables the search reads, as a map (so tests need not touch the real
/// environment).
pub type EnvMap = BTreeMap<String, OsString>;

/// The roots to search, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchPaths {
    pub data_dir: Option<PathBuf>,
    pub env_dir: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    /// System folders holding a dataset directly (the Debian package's).
    pub system_fashion_mnist: Vec<PathBuf>,
}

/// Where a dataset was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub dir: PathBuf,
    /// Which rule found it, e.g. "$POLARITY_DATA".
    pub source: &'static str,
}

impl SearchPaths {
    /// The search for `data_dir` (the `--data-dir` option) and the environment `env`.
    pub fn new(data_dir: Option<PathBuf>, env: &EnvMap) -> Self {
        SearchPaths {
            data_dir,
            env_dir: non_empty(env, ENV_DATA_DIR).map(PathBuf::from),
            cache_dir: user_cache_dir(env),
            system_fashion_mnist: vec![PathBuf::from(DEBIAN_FASHION_MNIST)],
        }
    }

    /// As [`SearchPaths::new`] with the process environment.
    pub fn from_process_env(data_dir: Option<PathBuf>) -> Self {
        Self::new(data_dir, &process_env())
    }

    /// Every folder that is checked for `kind`, in order, with the rule it comes from.
    pub fn candidates(&self, kind: DatasetKind) -> Vec<(PathBuf, &'static str)> {
        if let Some(dir) = &self.data_dir {
            return under_root(dir, kind)
                .into_iter()
                .map(|p| (p, "--data-dir"))
                .collect();
        }
        let mut out = Vec::new();
        for (root, source) in [
            (&self.env_dir, "$POLARITY_DATA"),
            (&self.cache_dir, "user cache"),
        ] {
            if let Some(root) = root {
                out.extend(under_root(root, kind).into_iter().map(|p| (p, source)));
            }
        }
        if kind == DatasetKind::FashionMnist {
            out.extend(
                self.system_fashion_mnist
                    .iter()
                    .map(|p| (p.clone(), "Debian package dataset-fashion-mnist")),
            );
        }
        out
    }

    /// The first candidate folder that holds every file of `kind`. The error lists every
    /// place looked at, why each was rejected, and how to get the data.
    pub fn locate(&self, kind: DatasetKind) -> Result<Located> {
        let mut report = String::new();
        for (dir, source) in self.candidates(kind) {
            let missing = missing_files(&dir, kind);
            if missing.is_empty() {
                return Ok(Located { dir, source });
            }
            let status = if !dir.is_dir() {
                "no such folder".to_string()
            } else {
                format!("missing {}", missing.join(", "))
            };
            let _ = writeln!(report, "  {} [{source}]: {status}", dir.display());
        }
        let mut msg = format!(
            "{} data not found. Looked in, in order:\n{report}",
            kind.display_name()
        );
        if self.data_dir.is_none() {
            if self.env_dir.is_none() {
                let _ = writeln!(msg, "  ($POLARITY_DATA is not set)");
            }
            if self.cache_dir.is_none() {
                let _ = writeln!(
                    msg,
                    "  (no user cache: neither $XDG_CACHE_HOME nor $HOME is set)"
                );
            }
        } else {
            let _ = writeln!(
                msg,
                "  (other places are not searched when --data-dir is given)"
            );
        }
        msg.push_str(&how_to_get(kind, self.cache_dir.as_deref()));
        Err(DataError::NotFound(msg))
    }
}

/// `$XDG_CACHE_HOME/polarity/data`, else `$HOME/.cache/polarity/data`
/// (`%LOCALAPPDATA%\polarity\data` on Windows).
pub fn user_cache_dir(env: &EnvMap) -> Option<PathBuf> {
    let base = non_empty(env, "XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty(env, "HOME").map(|h| PathBuf::from(h).join(".cache")))
        .or_else(|| non_empty(env, "LOCALAPPDATA").map(PathBuf::from))?;
    Some(base.join("polarity").join("data"))
}

/// The variables the search reads, taken from the process environment.
pub fn process_env() -> EnvMap {
    [ENV_DATA_DIR, "XDG_CACHE_HOME", "HOME", "LOCALAPPDATA"]
        .into_iter()
        .filter_map(|k| std::env::var_os(k).map(|v| (k.to_string(), v)))
        .collect()
}

/// The dataset's folder name under a data root.
pub fn folder_name(kind: DatasetKind) -> &'static str {
    match kind {
        DatasetKind::FashionMnist => "fashion-mnist",
        DatasetKind::Cifar10 => "cifar-10-batches-bin",
    }
}

/// How to obtain the data (appended to not-found and download errors).
pub fn how_to_get(kind: DatasetKind, cache: Option<&Path>) -> String {
    let cache = cache
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.cache/polarity/data".into());
    match kind {
        DatasetKind::FashionMnist => format!(
            "How to get it:\n\
             - `polarity data fetch fashion-mnist` downloads the canonical files into {cache}/fashion-mnist\n\
             - or, on Debian/Ubuntu without root: `scripts/fetch-fashion-mnist-debian.sh`, i.e.\n\
             \x20   apt-get download dataset-fashion-mnist && dpkg-deb -x dataset-fashion-mnist_*.deb {cache}\n\
             \x20 (run `apt-get update` first on a fresh machine; the data lands in {cache}/{DEBIAN_RELATIVE})\n\
             - or, as root: `apt-get install dataset-fashion-mnist` (installs {DEBIAN_FASHION_MNIST})\n\
             - or put the four files (train/t10k images/labels, .gz or raw IDX) in a folder and pass\n\
             \x20 --data-dir FOLDER or set {ENV_DATA_DIR}=FOLDER\n"
        ),
        DatasetKind::Cifar10 => format!(
            "How to get it:\n\
             - `polarity data fetch cifar10` downloads {} (170 MB, md5 checked)\n\
             \x20 and unpacks its cifar-10-batches-bin folder into {cache}\n\
             - or download that file elsewhere and run `polarity data fetch cifar10 --archive FILE`\n\
             - or unpack it yourself (`tar -xzf cifar-10-binary.tar.gz -C {cache}`), or pass --data-dir /\n\
             \x20 set {ENV_DATA_DIR} to the folder holding cifar-10-batches-bin\n\
             (CIFAR-10 is in no package registry the project can reach; only the binary version is read.)\n",
            crate::fetch::CIFAR10_URL
        ),
    }
}

fn under_root(root: &Path, kind: DatasetKind) -> Vec<PathBuf> {
    let mut dirs = vec![root.to_path_buf(), root.join(folder_name(kind))];
    if kind == DatasetKind::FashionMnist {
        dirs.push(root.join(DEBIAN_RELATIVE));
    }
    dirs
}

/// Names of the files of `kind` that `dir` lacks (empty when complete).
pub fn missing_files(dir: &Path, kind: DatasetKind) -> Vec<String> {
    match kind {
        DatasetKind::FashionMnist => fashion_mnist::FILES
            .iter()
            .filter(|spec| fashion_mnist::find_file(dir, spec).is_none())
            .map(|spec| format!("{}[.gz]", spec.stem))
            .collect(),
        DatasetKind::Cifar10 => cifar10::TRAIN_FILES
            .iter()
            .chain([&cifar10::TEST_FILE])
            .filter(|name| !dir.join(name).is_file())
            .map(|name| name.to_string())
            .collect(),
    }
}

fn non_empty(env: &EnvMap, key: &str) -> Option<OsString> {
    env.get(key).filter(|v| !v.is_empty()).cloned()
}
