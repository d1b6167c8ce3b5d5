//! `polarity template from-weights|diff|random|show` end to end, on the weight fixtures of
//! polarity-weights (written by its scripts/make_fixtures.py; the legacy .pth by PyTorch itself),
//! checked against the values the script dumped to expected.json.

use polarity_core::{LinearLayout, PolarityTemplate};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn polarity(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polarity"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = polarity(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The error text of a command that must fail.
fn fails(args: &[&str]) -> String {
    let o = polarity(args);
    assert!(!o.status.success(), "{args:?} should fail");
    assert_eq!(o.status.code(), Some(1), "{args:?}");
    String::from_utf8(o.stderr).unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../weights/tests/fixtures")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

fn np_sign(v: &Value) -> Vec<i8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let x = x.as_f64().unwrap();
            (x > 0.0) as i8 - (x < 0.0) as i8
        })
        .collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// `signs` of a row-major `rows x cols` matrix, transposed (by index arithmetic).
fn transposed(signs: &[i8], rows: usize, cols: usize) -> Vec<i8> {
    (0..rows * cols)
        .map(|k| signs[(k % rows) * cols + k / rows])
        .collect()
}

fn out(dir: &tempfile::TempDir, name: &str) -> (PathBuf, String) {
    let p = dir.path().join(name);
    let s = p.to_str().unwrap().to_string();
    (p, s)
}

#[test]
fn torchvision_files_give_the_signs_of_their_kernels_in_the_chosen_layout() {
    let exp = expected();
    let dir = tempfile::tempdir().unwrap();
    let mut templates = Vec::new();
    for file in [
        "tv_alexnet_zip.pth",
        "tv_alexnet_legacy.pth",
        "tv_alexnet.safetensors",
    ] {
        let (path, p) = out(&dir, &format!("{file}.ptpl"));
        let text = ok(&["template", "from-weights", &fixture(file), "--out", &p]);
        assert!(text.contains("layout      burn"), "{text}");
        let t = PolarityTemplate::load(&path).unwrap();
        // Kernels only (rank >= 2), biases free; names as in the file.
        let kernels: Vec<&String> = exp["torchvision"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.ends_with(".weight"))
            .collect();
        assert_eq!(t.tensors.len(), kernels.len(), "{file}");
        for name in kernels {
            let e = &exp["torchvision"][name.as_str()];
            let (s, signs) = (shape(&e["shape"]), np_sign(&e["values"]));
            let got = t.tensor(name).unwrap();
            if s.len() == 2 {
                // PyTorch [out, in] -> burn [in, out]
                assert_eq!(got.spec.shape, vec![s[1], s[0]], "{file} {name}");
                assert_eq!(got.signs(), transposed(&signs, s[0], s[1]), "{file} {name}");
            } else {
                assert_eq!(got.spec.shape, s, "{file} {name}");
                assert_eq!(got.signs(), signs, "{file} {name}");
            }
        }
        // Provenance: file name (no folder), the file's sha256, the tool, the layout.
        let bytes = std::fs::read(fixture(file)).unwrap();
        assert_eq!(
            t.provenance.source_sha256,
            polarity_weights::file_sha256(&bytes)
        );
        assert!(
            t.provenance
                .source
                .starts_with(&format!("weights:{file} (")),
            "{:?}",
            t.provenance
        );
        assert!(t.provenance.created_by.starts_with("polarity-core "));
        assert_eq!(t.provenance.layout, Some(LinearLayout::Burn));
        templates.push(t);
    }
    // The three containers hold the same tensors, so the same signs.
    assert_eq!(templates[0].tensors, templates[1].tensors);
    assert_eq!(templates[0].tensors, templates[2].tensors);
}

