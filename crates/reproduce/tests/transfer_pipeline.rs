//! The transfer study end to end on a tiny synthetic 10-class dataset: source training, the
//! template artifact, the sweep, the report, and resume.

use polarity_core::PolarityTemplate;
mod common;

type B = burn::backend::Autodiff<burn::backend::Flex>;

use common::dataset;
use polarity_reproduce::images::source_net;
use polarity_reproduce::transfer::{Arch, Directions, Preset, Scale, TransferStudy};
use std::path::Path;

fn study(out: &Path, resume: bool) -> TransferStudy {
    TransferStudy {
        out: out.to_path_buf(),
        preset: Preset::Smoke,
        scale: Scale {
            source_images: 200,
            source_epochs: 2,
            source_batch: 25,
            sizes: vec![20, 40],
            trials: 2,
            epochs: 3,
            batch_size: 20,
            val_size: 100,
            threshold: 0.5,
        },
        arch: Arch::SmallCnn,
        directions: Directions::Both,
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
        .run::<B>(&data, &Default::default(), &polarity_reproduce::Silent)
        .unwrap();
    let md = std::fs::read_to_string(&report).unwrap();
    for needle in [
        "Claims",
        "Frozen transferred polarity",
        "Weight transfer (fine-tuning)",
        "fm0-4_to_5-9",
        "fm5-9_to_0-4",
        "Supp B.6",
        "polarity.ptpl",
    ] {
        assert!(md.contains(needle), "report lacks {needle:?}");
    }
    assert!(out.join("report.html").exists() && out.join("claims.csv").exists());
    assert!(out.join("figures/fig2-fm0-4_to_5-9.png").exists());

    // Rows: 2 directions x 2 sizes x 2 trials x 5 conditions x 3 epochs.
    let csv = std::fs::read_to_string(out.join("runs/results.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2 * 2 * 2 * 5 * 3);
    // Frozen networks keep their polarity: no kernel sign changes between epochs; fluid ones do
    // change some signs.
    let cond = header.iter().position(|h| *h == "condition").unwrap();
    let flip_cols: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].starts_with("flips_"))
        .collect();
    let flips = |prefix: &str| -> u64 {
        rows.iter()
            .filter(|r| r[cond].starts_with(prefix))
            .flat_map(|r| flip_cols.iter().map(move |&i| r[i].parse::<u64>().unwrap()))
            .sum()
    };
    assert_eq!(flips("frozen-"), 0);
    assert!(flips("fluid-") > 0);

    // The template artifact holds exactly the signs of the saved source weights, head excluded.
    for direction in ["fm0-4_to_5-9", "fm5-9_to_0-4"] {
        let src = out.join("source").join(direction);
        let template = PolarityTemplate::load(&src.join("polarity.ptpl")).unwrap();
        let (weights, _, sha) = source_net::load(&src.join("weights.bin")).unwrap();
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
        assert!(
            template.provenance.source.contains("weights.bin")
                && template.provenance.source.contains(&sha)
        );
    }

    // Resume: nothing reruns, the same table and source weights come back.
    let before = std::fs::read(out.join("source/fm0-4_to_5-9/weights.bin")).unwrap();
    study(out, true)
        .run::<B>(&data, &Default::default(), &polarity_reproduce::Silent)
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("runs/results.csv")).unwrap(),
        csv
    );
    assert_eq!(
        std::fs::read(out.join("source/fm0-4_to_5-9/weights.bin")).unwrap(),
        before
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("resumed (no new work)") && md.contains("reused (resume)"));

    // A fresh run into a used directory is refused rather than mixed.
    let e = study(out, false)
        .run::<B>(&data, &Default::default(), &polarity_reproduce::Silent)
        .unwrap_err();
    assert!(format!("{e:#}").contains("already holds a sweep"), "{e:#}");
}
