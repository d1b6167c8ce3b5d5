//! XOR records are written as their `Display` text, so a finished Parquet grid can drop its
//! journal: the table gives every string back (docs/decisions.md D-SWEEP-10). A resume of the
//! compacted directory hands the analysis exactly the rows the original run handed it.

use polarity_sweep::{RunOptions, TableFormat};
use polarity_xor::{Condition, XorConfig};

type Handed = Vec<(String, Vec<Vec<String>>)>;

fn small() -> XorConfig {
    XorConfig {
        trials: 2,
        train_sizes: vec![8, 40],
        hidden: vec![3],
        epochs: 5,
        val_size: 100,
        conditions: vec![Condition::FrozenSufficient, Condition::Fluid],
        ..XorConfig::default()
    }
}

fn streamed(cfg: &XorConfig, options: &RunOptions) -> Handed {
    let mut handed = Vec::new();
    cfg.run_sweep_streaming(options, TableFormat::Parquet, |unit, rows| {
        handed.push((unit.to_string(), rows));
        Ok(())
    })
    .unwrap();
    handed
}

#[test]
fn a_finished_parquet_grid_resumes_from_its_table_with_the_same_strings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let options = RunOptions {
        out: out.clone(),
        threads: Some(2),
        ..RunOptions::default()
    };
    let original = streamed(&small(), &options);
    assert_eq!(
        original.iter().map(|(_, rows)| rows.len()).sum::<usize>(),
        2 * 2 * 2 * 5,
        "sizes x conditions x trials x epochs"
    );
    assert!(
        out.join("complete.json").exists(),
        "the table stands in for the journal"
    );
    assert!(!out.join("journal").exists());
    let resumed = streamed(
        &small(),
        &RunOptions {
            resume: true,
            ..options
        },
    );
    assert_eq!(resumed, original);
}