#[test]
fn pytorch_layout_keeps_square_layers_as_stored_and_layers_selects() {
    let exp = expected();
    let dir = tempfile::tempdir().unwrap();
    let (path, p) = out(&dir, "pt.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("tv_alexnet_zip.pth"),
        "--out",
        &p,
        "--layout",
        "pytorch",
        "--layers",
        "classifier.*.weight,features.?.bias",
    ]);
    let t = PolarityTemplate::load(&path).unwrap();
    let names: Vec<&str> = t.tensors.iter().map(|t| t.name()).collect();
    assert_eq!(
        names,
        [
            "classifier.1.weight",
            "classifier.4.weight",
            "classifier.6.weight",
            "features.0.bias",
            "features.3.bias",
            "features.6.bias",
            "features.8.bias"
        ]
    );
    // classifier.4 is square: only the recorded layout says which way round it is.
    let sq = &exp["torchvision"]["classifier.4.weight"];
    assert_eq!(
        t.tensor("classifier.4.weight").unwrap().signs(),
        np_sign(&sq["values"])
    );
    assert_eq!(t.provenance.layout, Some(LinearLayout::PyTorch));
    assert!(t.provenance.source.contains("layers=classifier.*.weight"));

    // A burn-layout template of the same layers cannot be diffed against it.
    let (_, q) = out(&dir, "burn.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("tv_alexnet_zip.pth"),
        "--out",
        &q,
        "--layers",
        "classifier.*.weight,features.?.bias",
    ]);
    let e = fails(&["template", "diff", &p, &q]);
    assert!(e.contains("Linear layouts differ"), "{e}");
    assert!(e.contains("'classifier.1.weight': shape [12, 6]"), "{e}");

    // Nothing selected: the error lists what the file holds; no output is written.
    let (none, n) = out(&dir, "none.ptpl");
    let e = fails(&[
        "template",
        "from-weights",
        &fixture("tv_alexnet_zip.pth"),
        "--out",
        &n,
        "--layers",
        "fc*",
    ]);
    assert!(e.contains("--layers 'fc*' selects no tensor"), "{e}");
    assert!(e.contains("features.0.weight [4, 3, 11, 11]"), "{e}");
    assert!(!none.exists());
}

#[test]
fn caffe_npy_gives_the_paper_alexnet_template() {
    let exp = expected();
    let dir = tempfile::tempdir().unwrap();
    let (path, p) = out(&dir, "caffe.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("caffe_alexnet_tiny.npy"),
        "--out",
        &p,
    ]);
    let t = PolarityTemplate::load(&path).unwrap();
    let names: Vec<&str> = t.tensors.iter().map(|t| t.name()).collect();
    assert_eq!(
        names,
        [
            "conv1.weight",
            "conv2.weight",
            "conv3.weight",
            "conv4.weight",
            "conv5.weight",
            "fc6.weight",
            "fc7.weight",
            "fc8.weight"
        ]
    );
    // fc7: TF (in, out) is burn's layout already.
    assert_eq!(
        t.tensor("fc7.weight").unwrap().signs(),
        np_sign(&exp["caffe"]["fc7"]["weights"])
    );
    // conv1: TF (h, w, in, out) -> [out, in, h, w].
    let tf = np_sign(&exp["caffe"]["conv1"]["weights"]);
    let conv1 = t.tensor("conv1.weight").unwrap();
    assert_eq!(conv1.spec.shape, vec![4, 3, 11, 11]);
    for (k, &s) in conv1.signs().iter().enumerate() {
        let (o, i, y, x) = (k / 363, (k / 121) % 3, (k / 11) % 11, k % 11);
        assert_eq!(s, tf[((y * 11 + x) * 3 + i) * 4 + o], "conv1 entry {k}");
    }
    // conv2 expanded block-diagonally: exactly half of it is free (plus the exact zero).
    let conv2 = t.tensor("conv2.weight").unwrap();
    assert_eq!(conv2.spec.shape, vec![8, 4, 5, 5]);
    let free = conv2.signs().iter().filter(|&&s| s == 0).count();
    let exact_zeros = exp["caffe"]["conv2"]["weights"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x.as_f64() == Some(0.0))
        .count();
    assert_eq!(free, 400 + exact_zeros);

    let (grouped, g) = out(&dir, "grouped.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("caffe_alexnet_tiny.npy"),
        "--out",
        &g,
        "--grouped",
        "grouped",
    ]);
    let conv2 = PolarityTemplate::load(&grouped).unwrap();
    let conv2 = conv2.tensor("conv2.weight").unwrap();
    assert_eq!(conv2.spec.shape, vec![8, 2, 5, 5]);
    assert_eq!(
        conv2.signs().iter().filter(|&&s| s == 0).count(),
        exact_zeros
    );
}

/// Counts by brute force from two template files: (flips, both constrained, agree) of `name`.
fn count(a: &PolarityTemplate, b: &PolarityTemplate, name: &str) -> (usize, usize, usize) {
    let (x, y) = (
        a.tensor(name).unwrap().signs(),
        b.tensor(name).unwrap().signs(),
    );
    let mut c = (0, 0, 0);
    for i in 0..x.len() {
        if x[i] != y[i] {
            c.0 += 1;
        }
        if x[i] != 0 && y[i] != 0 {
            c.1 += 1;
            if x[i] == y[i] {
                c.2 += 1;
            }
        }
    }
    c
}

