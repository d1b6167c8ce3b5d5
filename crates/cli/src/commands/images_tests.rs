//! End to end: `images train` on synthetic Fashion-MNIST IDX files (structure-checked only),
//! all six conditions of a width-reduced paper AlexNet with IN weights from a Caffe-format
//! `.npy` fixture; checks the CSV table and the JSON sidecar.

use super::{train_on, ImagesArgs, ImagesCommand};
use clap::Parser;
use polarity_images::idx::encode;
use polarity_images::{load_from_dir, DatasetKind, Validation};
use std::path::Path;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: ImagesArgs,
}

/// Images whose brightness pattern depends on the class (so the task is learnable).
fn write_split(dir: &Path, stem_images: &str, stem_labels: &str, n: usize) {
    let mut pixels = Vec::with_capacity(n * 784);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = (i * 7 % 10) as u8;
        labels.push(class);
        for r in 0..28 {
            for c in 0..28 {
                let on =
                    (r / 10 + c / 10) % 3 == usize::from(class) % 3 || r % 10 == usize::from(class);
                pixels.push(if on {
                    220
                } else {
                    (i * 13 + r * 3 + c) as u8 % 40
                });
            }
        }
    }
    std::fs::write(
        dir.join(stem_images),
        encode(0x803, &[n as u32, 28, 28], &pixels),
    )
    .unwrap();
    std::fs::write(dir.join(stem_labels), encode(0x801, &[n as u32], &labels)).unwrap();
}

#[test]
fn six_conditions_train_end_to_end_and_write_the_table() {
    let dir = tempfile::tempdir().unwrap();
    write_split(
        dir.path(),
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        60,
    );
    write_split(
        dir.path(),
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
        40,
    );
    let data = load_from_dir(
        DatasetKind::FashionMnist,
        dir.path(),
        Validation::StructureOnly,
    )
    .unwrap();
    let out = dir.path().join("out/fm.csv");
    let weights = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../weights/tests/fixtures/caffe_alexnet_d16.npy");
    let cli = Cli::try_parse_from([
        "images",
        "train",
        "--network",
        "paper-alexnet",
        "--input-size",
        "67",
        "--width-divisor",
        "16",
        "--n-train",
        "40",
        "--epochs",
        "2",
        "--batch-size",
        "20",
        "--val-size",
        "30",
        "--weights",
        weights.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ])
    .unwrap();
    let ImagesCommand::Train(args) = cli.args.command else {
        panic!("train")
    };
    train_on(args, data).unwrap();

    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..7],
        &[
            "dataset",
            "n_train",
            "network",
            "reset",
            "condition",
            "trial",
            "epoch"
        ]
    );
    assert!(header.contains(&"resets_conv2") && header.contains(&"flips_dense"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 6 * 2, "six conditions x two epochs");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for cond in [
        "frozen-in-polarity",
        "fluid-in-polarity",
        "frozen-rand-polarity",
        "fluid-rand-polarity",
        "frozen-in-weight",
        "fluid-in-weight",
    ] {
        let mine: Vec<&Vec<&str>> = rows
            .iter()
            .filter(|r| r[col("condition")] == cond)
            .collect();
        assert_eq!(mine.len(), 2, "{cond}");
        let resets: u64 = mine
            .iter()
            .flat_map(|r| {
                header
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| h.starts_with("resets_"))
                    .map(|(i, _)| r[i].parse::<u64>().unwrap())
            })
            .sum();
        if cond.starts_with("fluid") {
            assert_eq!(resets, 0, "{cond}");
        }
        for r in &mine {
            let acc: f32 = r[col("val_acc")].parse().unwrap();
            assert!((0.0..=1.0).contains(&acc));
            assert!(r[col("train_loss")].parse::<f32>().unwrap().is_finite());
        }
    }
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("json")).unwrap())
            .unwrap();
    assert_eq!(sidecar["pretrained"]["format"], "caffe-npy");
    assert_eq!(sidecar["pretrained"]["sha256"].as_str().unwrap().len(), 64);
    let conds = sidecar["conditions"].as_array().unwrap();
    assert_eq!(conds.len(), 6);
    let hist = |name: &str| {
        conds.iter().find(|c| c["condition"] == name).unwrap()["initial_magnitudes"].clone()
    };
    assert_eq!(
        hist("frozen-rand-polarity"),
        hist("frozen-in-polarity"),
        "same random magnitudes (Supp B.6)"
    );
    assert_ne!(hist("frozen-rand-polarity"), hist("frozen-in-weight"));
    // IN templates leave the off-diagonal half of the expanded grouped kernels free (the
    // fixture has one more exact zero in each layer's first entry).
    let fraction = |cond: &str, layer: &str| {
        let c = conds.iter().find(|c| c["condition"] == cond).unwrap();
        c["constrained_fraction"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == layer)
            .unwrap()[1]
            .as_f64()
            .unwrap()
    };
    for cond in ["frozen-in-polarity", "frozen-in-weight"] {
        let conv2 = fraction(cond, "conv2.weight");
        assert!(
            (conv2 - (0.5 - 1.0 / (16.0 * 6.0 * 25.0))).abs() < 1e-9,
            "{cond}: conv2 {conv2}"
        );
        assert!(fraction(cond, "conv3.weight") > 0.99, "{cond}");
        assert_eq!(
            fraction(cond, "dense.weight"),
            1.0,
            "{cond}: the new head is frozen too"
        );
    }
    assert_eq!(fraction("frozen-rand-polarity", "conv2.weight"), 1.0);
    let fluid = conds
        .iter()
        .find(|c| c["condition"] == "fluid-in-polarity")
        .unwrap();
    assert!(fluid["constrained_fraction"].as_array().unwrap().is_empty());
    // No pretrained weights for IN conditions: a clear error naming the option.
    let cli = Cli::try_parse_from([
        "images",
        "train",
        "--conditions",
        "frozen-in-weight",
        "--quiet",
    ])
    .unwrap();
    let ImagesCommand::Train(args) = cli.args.command else {
        panic!("train")
    };
    let data = load_from_dir(
        DatasetKind::FashionMnist,
        dir.path(),
        Validation::StructureOnly,
    )
    .unwrap();
    let e = train_on(args, data).unwrap_err().to_string();
    assert!(e.contains("--weights"), "{e}");
}
