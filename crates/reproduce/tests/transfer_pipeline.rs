//! The transfer study end to end on a tiny synthetic 10-class dataset: K sources per direction
//! with early stopping, the template artifacts, every arm through the sweep, the verdicts from
//! the declared margins, the report, and resume.

use polarity_core::PolarityTemplate;
mod common;

type B = burn::backend::Autodiff<burn::backend::Flex>;

use common::dataset;
use polarity_images::mnist::MnistSubset;
use polarity_images::FileProvenance;
use polarity_reproduce::images::source_net;
use polarity_reproduce::transfer::{
    Arch, Arm, Budget, Directions, Margins, Preset, Scale, SourceScale, TransferStudy,
};
use std::path::Path;

/// A synthetic stand-in for the MNIST subset: the same bars on another noise draw, 20 per class.
fn mnist() -> MnistSubset {
    MnistSubset {
        images: common::images(200, 3),
        provenance: FileProvenance {
            path: "synthetic-mnist".into(),
            file_bytes: 0,
            file_sha256: String::new(),
            gzip: false,
            content_bytes: 0,
            content_sha256: "synthetic".into(),
            verified_against: None,
        },
    }
}

const ROUNDS: usize = 2;

fn study(out: &Path, resume: bool) -> TransferStudy {
    TransferStudy {
        out: out.to_path_buf(),
        preset: Preset::Smoke,
        scale: Scale {
            sources: SourceScale {
                per_direction: 2,
                images: 100,
                holdout: 50,
                max_epochs: 2,
                batch: 25,
                one_epoch: true,
            },
            per_class: vec![2, 5],
            trials: 2,
            budget: Budget {
                steps: 6,
                rounds: ROUNDS,
                max_batch: 50,
            },
            test_size: 100,
            arms: Arm::ALL.to_vec(),
            threshold: 0.5,
            margins: Margins {
                error_points: 1.0,
                steps_ratio: 1.1,
            },
            bootstrap_resamples: 200,
        },
        arch: Arch::SmallCnn,
        directions: Directions::All,
        seed: 7,
        resume,
        shard: None,
        command: "test".into(),
    }
}