#[test]
fn random_and_shuffled_controls_and_their_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (tp, t) = out(&dir, "t.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("caffe_alexnet_tiny.npy"),
        "--out",
        &t,
    ]);
    let template = PolarityTemplate::load(&tp).unwrap();
    let (rp, r) = out(&dir, "r.ptpl");
    let (r2p, r2) = out(&dir, "r2.ptpl");
    let (sp, s) = out(&dir, "s.ptpl");
    ok(&[
        "template", "random", "--like", &t, "--seed", "3", "--out", &r,
    ]);
    ok(&[
        "template", "random", "--like", &t, "--seed", "3", "--out", &r2,
    ]);
    ok(&[
        "template",
        "random",
        "--like",
        &t,
        "--seed",
        "3",
        "--shuffle",
        "--out",
        &s,
    ]);
    assert_eq!(std::fs::read(&rp).unwrap(), std::fs::read(&r2p).unwrap());
    let random = PolarityTemplate::load(&rp).unwrap();
    let shuffled = PolarityTemplate::load(&sp).unwrap();
    for ((orig, rand), shuf) in template
        .tensors
        .iter()
        .zip(&random.tensors)
        .zip(&shuffled.tensors)
    {
        assert_eq!(orig.spec, rand.spec);
        let counts = |s: &[i8]| [-1, 0, 1].map(|v| s.iter().filter(|&&x| x == v).count());
        assert_eq!(
            counts(orig.signs()),
            counts(shuf.signs()),
            "{}",
            orig.name()
        );
        for ((o, r), s) in orig.signs().iter().zip(rand.signs()).zip(shuf.signs()) {
            assert_eq!(
                (*o == 0, *o == 0),
                (*r == 0, *s == 0),
                "free entries stay free"
            );
        }
    }
    assert_eq!(random.provenance.layout, Some(LinearLayout::Burn));
    assert!(shuffled
        .provenance
        .source
        .starts_with("template-shuffle(seed=3) of [weights:caffe_alexnet_tiny.npy"));

    // diff prints, per tensor, the brute-force counts.
    let text = ok(&["template", "diff", &t, &s]);
    for tensor in &template.tensors {
        let (flips, both, agree) = count(&template, &shuffled, tensor.name());
        let row: Vec<&str> = text
            .lines()
            .find(|l| l.starts_with(&format!("{} ", tensor.name())))
            .unwrap()
            .split_whitespace()
            .collect();
        let n = tensor.signs().len();
        assert_eq!(
            row[2..5],
            [
                n.to_string(),
                flips.to_string(),
                format!("{:.6}", flips as f64 / n as f64)
            ]
        );
        assert_eq!(row[5..7], [both.to_string(), agree.to_string()]);
    }
    let same = ok(&["template", "diff", &t, &t]);
    let all: Vec<&str> = same.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(all[0], "all");
    assert_eq!(all[2..4], ["0", "0.000000"]);
    assert_eq!(all[6], "1.000000");

    // The control may not overwrite its own --like file.
    let e = fails(&[
        "template", "random", "--like", &t, "--seed", "1", "--out", &t,
    ]);
    assert!(e.contains("is the --like template itself"), "{e}");
}

