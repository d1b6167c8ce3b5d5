//! Templates, pairing and initial alignment of the XOR conditions.

use polarity_core::{InitAlignment, ResetMethod, ResetRule};
use polarity_xor::condition::{make_job, NetCoords, StartRules};
use polarity_xor::{Condition, Pairing};

fn rules(pairing: Pairing, alignment: InitAlignment) -> StartRules {
    StartRules {
        experiment_seed: 42,
        dims: 5,
        kernel_std: 0.25,
        pairing,
        alignment,
        reset: ResetRule::new(ResetMethod::PosRand, 1e-3),
        constrain_biases: false,
    }
}

fn at(condition: Condition, trial: usize) -> NetCoords {
    NetCoords {
        hidden: 64,
        n_train: 60,
        condition,
        trial,
    }
}

#[test]
fn sufficient_template_is_the_sign_product_rule() {
    let r = rules(Pairing::Identical, InitAlignment::Flip);
    for trial in 0..5 {
        let job = make_job(&r, at(Condition::FrozenSufficient, trial)).unwrap();
        let t = job.template.as_ref().unwrap();
        let p = &job.params;
        for j in 0..64 {
            assert_eq!(t.w2[j], t.w1[j] * t.w1[64 + j], "unit {j}");
            // Aligned: every kernel entry agrees with its template.
            assert!(p.w2[j] * f32::from(t.w2[j]) >= 0.0);
        }
        assert!(t.b1.iter().all(|&s| s == 0) && t.b2 == 0, "biases are free");
        assert!(p
            .w1
            .iter()
            .zip(&t.w1)
            .all(|(w, s)| w * f32::from(*s) >= 0.0));
    }
}

#[test]
fn identical_pairing_shares_the_draw_and_flip_keeps_magnitudes() {
    let r = rules(Pairing::Identical, InitAlignment::Flip);
    let fluid = make_job(&r, at(Condition::Fluid, 3)).unwrap();
    let rand = make_job(&r, at(Condition::FrozenRand, 3)).unwrap();
    let suff = make_job(&r, at(Condition::FrozenSufficient, 3)).unwrap();
    assert!(fluid.template.is_none());
    assert_eq!(
        fluid.params, rand.params,
        "Fluid and Frozen RAND start identical"
    );
    let mags = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
    assert_eq!(
        mags(&suff.params.w2),
        mags(&fluid.params.w2),
        "flip keeps magnitudes"
    );
    assert_eq!(
        suff.params.w1, fluid.params.w1,
        "hidden template = own signs"
    );
    assert_ne!(
        suff.params.w2, fluid.params.w2,
        "some output signs were flipped"
    );
    // Trials differ.
    assert_ne!(
        make_job(&r, at(Condition::Fluid, 4)).unwrap().params,
        fluid.params
    );
}

#[test]
fn independent_pairing_and_reset_method_alignment_follow_the_official_code() {
    let r = rules(Pairing::Independent, InitAlignment::ResetMethod);
    let fluid = make_job(&r, at(Condition::Fluid, 0)).unwrap();
    let rand = make_job(&r, at(Condition::FrozenRand, 0)).unwrap();
    assert_ne!(fluid.params, rand.params, "independent draws");
    // posRand at init: the output weights that disagreed now have magnitude below eps.
    let identical = rules(Pairing::Independent, InitAlignment::Flip);
    let flipped = make_job(&identical, at(Condition::FrozenSufficient, 0)).unwrap();
    let reset = make_job(&r, at(Condition::FrozenSufficient, 0)).unwrap();
    let mut tiny = 0;
    for j in 0..64 {
        if flipped.params.w2[j] != reset.params.w2[j] {
            assert!(reset.params.w2[j].abs() < 1e-3);
            tiny += 1;
        }
    }
    assert!(
        (16..=48).contains(&tiny),
        "about half the output weights: {tiny}"
    );
}

#[test]
fn biases_are_free_unless_opted_in() {
    use polarity_mlp::batched::train_many;
    let data = polarity_xor::data::XorData::new(1, 5, 100).unwrap();
    let train = data.train(40).unwrap();
    for constrain in [false, true] {
        let mut r = rules(Pairing::Identical, InitAlignment::Flip);
        r.constrain_biases = constrain;
        let jobs: Vec<_> = (0..8)
            .map(|t| make_job(&r, at(Condition::FrozenRand, t)).unwrap())
            .collect();
        let cfg = polarity_mlp::TrainConfig {
            epochs: 15,
            ..Default::default()
        };
        let out = train_many(&jobs, &cfg, &train, &data.val, 3, 1, &|_| {}).unwrap();
        let flipped: usize = jobs
            .iter()
            .zip(&out)
            .map(|(j, o)| {
                j.params
                    .b1
                    .iter()
                    .zip(&o.params.b1)
                    .filter(|(a, b)| **a * **b < 0.0)
                    .count()
            })
            .sum();
        if constrain {
            assert_eq!(flipped, 0, "opted-in biases keep their signs");
        } else {
            assert!(flipped > 0, "free biases change sign during training");
        }
    }
}
