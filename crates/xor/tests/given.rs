//! The readers of given XOR data, against fixtures made by `scripts/make_official_xor_data.py`
//! (numpy 1.26, the official generator re-implemented call for call, seed 0; its pickles are
//! byte-identical to the official `generate_series_xper_samples` output):
//!
//! - the official pickles and their CSV form read back every value of the JSON dump the script
//!   wrote from its arrays (not from the files), and the digests it computed with hashlib;
//! - the official cell order (gp1, gp3 label 1; gp2, gp4 label 0, one block per file step);
//! - each bad file or folder fails with an error naming the file and what was expected;
//! - a grid on given data runs, records the digest in config.toml, refuses changed data, and
//!   trains on the same numbers whichever reader read them.

use polarity_mlp::Dataset;
use polarity_sweep::RunOptions;
use polarity_xor::given::{csv::read_csv, pickles::read_official_pickles, read_given};
use polarity_xor::{Condition, DataOrigin, DataSource, GivenFormat, XorConfig, XorData};
use serde::Deserialize;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xor-data")
}

#[derive(Deserialize)]
struct Set {
    /// (D, N), as numpy holds it.
    data: Vec<Vec<f64>>,
    labels: Vec<f64>,
}

impl Set {
    /// Row-major (N, D) as f32: what the network is fed (float64 data into a float32 model).
    fn dataset(&self) -> Dataset {
        let dims = self.data.len();
        let n = self.labels.len();
        Dataset {
            inputs: dims,
            x: (0..n)
                .flat_map(|i| self.data.iter().map(move |row| row[i] as f32))
                .collect(),
            y: self.labels.iter().map(|&v| v as f32).collect(),
        }
    }
}

#[derive(Deserialize)]
struct File {
    name: String,
    sample_size: usize,
    train: Set,
}

#[derive(Deserialize)]
struct Dump {
    num_dim: usize,
    files: Vec<File>,
    val: Set,
    manifest_sha256: String,
    csv_sha256: String,
}

