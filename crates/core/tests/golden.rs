//! Golden values of the seed derivation (`polarity_core::seed`).
//!
//! Every random draw in polarity (initial weights, XOR data, batch orders, posRand resets,
//! random templates, image inits and orders, theory Monte-Carlo) is seeded through `label`,
//! `derive` and `rng`. The literals below were computed once by the code itself and pinned.
//!
//! **A change here changes every past result.** If one of these tests fails, the change to the
//! seed derivation, to the generator (`rand_chacha`) or to `rand`'s conversions is not
//! neutral: every table, figure and claim ever produced with a given seed would come out
//! differently. Revert it, or re-pin deliberately: update the literals and add a dated note to
//! `docs/decisions.md` (D-SEED-4) saying what changed and from which commit on old results no
//! longer reproduce.

use polarity_core::seed;
use polarity_core::{PolarityTemplate, TensorSpec};
use rand::{Rng, RngCore};

/// Every purpose label the code base uses, with its FNV-1a value.
const LABELS: [(&str, u64); 26] = [
    ("init", 0xf5d2afc57ab57213),
    ("reset", 0x0f136ff2c086b760),
    ("align", 0x509903bb65ac341e),
    ("shuffle", 0x477c62bf680bf6ae),
    ("epoch-order", 0xcef61dcf31063863),
    ("xor-data", 0xcc72221bf1ba3719),
    ("train", 0xdee795a6c5087209),
    ("val", 0x690422194ed16e3c),
    ("template-random", 0x26e5f06bf73283bd),
    ("template-dale", 0x66730d6c769e8bbe),
    ("template-random-like", 0x66a945fdcd420e73),
    ("template-shuffle", 0x210168c37150997b),
    ("bench", 0xd7e5ac5e896d1d39),
    ("image-init", 0xaf903cfff3791143),
    ("image-shuffle", 0x7761ef3dbb93eede),
    ("image-epoch-order", 0xce201bf3140cac73),
    ("image-backend", 0x9478d2405c7c413f),
    ("validation-subset", 0xb2931d712c029aa3),
    ("transfer-source", 0xe0d56e590401594c),
    ("transfer-source-shuffle", 0x7d18d3b00f201e04),
    ("transfer-source-backend", 0xae4230fa4adcb0d1),
    ("transfer-val", 0x54088d9a1f464fe0),
    ("theory-mc", 0x68d5f4f7834ac84f),
    ("theory-mc-truth", 0xdbbba8191d10294f),
    ("theory-oracle-training", 0x9f61252e6fab5f8e),
    ("gpu-check", 0xfdf060fe1e81f8f0),
];

const INIT: u64 = 0xf5d2afc57ab57213;
const RESET: u64 = 0x0f136ff2c086b760;
const XOR_DATA: u64 = 0xcc72221bf1ba3719;
const SHUFFLE: u64 = 0x477c62bf680bf6ae;
/// `label("fluid")`, `label("frozen-rand")`, `label("posRand")` (condition and method names).
const FLUID: u64 = 9244896805575095699;
const FROZEN_RAND: u64 = 3025676918491866625;
const POS_RAND: u64 = 11989234789897609898;

/// One pinned derivation: `derive(base, coords)`, then from `rng(base, coords)` three
/// `next_u64`, one `random::<f32>()` and one `random::<f64>()` (as bit patterns).
struct Golden {
    base: u64,
    coords: &'static [u64],
    derived: u64,
    u64s: [u64; 3],
    f32_bits: u32,
    f64_bits: u64,
}

