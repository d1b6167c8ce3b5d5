//! The real Fashion-MNIST, found through the normal search order (CI installs it with
//! scripts/fetch-fashion-mnist-debian.sh). Skips with a note when absent, unless
//! POLARITY_REQUIRE_REAL_DATA=1, which turns a missing dataset into a failure.
use polarity_images::{load, DatasetKind, Normalization, SearchPaths, Validation};

#[test]
fn real_fashion_mnist_checksums_counts_and_class_balance() {
    let required = std::env::var("POLARITY_REQUIRE_REAL_DATA").is_ok_and(|v| v == "1");
    let paths = SearchPaths::from_process_env(None);
    let located = match paths.locate(DatasetKind::FashionMnist) {
        Ok(l) => l,
        Err(e) if !required => {
            eprintln!("note: skipping the real Fashion-MNIST test (set POLARITY_REQUIRE_REAL_DATA=1 to require it):\n{e}");
            return;
        }
        Err(e) => panic!("POLARITY_REQUIRE_REAL_DATA=1 but Fashion-MNIST was not found:\n{e}"),
    };
    let ds = load(DatasetKind::FashionMnist, &paths, Validation::Canonical)
        .unwrap_or_else(|e| panic!("Fashion-MNIST in {} is invalid: {e}", located.dir.display()));

    // Checksums: every file's decompressed content matched the sha256 of docs/decisions.md
    // D-DATA-1.
    let expected = [
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ];
    let got: Vec<&str> = ds
        .provenance
        .files
        .iter()
        .map(|f| f.content_sha256.as_str())
        .collect();
    assert_eq!(got, expected);
    assert!(ds
        .provenance
        .files
        .iter()
        .all(|f| f.verified_against.as_deref() == Some(f.content_sha256.as_str())));
    let sizes: Vec<u64> = ds
        .provenance
        .files
        .iter()
        .map(|f| f.content_bytes)
        .collect();
    assert_eq!(sizes, vec![47_040_016, 60_008, 7_840_016, 10_008]);

    // Counts and class balance (docs/decisions.md D-DATA-1).
    assert_eq!((ds.train.len(), ds.test.len()), (60_000, 10_000));
    assert_eq!(
        (ds.train.height(), ds.train.width(), ds.train.channels()),
        (28, 28, 1)
    );
    assert_eq!(ds.train.class_counts(), vec![6_000; 10]);
    assert_eq!(ds.test.class_counts(), vec![1_000; 10]);
    // The first test labels (foolbox's fashionMNIST_00_9.png ... agree, docs/decisions.md
    // D-DATA-3).
    assert_eq!(ds.test.labels()[0], 9);

    // The paper's normalisation constants are the training set's mean and population std.
    let Normalization::Scalar { mean, std } = Normalization::scalar_from_data(&ds.train) else {
        panic!("scalar normalisation expected");
    };
    assert!(
        (f64::from(mean) - 72.940_352_232_1).abs() < 1e-3,
        "mean {mean}"
    );
    assert!(
        (f64::from(std) - 90.021_182_351_3).abs() < 1e-3,
        "std {std}"
    );
    eprintln!(
        "real Fashion-MNIST verified in {} [{}]",
        located.dir.display(),
        located.source
    );
}
