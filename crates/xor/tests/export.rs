//! The exported starts and batch orders are the ones the grid trains from: a network trained by
//! the reference engine from nothing but the export reproduces the grid's rows
//! (docs/decisions.md D-XOR-DATA-11).

use polarity_core::{InitAlignment, ResetMethod};
use polarity_mlp::data::epoch_order;
use polarity_mlp::{reference, MlpParams, MlpTemplate, NetworkJob};
use polarity_xor::export::{starts, STARTS_FORMAT};
use polarity_xor::{Condition, Pairing, XorConfig, XorRecord, XorUnit};

/// The official semantics (independent draws, reset-method alignment) with a deterministic
/// reset, so a network's rows depend only on its start and its batch orders.
fn grid() -> XorConfig {
    XorConfig {
        seed: 11,
        hidden: vec![6],
        train_sizes: vec![20, 40],
        val_size: 100,
        trials: 2,
        conditions: vec![
            Condition::FrozenSufficient,
            Condition::FrozenRand,
            Condition::Fluid,
        ],
        reset_methods: vec![ResetMethod::Zero],
        pairing: Pairing::Independent,
        alignment: InitAlignment::ResetMethod,
        epochs: 5,
        ..XorConfig::default()
    }
}

#[test]
fn a_network_trained_from_the_export_reproduces_the_grid_rows() {
    let cfg = grid();
    let data = cfg.data().unwrap();
    let exported = starts(&cfg).unwrap();
    assert_eq!(exported.format, STARTS_FORMAT);
    assert_eq!(exported.networks.len(), 2 * 3 * 2);
    for &n_train in &cfg.train_sizes {
        let unit = XorUnit {
            n_train,
            hidden: 6,
            reset: ResetMethod::Zero,
        };
        let grid_rows = cfg.run_unit(&data, unit, 1, &|_| {}).unwrap();
        let orders = exported
            .batch_orders
            .iter()
            .find(|o| o.n_train == n_train)
            .unwrap();
        assert_eq!(orders.epochs.len(), cfg.epochs);
        for (e, order) in orders.epochs.iter().enumerate() {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n_train).collect::<Vec<_>>(), "a permutation");
            assert_eq!(*order, epoch_order(n_train, orders.shuffle_seed, e));
        }
        let train = data.train(n_train).unwrap();
        let mut rows = Vec::new();
        for s in exported.networks.iter().filter(|s| s.n_train == n_train) {
            assert_eq!(s.template_w1.is_some(), s.condition.is_frozen());
            let job = NetworkJob {
                params: MlpParams {
                    inputs: cfg.dims,
                    hidden: s.hidden,
                    w1: s.w1.clone(),
                    b1: s.b1.clone(),
                    w2: s.w2.clone(),
                    b2: s.b2,
                },
                template: s.template_w1.as_ref().map(|w1| MlpTemplate {
                    w1: w1.clone(),
                    b1: vec![0; s.hidden],
                    w2: s.template_w2.clone().unwrap(),
                    b2: 0,
                }),
                // Zero resets draw nothing.
                reset_seed: 0,
            };
            let (_, records) = reference::train(
                &job,
                &cfg.train_config(s.reset),
                &train,
                &data.val,
                orders.shuffle_seed,
            )
            .unwrap();
            for (epoch, r) in records.iter().enumerate() {
                rows.push(
                    XorRecord {
                        n_train,
                        hidden: s.hidden,
                        reset: s.reset,
                        condition: s.condition,
                        trial: s.trial,
                        epoch,
                        train_loss: r.train_loss,
                        train_acc: r.train_acc,
                        val_loss: r.val_loss,
                        val_acc: r.val_acc,
                        resets_hidden: r.resets[0],
                        resets_output: r.resets[1],
                        flips_hidden: r.flips[0],
                        flips_output: r.flips[1],
                    }
                    .row(),
                );
            }
        }
        // The batched engine agrees with the reference to float32 rounding (its exp/log are
        // its own, crates/mlp/tests/differential.rs): counts and accuracies exactly, losses
        // within 1e-5 relative. A wrong start or batch order moves losses by far more.
        assert_eq!(rows.len(), grid_rows.len());
        for (r, g) in rows.iter().zip(&grid_rows) {
            for (k, (a, b)) in r.iter().zip(g).enumerate() {
                let column = &XorRecord::header()[k];
                if column.ends_with("_loss") {
                    let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
                    assert!((a - b).abs() <= 1e-5 * b.abs(), "{column}: {r:?} vs {g:?}");
                } else {
                    assert_eq!(a, b, "{column}: {r:?} vs {g:?}");
                }
            }
        }
    }
}

#[test]
fn frozen_starts_obey_their_templates_and_fluid_starts_are_independent() {
    let exported = starts(&grid()).unwrap();
    for s in &exported.networks {
        if let (Some(t1), Some(t2)) = (&s.template_w1, &s.template_w2) {
            let violations = s.w1.iter().zip(t1).chain(s.w2.iter().zip(t2));
            assert!(violations.clone().all(|(&w, &t)| w * f32::from(t) >= 0.0));
            if s.condition == Condition::FrozenSufficient {
                // Output signs are the sign-product rule of the first two inputs' kernels.
                for j in 0..s.hidden {
                    let rule = t1[j] * t1[s.hidden + j];
                    assert_eq!(t2[j], rule, "unit {j}");
                }
            }
        }
    }
    // Independent pairing: each condition of a trial has its own draw.
    let of = |c: Condition| {
        exported
            .networks
            .iter()
            .find(|s| s.condition == c && s.trial == 0 && s.n_train == 20)
            .unwrap()
            .b1
            .clone()
    };
    assert_ne!(of(Condition::Fluid), of(Condition::FrozenRand));
}
