//! The Caffe-format `.npy` fixtures (written by numpy in both pickle protocols, see
//! scripts/make_fixtures.py) read without any framework, against the script's JSON dump.

use polarity_weights::caffe::{read_layer_dict, to_paper_alexnet};
use polarity_weights::{load_caffe_alexnet, CaffeAlexNet, GroupedLayers, CAFFE_GROUPS};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

fn numbers<T>(v: &serde_json::Value, f: impl Fn(&serde_json::Value) -> T) -> Vec<T> {
    v.as_array().unwrap().iter().map(f).collect()
}

/// The fixtures' network: channels 4-8-8-8-4, fc 16-16-6, input 67 (pool5 is 1x1).
fn tiny(groups: [usize; 5]) -> CaffeAlexNet {
    CaffeAlexNet {
        in_channels: 3,
        conv_channels: [4, 8, 8, 8, 4],
        fc_units: [16, 16, 6],
        fc6_inputs: 4,
        groups,
    }
}

#[test]
fn both_pickle_protocols_read_the_arrays_as_written() {
    let exp = expected();
    for file in ["caffe_alexnet_tiny.npy", "caffe_alexnet_tiny_p2.npy"] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let layers = read_layer_dict(&bytes, file).unwrap();
        assert_eq!(layers.len(), 8, "{file}");
        for (name, w, b) in &layers {
            let e = &exp["caffe"][name.as_str()];
            let shape = numbers(&e["shape"][0], |x| x.as_u64().unwrap() as usize);
            assert_eq!(w.shape, shape, "{file} {name}");
            let weights = numbers(&e["weights"], |x| x.as_f64().unwrap() as f32);
            assert_eq!(w.values, weights, "{file} {name}");
            let biases = numbers(&e["biases"], |x| x.as_f64().unwrap() as f32);
            assert_eq!(b.values, biases, "{file} {name}");
        }
    }
}

#[test]
fn conversion_checks_the_network_and_records_the_hash() {
    let w = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny.npy"),
        &tiny([1; 5]),
        GroupedLayers::ExpandFree,
    )
    .unwrap();
    assert_eq!(w.format, "caffe-npy");
    assert_eq!(w.sha256.len(), 64);
    assert_eq!(w.tensors.get("conv2.weight").unwrap().0, &[8, 4, 5, 5]);
    assert_eq!(w.tensors.get("fc6.weight").unwrap().0, &[4, 16]);
    let grouped = load_caffe_alexnet(
        &fixture("caffe_alexnet_tiny.npy"),
        &tiny(CAFFE_GROUPS),
        GroupedLayers::Grouped,
    )
    .unwrap();
    assert_eq!(
        grouped.tensors.get("conv2.weight").unwrap().0,
        &[8, 2, 5, 5]
    );

    let bytes = std::fs::read(fixture("caffe_alexnet_tiny.npy")).unwrap();
    let layers = read_layer_dict(&bytes, "tiny").unwrap();
    let e = to_paper_alexnet(
        &layers,
        &tiny(CAFFE_GROUPS),
        GroupedLayers::ExpandFree,
        "tiny",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("groups") && e.contains("'tiny'"), "{e}");
    let e = load_caffe_alexnet(
        Path::new("missing.npy"),
        &tiny([1; 5]),
        GroupedLayers::ExpandFree,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("missing.npy"), "{e}");
}
