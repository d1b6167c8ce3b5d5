//! The `[data]` table of the XOR config: defaults, TOML round trip, older configs without it,
//! and draws: draw 0 is the data polarity has always drawn, draw k depends on (seed, k) only.

use polarity_xor::data::XorData;
use polarity_xor::{DataOrigin, DataSource, XorConfig};
use std::path::PathBuf;

#[test]
fn default_is_draw_zero_and_round_trips() {
    let cfg = XorConfig::default();
    assert_eq!(cfg.data, DataSource::Drawn { draw: 0 });
    let text = cfg.to_toml();
    assert!(
        text.contains("[data]\nkind = \"drawn\"\ndraw = 0"),
        "{text}"
    );
    let back: XorConfig = toml::from_str(&text).unwrap();
    assert_eq!(back, cfg);
}

#[test]
fn files_source_round_trips_with_and_without_digest() {
    for sha256 in [None, Some("ab".repeat(32))] {
        let cfg = XorConfig {
            data: DataSource::Files {
                path: PathBuf::from("data/xor"),
                sha256: sha256.clone(),
            },
            ..XorConfig::quick()
        };
        let text = cfg.to_toml();
        assert_eq!(text.contains("sha256"), sha256.is_some(), "{text}");
        let back: XorConfig = toml::from_str(&text).unwrap();
        assert_eq!(back, cfg);
    }
}

#[test]
fn older_config_without_data_loads_as_draw_zero() {
    // A config.toml as written before the [data] table existed: every other field present.
    let mut text = XorConfig::quick().to_toml();
    let at = text.find("[data]").expect("the data table is written");
    text.truncate(at);
    assert!(!text.contains("data"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &text).unwrap();
    let cfg = XorConfig::from_toml_file(&path).unwrap();
    assert_eq!(cfg, XorConfig::quick());
    // A table without `draw` is draw 0 as well.
    let cfg: XorConfig = toml::from_str("[data]\nkind = \"drawn\"\n").unwrap();
    assert_eq!(cfg.data, DataSource::Drawn { draw: 0 });
}

#[test]
fn unknown_data_fields_and_kinds_are_errors() {
    for text in [
        "[data]\nkind = \"drawn\"\ndraws = 3\n",
        "[data]\nkind = \"pickles\"\npath = \"x\"\n",
        "[data]\nkind = \"files\"\n",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.toml");
        std::fs::write(&path, text).unwrap();
        let e = XorConfig::from_toml_file(&path).unwrap_err();
        let chain = format!("{e}: {:?}", std::error::Error::source(&e));
        assert!(chain.contains("grid.toml"), "{chain}");
    }
}

#[test]
fn draw_zero_is_todays_data_and_draws_differ() {
    let today = XorData::new(9, 5, 40).unwrap();
    let zero = XorConfig {
        seed: 9,
        val_size: 40,
        ..XorConfig::default()
    }
    .data()
    .unwrap();
    assert_eq!(zero.val, today.val);
    assert_eq!(zero.train(60).unwrap(), today.train(60).unwrap());
    assert_eq!(zero.origin, DataOrigin::Drawn { draw: 0 });

    let one = XorData::drawn(9, 1, 5, 40).unwrap();
    let two = XorData::drawn(9, 2, 5, 40).unwrap();
    assert_eq!(one.origin, DataOrigin::Drawn { draw: 1 });
    assert_ne!(one.val, today.val);
    assert_ne!(one.val, two.val);
    assert_ne!(one.train(8).unwrap(), two.train(8).unwrap());
    // Same (seed, draw), same data; another seed, other data.
    assert_eq!(
        one.train(20).unwrap(),
        XorData::drawn(9, 1, 5, 40).unwrap().train(20).unwrap()
    );
    assert_ne!(one.val, XorData::drawn(10, 1, 5, 40).unwrap().val);
}
