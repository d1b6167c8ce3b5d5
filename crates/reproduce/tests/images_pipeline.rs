//! `reproduce images` end to end on synthetic data with a tiny scaled AlexNet: without weights
//! the IN conditions are skipped and the report says why; the notebook comparison covers the
//! sizes it shares with the run.

mod common;

type B = burn::backend::Autodiff<burn::backend::Flex>;

use polarity_images::DatasetKind;
use polarity_reproduce::images::{ImagesStudy, Preset, Scale};

/// burn-flex's random generator is one per process and the tests of a file run on parallel
/// threads: every test here takes this lock so no other test's draws interleave with its own.
static BACKEND_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner())
}

/// A Fashion-MNIST study without weights at `scale`, writing to `out`.
fn smoke_study(out: &std::path::Path, scale: Scale, seed: u64) -> ImagesStudy {
    ImagesStudy {
        out: out.to_path_buf(),
        dataset: DatasetKind::FashionMnist,
        preset: Preset::Smoke,
        scale,
        weights: None,
        in_weight_input: Default::default(),
        margins: Default::default(),
        seed,
        resume: false,
        shard: None,
        command: "test".into(),
    }
}

#[test]
fn images_study_without_weights_runs_rand_conditions_and_says_why() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let study = smoke_study(
        dir.path(),
        Scale {
            width_divisor: 32,
            input_size: 67,
            sizes: vec![100, 120],
            trials: 2,
            epochs: 2,
            batch_size: 50,
            val_size: Some(60),
        },
        3,
    );
    let report = study
        .run::<B>(
            &common::dataset(),
            &Default::default(),
            &polarity_reproduce::Silent,
        )
        .unwrap();
    let md = std::fs::read_to_string(report).unwrap();
    assert!(
        md.contains("IN-Polarity and IN-Weight conditions were skipped"),
        "{md}"
    );
    // n = 100 is a notebook size: both RAND conditions are compared with its medians.
    assert!(
        md.contains("| Frozen RAND-Polarity | 100 | 43.51 |"),
        "{md}"
    );
    assert!(md.contains("| Fluid RAND-Polarity | 100 | 43.45 |"), "{md}");
    // The transferred-polarity claims are not measured without weights.
    assert!(md.contains("not measured: a condition is not in this run"));
    // P7 (Frozen vs Fluid RAND, "never worse") is judged against the declared margin: with 2
    // trials, below the declared minimum of 10, it is underpowered, never "holds"
    // (docs/decisions.md D-CLAIM-11); P1s needs the IN conditions.
    let claims = std::fs::read_to_string(dir.path().join("claims.csv")).unwrap();
    let p7 = claims.lines().find(|l| l.contains("\"P7\"")).unwrap();
    assert!(
        p7.contains("\"underpowered") && p7.contains("declared before the run"),
        "{p7}"
    );
    let p1s = claims.lines().find(|l| l.contains("\"P1s\"")).unwrap();
    assert!(p1s.contains("\"not measured\""), "{p1s}");
    // The margins are saved with the runs, and the report names the IN-Weight handicap.
    let config = std::fs::read_to_string(dir.path().join("runs/config.json"))
        .or_else(|_| std::fs::read_to_string(dir.path().join("runs/config")))
        .unwrap_or_default();
    assert!(
        config.contains("\"error_points\": 1.0") && config.contains("\"min_trials\": 10"),
        "{config}"
    );
    assert!(md.contains("the default handicaps weight transfer"), "{md}");
    let csv = std::fs::read_to_string(dir.path().join("runs/results.csv")).unwrap();
    // 2 sizes x 2 trials x 2 conditions x 2 epochs, and no IN condition.
    assert_eq!(csv.lines().count() - 1, 16);
    assert!(!csv.contains("in-polarity") && !csv.contains("in-weight"));

    // Weights on a scaled network are refused with a clear error before any training.
    let e = ImagesStudy {
        weights: Some("bvlc_alexnet.npy".into()),
        ..study.clone()
    }
    .run::<B>(
        &common::dataset(),
        &Default::default(),
        &polarity_reproduce::Silent,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--weights needs the full AlexNet"), "{e}");

    // Caffe's input for IN-Weight without weights, or a margin that is not positive: refused.
    let e = ImagesStudy {
        in_weight_input: polarity_images::InWeightInput::CaffeBgr,
        ..study.clone()
    }
    .run::<B>(
        &common::dataset(),
        &Default::default(),
        &polarity_reproduce::Silent,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("--in-weight-input caffe-bgr") && e.contains("--weights"),
        "{e}"
    );
    let mut margins = study.margins;
    margins.error_points = -1.0;
    let e = ImagesStudy { margins, ..study }
        .run::<B>(
            &common::dataset(),
            &Default::default(),
            &polarity_reproduce::Silent,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("--margin-error -1"), "{e}");
}

/// Units run one at a time, each with every thread of the pool it is called from for its own
/// kernels (D-STACK-12): the results table is the same bytes with one thread and with three.
#[test]
fn images_study_gives_the_same_table_at_any_thread_count() {
    let _serial = serial();
    let table = |threads: usize| {
        let dir = tempfile::tempdir().unwrap();
        let study = smoke_study(
            dir.path(),
            Scale {
                width_divisor: 16,
                input_size: 67,
                sizes: vec![100],
                trials: 1,
                epochs: 2,
                batch_size: 50,
                val_size: Some(60),
            },
            5,
        );
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                study.run::<B>(
                    &common::dataset(),
                    &Default::default(),
                    &polarity_reproduce::Silent,
                )
            })
            .unwrap();
        std::fs::read(dir.path().join("runs/results.csv")).unwrap()
    };
    let one = table(1);
    assert!(one.len() > 100, "a table with rows");
    assert_eq!(one, table(3), "results differ between 1 and 3 threads");
}
