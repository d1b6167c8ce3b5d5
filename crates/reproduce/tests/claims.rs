//! The claims logic on hand-made curves, the row parser, and the quick reproduction end to end.

use polarity_reproduce::xor::claims::{wilson, xor_claims, TheoryPoints, Verdict};
use polarity_reproduce::xor::table::Runs;

/// Rows of a synthetic sweep: per condition, val_acc rises to 1 and crosses 0.9 at `cross[cond]`.
fn rows(
    sizes: &[usize],
    hidden: usize,
    trials: usize,
    cross: &[(&str, usize)],
) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for &n in sizes {
        for &(cond, at) in cross {
            for trial in 0..trials {
                for epoch in 0..20usize {
                    let at = at + trial % 3; // some spread across trials
                    let acc = if epoch >= at {
                        0.97
                    } else {
                        0.5 + 0.3 * epoch as f64 / at as f64
                    };
                    let loss = 1.0 - acc;
                    out.push(
                        [
                            n.to_string(),
                            hidden.to_string(),
                            "posRand".into(),
                            cond.to_string(),
                            trial.to_string(),
                            epoch.to_string(),
                            "0.5".into(),
                            "0.5".into(),
                            loss.to_string(),
                            acc.to_string(),
                            "0".into(),
                            "0".into(),
                            "1".into(),
                            "0".into(),
                        ]
                        .to_vec(),
                    );
                }
            }
        }
    }
    out
}

fn theory() -> TheoryPoints {
    TheoryPoints {
        units: vec![15],
        theorem_d1: vec![0.9947],
        truth: vec![0.9998],
        sufficient: vec![1.0],
        fluid_min_units: Some(3),
    }
}

#[test]
fn time_claims_follow_the_data() {
    let sizes = [40, 60, 72, 80, 92];
    let fast = Runs::from_rows(
        &rows(
            &sizes,
            64,
            12,
            &[("frozen-sufficient", 4), ("frozen-rand", 7), ("fluid", 8)],
        ),
        5,
    )
    .unwrap();
    let empty = Runs::default();
    let claims = xor_claims(&fast, &empty, &theory());
    let get = |id: &str| claims.iter().find(|c| c.id == id).unwrap();
    assert_eq!(get("1B-a").verdict, Verdict::Holds, "{:?}", get("1B-a"));
    // Medians: sufficient 5 (4 + {0,1,2}), Fluid 9 -> 56 %.
    assert!(
        get("1B-b").measured.starts_with("56 %"),
        "{}",
        get("1B-b").measured
    );
    assert_eq!(get("1B-b").verdict, Verdict::Holds);
    assert_eq!(
        get("1B-e").verdict,
        Verdict::Holds,
        "RAND (8) faster than Fluid (9) at 80 and 92"
    );
    assert_eq!(get("4A-a").verdict, Verdict::Holds);
    assert_eq!(get("4A-b").verdict, Verdict::NotMeasured, "no Fig-4 runs");
    // 5/9 = 56 %: the paper's 58 % lies inside the bootstrap interval, which is below 100 %.
    assert!(
        get("1B-b").measured.contains("paper's 58 % lies inside"),
        "{}",
        get("1B-b").measured
    );

    let slow = Runs::from_rows(
        &rows(
            &sizes,
            64,
            12,
            &[("frozen-sufficient", 12), ("frozen-rand", 8), ("fluid", 8)],
        ),
        5,
    )
    .unwrap();
    let claims = xor_claims(&slow, &empty, &theory());
    let get = |id: &str| claims.iter().find(|c| c.id == id).unwrap().verdict;
    assert_eq!(get("1B-a"), Verdict::DoesNotHold);
    assert_eq!(get("1B-b"), Verdict::DoesNotHold, "13/9: 58 % lies below");
    assert_eq!(
        get("1B-d"),
        Verdict::Consistent,
        "identical RAND and Fluid curves never differ, which shows no similarity without a margin"
    );
}

#[test]
fn wilson_interval_matches_reference_values() {
    // Reference: statsmodels proportion_confint(k, n, method="wilson").
    let (lo, hi) = wilson(5, 10);
    assert!(
        (lo - 0.236_593).abs() < 1e-5 && (hi - 0.763_407).abs() < 1e-5,
        "{lo} {hi}"
    );
    let (lo, hi) = wilson(10, 10);
    assert!(
        (lo - 0.722_467).abs() < 1e-5 && (hi - 1.0).abs() < 1e-12,
        "{lo} {hi}"
    );
}

#[test]
fn parser_rejects_out_of_order_rows() {
    let mut r = rows(&[40], 4, 1, &[("fluid", 3)]);
    r.swap(1, 2);
    let e = Runs::from_rows(&r, 5).unwrap_err().to_string();
    assert!(e.contains("does not follow"), "{e}");
}