#[test]
fn transfer_study_runs_end_to_end_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let data = dataset();
    let report = study(out, false)
        .run::<B>(
            &data,
            Some(&mnist()),
            &Default::default(),
            &polarity_reproduce::Silent,
        )
        .unwrap();
    let md = std::fs::read_to_string(&report).unwrap();
    for needle in [
        "verdicts from the declared margins",
        "Frozen transferred polarity",
        "Weight transfer (fine-tuning)",
        "Frozen shuffled polarity",
        "fm0-4_to_5-9",
        "fm5-9_to_0-4",
        "fm_to_mnist",
        "Linear probe",
        "polarity.ptpl",
        "source-1-epoch",
        "**Answer for",
    ] {
        assert!(md.contains(needle), "report lacks {needle:?}");
    }
    assert!(out.join("report.html").exists());
    assert!(out.join("figures/transfer-error.png").exists());

    // Two trials per cell can never establish a margin: no claim holds.
    let claims = std::fs::read_to_string(out.join("claims.csv")).unwrap();
    assert!(claims.lines().count() > 2 * 8, "{claims}");
    assert!(!claims.contains(",holds,"), "{claims}");
    assert!(claims.contains("underpowered"), "{claims}");

    // Rows: 3 directions x 2 sizes x 2 trials x 13 arms x ROUNDS rounds.
    let csv = std::fs::read_to_string(out.join("runs/results.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 2 * 2 * Arm::ALL.len() * ROUNDS);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cond, n_train) = (col("condition"), col("n_train"));
    let sizes: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[n_train]).collect();
    assert_eq!(
        sizes.into_iter().collect::<Vec<_>>(),
        ["2", "5"],
        "n_train is per class"
    );
    // Frozen arms keep their polarity (the free head's arm only in the transferred kernels);
    // fluid arms change some signs.
    let flips = |arm: Arm, columns: &[&str]| -> u64 {
        rows.iter()
            .filter(|r| r[cond] == arm.name())
            .flat_map(|r| {
                columns
                    .iter()
                    .map(|c| r[col(&format!("flips_{c}"))].parse::<u64>().unwrap())
            })
            .sum()
    };
    let all = ["conv1", "conv2", "fc1", "fc2", "out"];
    for arm in [
        Arm::FrozenPolarity,
        Arm::FrozenRand,
        Arm::FrozenWeights,
        Arm::ShuffledPolarity,
        Arm::EarlyPolarity,
        Arm::PolarityResampled,
    ] {
        assert_eq!(flips(arm, &all), 0, "{arm:?}");
    }
    assert_eq!(flips(Arm::PolarityFreeHead, &all[..4]), 0);
    // The linear probe changes no transferred weight, only its head.
    assert_eq!(flips(Arm::LinearProbe, &all[..4]), 0);
    assert!(flips(Arm::LinearProbe, &all[4..]) > 0);
    assert!(flips(Arm::FineTuning, &all) > 0 && flips(Arm::FluidRand, &all) > 0);

    // Each source: the template holds exactly the signs of its saved weights (head excluded),
    // and the weights are those of the epoch of least held-out loss.
    for direction in ["fm0-4_to_5-9", "fm5-9_to_0-4", "fm_to_mnist"] {
        for source in ["source-0", "source-1", "source-1-epoch"] {
            let src = out.join("source").join(direction).join(source);
            let template = PolarityTemplate::load(&src.join("polarity.ptpl")).unwrap();
            let (weights, meta, sha) = source_net::load(&src.join("weights.bin")).unwrap();
            let names: Vec<&str> = template.tensors.iter().map(|t| t.name()).collect();
            assert_eq!(
                names,
                ["conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight"]
            );
            for t in &template.tensors {
                let (_, w) = weights.get(t.name()).unwrap();
                let expected: Vec<i8> = w
                    .iter()
                    .map(|&x| (x > 0.0) as i8 - (x < 0.0) as i8)
                    .collect();
                assert_eq!(t.signs(), expected.as_slice(), "{}", t.name());
            }
            assert!(template.provenance.source.contains(&sha));
            let history = meta["history"].as_array().unwrap();
            let losses: Vec<f64> = history
                .iter()
                .map(|e| e["val_loss"].as_f64().unwrap())
                .collect();
            let kept = meta["kept_epoch"].as_u64().unwrap() as usize;
            let best = (0..losses.len())
                .min_by(|&a, &b| losses[a].total_cmp(&losses[b]))
                .unwrap();
            if source == "source-1-epoch" {
                assert_eq!((losses.len(), kept), (1, 0));
            } else {
                assert_eq!((losses.len(), kept), (2, best));
            }
        }
        // Two sources of a direction differ.
        let a = std::fs::read(
            out.join("source")
                .join(direction)
                .join("source-0/weights.bin"),
        )
        .unwrap();
        let b = std::fs::read(
            out.join("source")
                .join(direction)
                .join("source-1/weights.bin"),
        )
        .unwrap();
        assert_ne!(a, b);
    }

    // Resume: nothing reruns, the same table and source weights come back.
    let before = std::fs::read(out.join("source/fm0-4_to_5-9/source-0/weights.bin")).unwrap();
    study(out, true)
        .run::<B>(
            &data,
            Some(&mnist()),
            &Default::default(),
            &polarity_reproduce::Silent,
        )
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("runs/results.csv")).unwrap(),
        csv
    );
    assert_eq!(
        std::fs::read(out.join("source/fm0-4_to_5-9/source-0/weights.bin")).unwrap(),
        before
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("resumed (no new work)") && md.contains("reused (resume)"));

    // A fresh run into a used directory is refused rather than mixed.
    let e = study(out, false)
        .run::<B>(
            &data,
            Some(&mnist()),
            &Default::default(),
            &polarity_reproduce::Silent,
        )
        .unwrap_err();
    assert!(format!("{e:#}").contains("already holds a sweep"), "{e:#}");
}