fn dump() -> Dump {
    let text = std::fs::read_to_string(fixtures().join("official-d5.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn official_pickles_read_every_value() {
    let dump = dump();
    let given = read_official_pickles(&fixtures().join("official-d5")).unwrap();
    assert_eq!(given.summary.format, GivenFormat::OfficialPickles);
    assert_eq!(given.summary.sha256, dump.manifest_sha256);
    let names: Vec<&str> = dump.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(given.summary.files, names);
    assert_eq!(given.dims, dump.num_dim);
    let sizes: Vec<usize> = dump.files.iter().map(|f| f.sample_size).collect();
    assert_eq!(given.train_sizes.as_deref(), Some(sizes.as_slice()));
    assert_eq!(given.val, dump.val.dataset());
    assert_eq!(given.val.len(), 1000);
    let data = XorData::given(given);
    for file in &dump.files {
        assert_eq!(
            data.train(file.sample_size).unwrap(),
            file.train.dataset(),
            "{}",
            file.name
        );
    }
    // Only sizes with a file are training sets.
    let e = data.train(12).unwrap_err().to_string();
    assert!(e.contains("12") && e.contains("[8, 20, 32, 40]"), "{e}");
}

#[test]
fn csv_reads_the_same_numbers() {
    let dump = dump();
    let given = read_csv(&fixtures().join("official-d5.csv")).unwrap();
    assert_eq!(given.summary.format, GivenFormat::Csv);
    assert_eq!(given.summary.sha256, dump.csv_sha256);
    assert_eq!(given.dims, 5);
    assert_eq!(given.train_sizes, None);
    assert_eq!(given.train, dump.files.last().unwrap().train.dataset());
    assert_eq!(given.val, dump.val.dataset());
    // Any prefix is a training set; the official sizes give the official files' sets.
    let data = XorData::given(given);
    for file in &dump.files {
        assert_eq!(data.train(file.sample_size).unwrap(), file.train.dataset());
    }
    assert!(data.train(41).is_err());
    assert_eq!(data.train(3).unwrap().len(), 3);
}

/// The official layout, from the generator's definition rather than the dump: each file step
/// appends one block of k samples per cell, in the order gp1 (both low, label 1), gp3 (both
/// high, label 1), gp2 (x1 low, x2 high, label 0), gp4 (x1 high, x2 low, label 0).
#[test]
fn samples_are_grouped_by_cell_in_official_order() {
    let given = read_given(&fixtures().join("official-d5")).unwrap();
    let sizes = given.train_sizes.clone().unwrap();
    let mut start = 0;
    for &end in &sizes {
        let k = (end - start) / 4;
        for (block, (x1_high, x2_high, label)) in [
            (false, false, 1.0),
            (true, true, 1.0),
            (false, true, 0.0),
            (true, false, 0.0),
        ]
        .into_iter()
        .enumerate()
        {
            for i in start + block * k..start + (block + 1) * k {
                let row = given.train.row(i);
                assert_eq!((row[0] >= 0.05, row[1] >= 0.05), (x1_high, x2_high), "{i}");
                assert!(row[0] < 1.05 && row[0] >= -1.0 && (row[0] < 0.0 || row[0] >= 0.05));
                assert_eq!(given.train.y[i], label, "sample {i}");
            }
        }
        start = end;
    }
}

fn error_of(path: &Path) -> String {
    let e = read_given(path).unwrap_err();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

#[test]
fn bad_pickle_folders_name_the_file_and_what_was_expected() {
    let bad = fixtures().join("bad");
    let cases: [(&str, &[&str]); 8] = [
        (
            "wrong-shape",
            &[
                "num_dim=5%sample_size=20.pkl",
                "shape [4, 20]",
                "expected [5, 20]",
            ],
        ),
        (
            "mixed-dims",
            &[
                "num_dim=4%sample_size=20.pkl",
                "num_dim=5%sample_size=8.pkl",
                "one dimension",
            ],
        ),
        (
            "broken-nesting",
            &[
                "num_dim=5%sample_size=20.pkl",
                "first 8 training samples",
                "sample 3",
                "nested",
            ],
        ),
        (
            "bad-labels",
            &[
                "num_dim=5%sample_size=20.pkl",
                "['labels'][11] = 2",
                "expected 0 or 1",
            ],
        ),
        (
            "val-differs",
            &[
                "num_dim=5%sample_size=20.pkl",
                "validation set differs",
                "sample 0",
            ],
        ),
        (
            "truncated",
            &[
                "num_dim=5%sample_size=20.pkl",
                "not a readable pickle",
                "truncated",
            ],
        ),
        (
            "bad-name",
            &["sample_size=twenty.pkl", "num_dim=D%sample_size=N.pkl"],
        ),
        ("empty", &["empty", "no files named"]),
    ];
    for (folder, needles) in cases {
        let e = error_of(&bad.join(folder));
        for needle in needles {
            assert!(e.contains(needle), "{folder}: '{needle}' not in: {e}");
        }
    }
    let e = error_of(&bad.join("does-not-exist"));
    assert!(e.contains("does-not-exist"), "{e}");
}

#[test]
fn bad_csvs_name_the_file_line_and_what_was_expected() {
    let bad = fixtures().join("bad");
    let cases: [(&str, &[&str]); 6] = [
        (
            "bad-header.csv",
            &["header 'set,x1,x2,x3,x5,x4,label'", "set,x1,...,xD,label"],
        ),
        (
            "bad-label.csv",
            &["line 3", "label = '2'", "expected 0 or 1"],
        ),
        ("bad-fields.csv", &["line 3", "6 fields, expected 7"]),
        ("bad-set.csv", &["line 3", "set 'test'", "'train' or 'val'"]),
        ("bad-number.csv", &["line 3", "x1 = 'abc' is not a number"]),
        ("no-val.csv", &["0 validation rows"]),
    ];
    for (file, needles) in cases {
        let e = error_of(&bad.join(file));
        assert!(e.contains(file), "{file} not named in: {e}");
        for needle in needles {
            assert!(e.contains(needle), "{file}: '{needle}' not in: {e}");
        }
    }
}

fn grid_on(path: PathBuf) -> XorConfig {
    XorConfig {
        seed: 3,
        hidden: vec![4],
        train_sizes: vec![8, 40],
        trials: 2,
        conditions: vec![Condition::FrozenSufficient, Condition::Fluid],
        epochs: 3,
        data: DataSource::files(path),
        ..XorConfig::default()
    }
}

#[test]
fn grid_mismatches_are_errors_naming_what_was_expected() {
    let folder = fixtures().join("official-d5");
    let missing = XorConfig {
        train_sizes: vec![8, 12],
        ..grid_on(folder.clone())
    };
    let e = missing.data().unwrap_err().to_string();
    assert!(
        e.contains("num_dim=5%sample_size=12.pkl") && e.contains("has no file"),
        "{e}"
    );
    let dims = XorConfig {
        dims: 4,
        ..grid_on(folder.clone())
    };
    let e = dims.data().unwrap_err().to_string();
    assert!(e.contains("dims = 5") && e.contains("'dims' is 4"), "{e}");
    let val = XorConfig {
        val_size: 200,
        ..grid_on(folder.clone())
    };
    let e = val.data().unwrap_err().to_string();
    assert!(e.contains("val_size = 1000") && e.contains("is 200"), "{e}");
    let too_long = XorConfig {
        train_sizes: vec![44],
        ..grid_on(fixtures().join("official-d5.csv"))
    };
    let e = too_long.data().unwrap_err().to_string();
    assert!(e.contains("44") && e.contains("the file has 40"), "{e}");
    // Given data need not be a multiple of 4 (the generator's balance rule).
    let odd = XorConfig {
        train_sizes: vec![9],
        ..grid_on(fixtures().join("official-d5.csv"))
    };
    odd.validate().unwrap();
    assert_eq!(odd.data().unwrap().train(9).unwrap().len(), 9);
}

fn run(cfg: &XorConfig, out: &Path) -> (Vec<u8>, String) {
    let outcome = cfg
        .run_sweep(&RunOptions {
            out: out.to_path_buf(),
            threads: Some(2),
            ..RunOptions::default()
        })
        .unwrap();
    (
        std::fs::read(outcome.results_csv).unwrap(),
        std::fs::read_to_string(out.join("config.toml")).unwrap(),
    )
}

#[test]
fn grid_on_given_data_records_its_digest_and_refuses_changed_data() {
    let dump = dump();
    let dir = tempfile::tempdir().unwrap();
    let pickles = grid_on(fixtures().join("official-d5"));
    let (from_pickles, config) = run(&pickles, &dir.path().join("pickles"));
    assert!(
        config.contains(&format!("sha256 = \"{}\"", dump.manifest_sha256)),
        "{config}"
    );
    // The saved config reruns the same grid on the same data.
    let saved = XorConfig::from_toml_file(&dir.path().join("pickles/config.toml")).unwrap();
    let (again, _) = run(&saved, &dir.path().join("again"));
    assert_eq!(again, from_pickles);

    // The CSV holds the same numbers, so the grid trains to the same table.
    let csv = grid_on(fixtures().join("official-d5.csv"));
    let (from_csv, config) = run(&csv, &dir.path().join("csv"));
    assert!(config.contains(&dump.csv_sha256), "{config}");
    assert_eq!(from_csv, from_pickles);
    // ... and not to the table of drawn data.
    let drawn = XorConfig {
        data: DataSource::default(),
        ..grid_on(PathBuf::new())
    };
    let (from_drawn, _) = run(&drawn, &dir.path().join("drawn"));
    assert_ne!(from_drawn, from_pickles);

    // A config whose digest does not match the data is refused before anything runs.
    let changed = XorConfig {
        data: DataSource::Files {
            path: fixtures().join("official-d5"),
            sha256: Some(dump.csv_sha256.clone()),
        },
        ..pickles
    };
    let e = changed.data().unwrap_err().to_string();
    assert!(
        e.contains(&dump.manifest_sha256) && e.contains(&dump.csv_sha256) && e.contains("changed"),
        "{e}"
    );
    assert!(changed
        .run_sweep(&RunOptions {
            out: dir.path().join("changed"),
            ..RunOptions::default()
        })
        .is_err());
    assert!(!dir.path().join("changed/results.csv").exists());
}

#[test]
fn resolve_data_records_the_digest_and_origin() {
    let mut cfg = grid_on(fixtures().join("official-d5.csv"));
    let data = cfg.resolve_data().unwrap();
    let DataOrigin::Given(summary) = &data.origin else {
        panic!("{:?}", data.origin)
    };
    assert_eq!(
        cfg.data,
        DataSource::Files {
            path: fixtures().join("official-d5.csv"),
            sha256: Some(summary.sha256.clone())
        }
    );
    let text = data.origin.to_string();
    assert!(
        text.contains("official-d5.csv") && text.contains(&summary.sha256),
        "{text}"
    );
}