#[test]
fn quick_reproduction_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("xor");
    let report = polarity_reproduce::xor::XorReproduction {
        out: out.clone(),
        quick: true,
        resume: false,
        threads: Some(2),
        seed: 1,
        data: polarity_xor::DataSource::default(),
        data_draws: 3,
        full_draws: false,
        format: polarity_sweep::TableFormat::Parquet,
    }
    .run(&polarity_reproduce::Silent)
    .unwrap();
    let md = std::fs::read_to_string(&report).unwrap();
    for id in [
        "1B-a",
        "1B-b",
        "1B-c",
        "1B-d",
        "1B-e",
        "1C-a",
        "1C-b",
        "4A-a",
        "4A-b",
        "4A-b-plotted",
        "4A-c",
        "4A-c-plotted",
        "4A-d",
        "4B",
        "4D",
    ] {
        assert!(
            md.contains(&format!("| {id} |")),
            "claim {id} missing from the report"
        );
    }
    for fig in [
        "fig1-official",
        "fig1-clean",
        "fig4a-official",
        "fig4d-clean",
        "suppB1",
        "flips",
    ] {
        assert!(
            out.join("figures").join(format!("{fig}.png")).exists(),
            "{fig}"
        );
        assert!(md.contains(&format!("figures/{fig}.png")));
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("data:image/png;base64,"),
        "images embedded in the HTML"
    );
    let claims = std::fs::read_to_string(out.join("claims.csv")).unwrap();
    assert_eq!(claims.lines().count(), 16);
    // Three data draws: draws 1 and 2 ran as grids of their own; the Fig-1 claims per draw.
    for k in [1, 2] {
        assert!(out
            .join(format!("runs/draw-{k}/fig1-official/results.parquet"))
            .exists());
    }
    let per_draw = std::fs::read_to_string(out.join("claims-draws.csv")).unwrap();
    assert_eq!(per_draw.lines().next(), Some("id,draw,verdict,effect"));
    // 7 Fig-1 claims (1B-a..1B-e, 1C-a, 1C-b) x 3 draws.
    assert_eq!(per_draw.lines().count(), 1 + 7 * 3, "{per_draw}");
    assert!(md.contains("Claims over 3 data draws"));
    assert!(out.join("figures/ratio-draws.png").exists());
    // Resuming a finished reproduction recomputes nothing and gives the same claims.
    polarity_reproduce::xor::XorReproduction {
        out: out.clone(),
        quick: true,
        resume: true,
        threads: Some(1),
        seed: 1,
        data: polarity_xor::DataSource::default(),
        data_draws: 3,
        full_draws: false,
        format: polarity_sweep::TableFormat::Parquet,
    }
    .run(&polarity_reproduce::Silent)
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("claims.csv")).unwrap(),
        claims
    );
    assert!(md.contains("Data: drawn by polarity's generator"), "{md}");

    // The same numbers given as a CSV file: the report says so and names the digest, and the
    // claims are those of the drawn data (training sets are prefixes of the 500-sample set).
    let drawn = polarity_xor::XorData::new(1, 5, 1000).unwrap();
    let csv = dir.path().join("drawn.csv");
    write_csv(&csv, &drawn.train(500).unwrap(), &drawn.val);
    let given_out = dir.path().join("given");
    let report = polarity_reproduce::xor::XorReproduction {
        out: given_out.clone(),
        quick: true,
        resume: false,
        threads: Some(2),
        seed: 1,
        data: polarity_xor::DataSource::files(&csv),
        data_draws: 1,
        full_draws: false,
        format: polarity_sweep::TableFormat::Csv,
    }
    .run(&polarity_reproduce::Silent)
    .unwrap();
    let md = std::fs::read_to_string(&report).unwrap();
    let sha = polarity_weights::file_sha256(&std::fs::read(&csv).unwrap());
    assert!(
        md.contains("Data: **given**, CSV file") && md.contains(&sha),
        "{md}"
    );
    assert_eq!(
        std::fs::read_to_string(given_out.join("claims.csv")).unwrap(),
        claims
    );
    // --format csv: the same claims from text tables.
    assert!(given_out.join("runs/fig1-official/results.csv").exists());
    let config = std::fs::read_to_string(given_out.join("runs/fig1-official/config.toml")).unwrap();
    assert!(config.contains(&format!("sha256 = \"{sha}\"")), "{config}");
}

/// `set,x1..xD,label`, each f32 written as the f64 it converts to (read back exactly).
fn write_csv(path: &std::path::Path, train: &polarity_xor::Dataset, val: &polarity_xor::Dataset) {
    let dims = train.inputs;
    let mut text = String::from("set");
    for d in 1..=dims {
        text.push_str(&format!(",x{d}"));
    }
    text.push_str(",label\n");
    for (set, data) in [("train", train), ("val", val)] {
        for i in 0..data.len() {
            text.push_str(set);
            for &v in data.row(i) {
                text.push_str(&format!(",{}", f64::from(v)));
            }
            text.push_str(&format!(",{}\n", data.y[i]));
        }
    }
    std::fs::write(path, text).unwrap();
}