#[test]
fn bad_files_are_clear_errors_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let zip = std::fs::read(fixture("tv_alexnet_zip.pth")).unwrap();
    let st = std::fs::read(fixture("tv_alexnet.safetensors")).unwrap();
    let npy = std::fs::read(fixture("caffe_alexnet_tiny.npy")).unwrap();
    let legacy = std::fs::read(fixture("tv_alexnet_legacy.pth")).unwrap();
    let cases = [
        // burn-store would read the missing storages as zeros: refused before it runs.
        (
            write("half_legacy.pth", &legacy[..legacy.len() / 2]),
            "truncated legacy torch.save file",
        ),
        (
            dir.path().join("missing.pth").to_str().unwrap().to_string(),
            "missing.pth",
        ),
        (
            write("half.pth", &zip[..zip.len() / 2]),
            "truncated torch.save zip file",
        ),
        (write("half.safetensors", &st[..st.len() / 2]), "truncated"),
        (write("half.npy", &npy[..npy.len() / 2]), "half.npy"),
        (
            write("notes.pth", b"just some text, not weights"),
            "not a weight file",
        ),
        (write("st.pth", &st), "holds safetensors but is named .pth"),
        (write("pth.safetensors", &zip), "named .safetensors"),
    ];
    let (target, t) = out(&dir, "out.ptpl");
    for (file, needle) in &cases {
        let e = fails(&["template", "from-weights", file, "--out", &t]);
        assert!(e.contains(needle), "{file}: {e}");
        assert!(e.starts_with("error: "), "{e}");
        assert!(!target.exists(), "{file}: no template written");
    }
    let e = fails(&[
        "template",
        "from-weights",
        &fixture("tv_alexnet_zip.pth"),
        "--out",
        &t,
        "--grouped",
        "grouped",
    ]);
    assert!(e.contains("--grouped applies to Caffe .npy files"), "{e}");

    // Template files: missing, truncated, foreign.
    let (good_p, good) = out(&dir, "good.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("tv_alexnet_zip.pth"),
        "--out",
        &good,
    ]);
    let bytes = std::fs::read(&good_p).unwrap();
    let cut = write("cut.ptpl", &bytes[..bytes.len() - 5]);
    let foreign = write("foreign.ptpl", &npy);
    let missing = dir.path().join("none.ptpl").to_str().unwrap().to_string();
    for (file, needle) in [
        (&cut, "truncated or corrupt"),
        (&foreign, "not a polarity template file"),
        (&missing, "none.ptpl"),
    ] {
        for args in [
            vec!["template", "show", file],
            vec!["template", "diff", &good, file],
            vec!["template", "diff", file, &good],
            vec![
                "template", "random", "--like", file, "--seed", "1", "--out", &t,
            ],
        ] {
            let e = fails(&args);
            assert!(
                e.contains(needle) && e.contains(file.as_str()),
                "{args:?}: {e}"
            );
        }
    }
    assert!(!target.exists());
    // Mismatched templates: different tensors.
    let (_, caffe) = out(&dir, "caffe.ptpl");
    ok(&[
        "template",
        "from-weights",
        &fixture("caffe_alexnet_tiny.npy"),
        "--out",
        &caffe,
    ]);
    let e = fails(&["template", "diff", &good, &caffe]);
    assert!(e.contains("cannot be compared"), "{e}");
    assert!(e.contains("'features.0.weight' is only in"), "{e}");
    assert!(e.contains("'conv1.weight' is only in"), "{e}");
}

#[test]
fn a_template_file_from_before_the_layout_was_recorded_is_shown() {
    let old = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/format_v1_before_layout.ptpl");
    let text = ok(&["template", "show", old.to_str().unwrap()]);
    assert!(text.contains("layout      not recorded"), "{text}");
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("fc.weight"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row[row.len() - 3..], ["4", "3", "2"]);
}

/// A burn record (Burnpack, written by burn-store from a burn module) gives the signs of the
/// module's kernels as they are, in burn's layout: no transposition, whatever the flags say.
#[test]
fn a_burnpack_record_gives_its_modules_kernel_signs() {
    use burn::backend::Flex;
    use burn_store::{BurnpackStore, ModuleSnapshot};
    let device = Default::default();
    let mut rng = polarity_core::seed::rng(11, &[]);
    let net = polarity_models::SmallCnnConfig::default()
        .init::<Flex>(&device, &mut rng)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (bpk, bpk_s) = out(&dir, "net.bpk");
    net.save_into(&mut BurnpackStore::from_file(&bpk).auto_extension(false))
        .unwrap();
    let (path, p) = out(&dir, "net.ptpl");
    let text = ok(&["template", "from-weights", &bpk_s, "--out", &p]);
    assert!(text.contains("layout      burn"), "{text}");
    let t = PolarityTemplate::load(&path).unwrap();
    let values = polarity_burn::named_values(&net, polarity_burn::Selection::All);
    let kernels: Vec<_> = values.0.iter().filter(|(_, (s, _))| s.len() >= 2).collect();
    assert_eq!(t.tensors.len(), kernels.len());
    for (name, (shape, v)) in kernels {
        let got = t.tensor(name).unwrap();
        assert_eq!(&got.spec.shape, shape, "{name}");
        let signs: Vec<i8> = v.iter().map(|&x| polarity_core::sign_of(x)).collect();
        assert_eq!(got.signs(), signs, "{name}");
    }
    assert!(
        t.provenance.source.contains("burnpack"),
        "{:?}",
        t.provenance
    );
    assert_eq!(t.provenance.layout, Some(LinearLayout::Burn));
    // --file-layout belongs to safetensors files only.
    let err = fails(&[
        "template",
        "from-weights",
        &bpk_s,
        "--out",
        &p,
        "--file-layout",
        "pytorch",
    ]);
    assert!(err.contains("--file-layout"), "{err}");
}
