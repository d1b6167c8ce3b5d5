//! The search order, with the environment passed in as a map.
mod common;

use common::*;
use polarity_images::{DatasetKind, EnvMap, SearchPaths};
use std::path::{Path, PathBuf};

fn env(pairs: &[(&str, &Path)]) -> EnvMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_os_str().to_owned()))
        .collect()
}

/// A search whose system folder is inside the temp dir (the real /usr/share may hold the data).
fn paths(data_dir: Option<PathBuf>, env: &EnvMap, system: &Path) -> SearchPaths {
    let mut p = SearchPaths::new(data_dir, env);
    p.system_fashion_mnist = vec![system.to_path_buf()];
    p
}

#[test]
fn default_search_paths_follow_the_documented_rules() {
    let e = env(&[("HOME", Path::new("/home/u"))]);
    let p = SearchPaths::new(None, &e);
    assert_eq!(
        p.cache_dir,
        Some(PathBuf::from("/home/u/.cache/polarity/data"))
    );
    assert_eq!(p.env_dir, None);
    assert_eq!(
        p.system_fashion_mnist,
        vec![PathBuf::from("/usr/share/datasets/fashion-mnist")]
    );
    let e = env(&[
        ("HOME", Path::new("/home/u")),
        ("XDG_CACHE_HOME", Path::new("/xdg")),
        ("POLARITY_DATA", Path::new("/data")),
    ]);
    let p = SearchPaths::new(None, &e);
    assert_eq!(p.cache_dir, Some(PathBuf::from("/xdg/polarity/data")));
    assert_eq!(p.env_dir, Some(PathBuf::from("/data")));
    let dirs: Vec<PathBuf> = p
        .candidates(DatasetKind::FashionMnist)
        .into_iter()
        .map(|c| c.0)
        .collect();
    let expected: Vec<PathBuf> = [
        "/data",
        "/data/fashion-mnist",
        "/data/usr/share/datasets/fashion-mnist",
        "/xdg/polarity/data",
        "/xdg/polarity/data/fashion-mnist",
        "/xdg/polarity/data/usr/share/datasets/fashion-mnist",
        "/usr/share/datasets/fashion-mnist",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(dirs, expected);
    let cifar: Vec<PathBuf> = p
        .candidates(DatasetKind::Cifar10)
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(
        cifar.last(),
        Some(&PathBuf::from("/xdg/polarity/data/cifar-10-batches-bin"))
    );
    // An empty variable counts as unset.
    let e = env(&[
        ("POLARITY_DATA", Path::new("")),
        ("XDG_CACHE_HOME", Path::new("")),
    ]);
    assert_eq!(
        SearchPaths::new(None, &e),
        SearchPaths {
            data_dir: None,
            env_dir: None,
            cache_dir: None,
            system_fashion_mnist: vec![PathBuf::from("/usr/share/datasets/fashion-mnist")],
        }
    );
}

#[test]
fn earlier_places_win_and_debian_layout_in_cache_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (env_root, xdg, system) = (t.join("envdata"), t.join("xdg"), t.join("system"));
    let cache_debian = xdg.join("polarity/data/usr/share/datasets/fashion-mnist");
    write_fashion(&system, 2, 1, 2, 2, true);
    let e = env(&[
        ("XDG_CACHE_HOME", &xdg),
        ("POLARITY_DATA", &env_root),
        ("HOME", &t.join("home")),
    ]);

    let found = paths(None, &e, &system)
        .locate(DatasetKind::FashionMnist)
        .unwrap();
    assert_eq!(
        (found.dir.as_path(), found.source),
        (system.as_path(), "Debian package dataset-fashion-mnist")
    );

    write_fashion(&cache_debian, 2, 1, 2, 2, true);
    let found = paths(None, &e, &system)
        .locate(DatasetKind::FashionMnist)
        .unwrap();
    assert_eq!(
        (found.dir.as_path(), found.source),
        (cache_debian.as_path(), "user cache")
    );

    write_fashion(&env_root.join("fashion-mnist"), 2, 1, 2, 2, false);
    let found = paths(None, &e, &system)
        .locate(DatasetKind::FashionMnist)
        .unwrap();
    assert_eq!(
        (found.dir, found.source),
        (env_root.join("fashion-mnist"), "$POLARITY_DATA")
    );

    let explicit = t.join("explicit");
    write_fashion(&explicit, 2, 1, 2, 2, false);
    let found = paths(Some(explicit.clone()), &e, &system)
        .locate(DatasetKind::FashionMnist)
        .unwrap();
    assert_eq!((found.dir, found.source), (explicit, "--data-dir"));
}

#[test]
fn explicit_data_dir_is_searched_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let system = t.join("system");
    write_fashion(&system, 2, 1, 2, 2, true);
    let e = env(&[("HOME", &t.join("home"))]);
    let err = paths(Some(t.join("nope")), &e, &system)
        .locate(DatasetKind::FashionMnist)
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope [--data-dir]: no such folder"), "{err}");
    assert!(
        err.contains("not searched when --data-dir is given"),
        "{err}"
    );
    assert!(
        !err.contains("system"),
        "the system copy must not be used or listed: {err}"
    );
}

#[test]
fn not_found_lists_every_place_and_how_to_get_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let home = t.join("home");
    // An incomplete copy in the cache: the error says what it lacks.
    let partial = home.join(".cache/polarity/data/fashion-mnist");
    write_fashion(&partial, 2, 1, 2, 2, true);
    std::fs::remove_file(partial.join("train-labels-idx1-ubyte.gz")).unwrap();
    let e = env(&[("HOME", &home)]);
    let p = paths(None, &e, &t.join("system"));
    let err = p.locate(DatasetKind::FashionMnist).unwrap_err().to_string();
    for (dir, _) in p.candidates(DatasetKind::FashionMnist) {
        assert!(
            err.contains(&dir.display().to_string()),
            "{} not listed: {err}",
            dir.display()
        );
    }
    assert!(
        err.contains("missing train-labels-idx1-ubyte[.gz]"),
        "{err}"
    );
    assert!(err.contains("$POLARITY_DATA is not set"), "{err}");
    assert!(err.contains("polarity data fetch fashion-mnist"), "{err}");
    assert!(
        err.contains("apt-get download dataset-fashion-mnist && dpkg-deb -x"),
        "{err}"
    );

    let err = p.locate(DatasetKind::Cifar10).unwrap_err().to_string();
    assert!(err.contains("CIFAR-10 data not found"), "{err}");
    assert!(
        err.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
        "{err}"
    );
    assert!(err.contains("--archive"), "{err}");
}

#[test]
fn cifar_is_found_in_its_folder_under_a_root() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    write_cifar(&root.join("cifar-10-batches-bin"), 1);
    let e = env(&[("POLARITY_DATA", &root)]);
    let found = paths(None, &e, tmp.path())
        .locate(DatasetKind::Cifar10)
        .unwrap();
    assert_eq!(found.dir, root.join("cifar-10-batches-bin"));
    let ds = polarity_images::load(
        DatasetKind::Cifar10,
        &paths(None, &e, tmp.path()),
        polarity_images::Validation::StructureOnly,
    )
    .unwrap();
    assert_eq!(ds.train.len(), 5);
}