const GOLDEN: [Golden; 11] = [
    Golden {
        base: 0,
        coords: &[],
        derived: 0x4c0f1ffab1d756c8,
        u64s: [0xd7e5e3873611e492, 0x7f17cd5ae9a87afe, 0xe3612bc71f901257],
        f32_bits: 0x3c541380,
        f64_bits: 0x3fc45e36b18150e8,
    },
    Golden {
        base: 0,
        coords: &[0],
        derived: 0x4253cf1c243d2c45,
        u64s: [0xcea5327fa3b78c18, 0x3e56336c3e756c2f, 0x5f6588bdb32d1c93],
        f32_bits: 0x3f762e57,
        f64_bits: 0x3f7fc145bf8eb200,
    },
    Golden {
        base: 0,
        coords: &[0, 0],
        derived: 0xe0b4ef6f10bcf1fa,
        u64s: [0xc0516b9cd28aac49, 0x361ead32df643807, 0xf6571f9ce6198d84],
        f32_bits: 0x3e4e1764,
        f64_bits: 0x3f8ab2caca42d140,
    },
    Golden {
        base: 1,
        coords: &[1, 2],
        derived: 0x7608ef8858f12387,
        u64s: [0xcb3bcd987a7e32fa, 0xbc97848ad215157d, 0x81e08414b8ab4921],
        f32_bits: 0x3b893980,
        f64_bits: 0x3fe18b28f4d22755,
    },
    Golden {
        base: 1,
        coords: &[2, 1],
        derived: 0x044333486966337e,
        u64s: [0x7f5e27954c25bbdd, 0x616fc1c8bbdabd88, 0x56816003332bd10a],
        f32_bits: 0x3ce08b00,
        f64_bits: 0x3fd00f5aabe83934,
    },
    Golden {
        base: u64::MAX,
        coords: &[u64::MAX, 0, 7],
        derived: 0x94334f7af272e101,
        u64s: [0xbf4db142240c84d2, 0x3be230347057c397, 0x5ee33d2062d7a813],
        f32_bits: 0x3d014790,
        f64_bits: 0x3fef9bab1771c58d,
    },
    // XOR initial weights, identical pairing: (init, hidden 64, n_train 60, trial 0).
    Golden {
        base: 0,
        coords: &[INIT, 64, 60, 0],
        derived: 0x8937690868310bbd,
        u64s: [0xceeee0684982cd26, 0x9cccba85f196e4d5, 0x475c02f2a19f01ec],
        f32_bits: 0x3f332f4c,
        f64_bits: 0x3feee84dcfd5fdf2,
    },
    // The same under independent pairing (condition fluid appended).
    Golden {
        base: 0,
        coords: &[INIT, 64, 60, 0, FLUID],
        derived: 0x82d5e14ef4149c3f,
        u64s: [0x872733921c4e3f58, 0x3c2f08f0e93ba417, 0x49466d0ed2fe8367],
        f32_bits: 0x3f0b473d,
        f64_bits: 0x3fccdd632236862c,
    },
    // XOR reset stream: (reset, 64, 60, trial 0, frozen-rand, posRand).
    Golden {
        base: 0,
        coords: &[RESET, 64, 60, 0, FROZEN_RAND, POS_RAND],
        derived: 0xdd3b08b370dd0aa3,
        u64s: [0x2a91e8a989115c0e, 0x0e10345d707bdfb2, 0xcdc46b071e624466],
        f32_bits: 0x3edcbd46,
        f64_bits: 0x3fd2384aa5b752fc,
    },
    // XOR data base seed of experiment seed 0.
    Golden {
        base: 0,
        coords: &[XOR_DATA],
        derived: 0xab4242b911f3416f,
        u64s: [0x64aadb13f1b7e3e0, 0xa875ee5bc5438f77, 0x367a29f61dbe53ad],
        f32_bits: 0x3e780ab0,
        f64_bits: 0x3fe504596b5308bf,
    },
    // XOR batch-order seed: (shuffle, n_train 500) under experiment seed 12345.
    Golden {
        base: 12345,
        coords: &[SHUFFLE, 500],
        derived: 0xacc8cad13267b4c1,
        u64s: [0x81d59a66b6d9c762, 0x1fc2ab98ae7f9ff5, 0x5872b59212e8f54d],
        f32_bits: 0x3e06b0c4,
        f64_bits: 0x3fe4edfe4ea29c9c,
    },
];

const REPIN: &str = "the seed derivation changed: every past result changes with it. Revert, \
                     or re-pin deliberately and note it in docs/decisions.md (D-SEED-4)";

#[test]
fn purpose_labels_are_pinned() {
    for (name, value) in LABELS {
        assert_eq!(
            seed::label(name),
            value,
            "label({name:?}) = {:#018x}, pinned {value:#018x}: {REPIN}",
            seed::label(name)
        );
    }
    for (name, value) in [
        ("fluid", FLUID),
        ("frozen-rand", FROZEN_RAND),
        ("posRand", POS_RAND),
    ] {
        assert_eq!(seed::label(name), value, "label({name:?}): {REPIN}");
    }
}

#[test]
fn derived_seeds_are_pinned() {
    for g in &GOLDEN {
        let got = seed::derive(g.base, g.coords);
        assert_eq!(
            got, g.derived,
            "derive({}, {:?}) = {got:#018x}, pinned {:#018x}: {REPIN}",
            g.base, g.coords, g.derived
        );
    }
}

#[test]
fn first_draws_are_pinned() {
    for g in &GOLDEN {
        let mut rng = seed::rng(g.base, g.coords);
        let u64s = [rng.next_u64(), rng.next_u64(), rng.next_u64()];
        let f: f32 = rng.random();
        let d: f64 = rng.random();
        let at = format!("rng({}, {:?})", g.base, g.coords);
        assert_eq!(u64s, g.u64s, "{at}: first next_u64 draws: {REPIN}");
        assert_eq!(
            f.to_bits(),
            g.f32_bits,
            "{at}: random::<f32>() = {f}: {REPIN}"
        );
        assert_eq!(
            d.to_bits(),
            g.f64_bits,
            "{at}: random::<f64>() = {d}: {REPIN}"
        );
    }
}

#[test]
fn random_template_is_pinned() {
    let specs = [
        TensorSpec::new("a", vec![3, 4]),
        TensorSpec::new("b", vec![5]),
    ];
    let t = PolarityTemplate::random(&specs, 7);
    assert_eq!(
        t.tensor("a").unwrap().signs(),
        &[-1, 1, 1, -1, 1, 1, -1, -1, -1, 1, 1, 1][..],
        "{REPIN}"
    );
    assert_eq!(
        t.tensor("b").unwrap().signs(),
        &[1, 1, 1, 1, 1][..],
        "{REPIN}"
    );
}

#[test]
fn control_templates_are_pinned() {
    let t = PolarityTemplate::random(&[TensorSpec::new("a", vec![3, 4])], 7);
    // Template `a` of `random_template_is_pinned`, with one entry made free.
    let mut signs = t.tensors[0].signs().to_vec();
    signs[0] = 0;
    let mut t = t;
    t.tensors[0] = polarity_core::TensorTemplate::new(t.tensors[0].spec.clone(), signs).unwrap();
    assert_eq!(
        t.random_like(7).tensors[0].signs(),
        &[0, 1, -1, 1, 1, -1, -1, 1, -1, -1, -1, -1][..],
        "{REPIN}"
    );
    assert_eq!(
        t.shuffled(7).tensors[0].signs(),
        &[0, -1, 1, -1, 1, 1, 1, 1, 1, 1, -1, -1][..],
        "{REPIN}"
    );
}
