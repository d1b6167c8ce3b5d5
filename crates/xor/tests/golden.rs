//! Golden result tables: two small XOR grids run through the library, their `results.csv`
//! bytes pinned by SHA-256.
//!
//! The grids cover every condition (frozen-sufficient, frozen-rand, fluid, fluid-sufficient),
//! posRand and zero resets, both pairings and both initial alignments, with the paper's
//! training defaults (Keras Adam lr 0.03, batch 32, TruncatedNormal(0, 0.25) kernels, posRand
//! eps 0.001). The digest covers data generation, seed derivation, initialisation, training,
//! Freeze-SGD, the per-epoch records and the CSV rendering.
//!
//! **If this test fails, every past XOR result changes with it** (same seed no longer gives
//! the same table). Either the change was not meant to alter results (find and fix it), or it
//! was: then re-pin deliberately with
//! `POLARITY_REPIN_GOLDEN=1 cargo test -p polarity-xor --test golden`, which rewrites the
//! expected tables under `tests/golden/` and prints the new digests to paste below, and add a
//! dated note to `docs/decisions.md` (D-SEED-4) saying what changed and why.

use polarity_core::{InitAlignment, ResetMethod};
use polarity_sweep::RunOptions;
use polarity_xor::{Condition, Pairing, XorConfig};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Polarity's own design: identical pairing, flip alignment; all four conditions, posRand
/// and zero resets.
fn clean_grid() -> XorConfig {
    XorConfig {
        seed: 20230509,
        hidden: vec![3, 16],
        train_sizes: vec![8, 60],
        val_size: 200,
        trials: 3,
        conditions: vec![
            Condition::FrozenSufficient,
            Condition::FrozenRand,
            Condition::Fluid,
            Condition::FluidSufficient,
        ],
        reset_methods: vec![ResetMethod::PosRand, ResetMethod::Zero],
        pairing: Pairing::Identical,
        alignment: InitAlignment::Flip,
        epochs: 4,
        ..XorConfig::default()
    }
}

/// The official XOR code's semantics: independent draws, posRand alignment at init.
fn official_grid() -> XorConfig {
    XorConfig {
        seed: 7,
        hidden: vec![16],
        train_sizes: vec![20, 40],
        val_size: 200,
        trials: 3,
        conditions: vec![
            Condition::FrozenSufficient,
            Condition::FrozenRand,
            Condition::Fluid,
        ],
        reset_methods: vec![ResetMethod::PosRand],
        pairing: Pairing::Independent,
        alignment: InitAlignment::ResetMethod,
        epochs: 4,
        ..XorConfig::default()
    }
}

/// Pinned SHA-256 of each grid's `results.csv`.
const CLEAN_SHA256: &str = "902c822fcfe9860a81121064729f6a40f332b697cc985b5b2adda05f50f686a8";
const OFFICIAL_SHA256: &str = "c7bcf03a482ad8de03fdc1bd86edc174a75a8ea0c706c7816a7fd92f3a5f4009";

fn results_csv(cfg: &XorConfig) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = cfg
        .run_sweep(&RunOptions {
            out: dir.path().join("run"),
            threads: Some(2),
            ..RunOptions::default()
        })
        .expect("the golden grid runs");
    std::fs::read(out.results_csv).expect("results.csv is readable")
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn expected_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.csv"))
}

/// The first lines where `got` differs from the stored expected table, for the failure message.
fn first_differences(expected: &str, got: &str, max: usize) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut out = Vec::new();
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i).copied(), g.get(i).copied());
        if a != b {
            out.push(format!(
                "line {}:\n  expected: {}\n  got:      {}",
                i + 1,
                a.unwrap_or("<end of table>"),
                b.unwrap_or("<end of table>")
            ));
            if out.len() == max {
                break;
            }
        }
    }
    if e.len() != g.len() {
        out.push(format!("({} expected lines, {} got)", e.len(), g.len()));
    }
    out.join("\n")
}

fn check(name: &str, cfg: &XorConfig, pinned: &str) {
    let got = results_csv(cfg);
    let digest = hex_sha256(&got);
    let path = expected_path(name);
    if std::env::var_os("POLARITY_REPIN_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
        println!(
            "{name}: sha256 {digest} ({} bytes) written to {}",
            got.len(),
            path.display()
        );
        return;
    }
    if digest == pinned {
        return;
    }
    let got_text = String::from_utf8_lossy(&got);
    let detail = match std::fs::read(&path) {
        Ok(expected) if hex_sha256(&expected) == pinned => {
            first_differences(&String::from_utf8_lossy(&expected), &got_text, 5)
        }
        Ok(_) => format!("{} does not match the pinned digest either", path.display()),
        Err(e) => format!("cannot read {}: {e}", path.display()),
    };
    panic!(
        "golden XOR table '{name}' changed: sha256 {digest}, pinned {pinned}.\n\
         Every past XOR result changes with it. Fix the change, or re-pin deliberately \
         (POLARITY_REPIN_GOLDEN=1, then note it in docs/decisions.md D-SEED-4).\n\
         First differences:\n{detail}"
    );
}

#[test]
fn clean_grid_table_is_pinned() {
    check("clean", &clean_grid(), CLEAN_SHA256);
}

#[test]
fn official_grid_table_is_pinned() {
    check("official", &official_grid(), OFFICIAL_SHA256);
}

#[test]
fn stored_tables_match_the_pinned_digests() {
    if std::env::var_os("POLARITY_REPIN_GOLDEN").is_some() {
        return;
    }
    for (name, pinned) in [("clean", CLEAN_SHA256), ("official", OFFICIAL_SHA256)] {
        let bytes = std::fs::read(expected_path(name)).expect("stored golden table");
        assert_eq!(hex_sha256(&bytes), pinned, "tests/golden/{name}.csv");
    }
}
