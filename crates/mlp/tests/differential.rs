//! The batched engine against the reference implementation: weights and losses within 1e-5 over
//! several epochs, for all four reset methods, frozen and fluid, in mixed packs.

mod common;
use common::{config, dataset, job};
use polarity_core::ResetMethod;
use polarity_mlp::{batched, reference, TrainConfig};

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn batched_matches_reference_for_every_reset_method() {
    let (dims, epochs) = (5, 6);
    let train = dataset(44, dims, 1); // 32 + 12: a short last batch
    let val = dataset(200, dims, 2);
    for method in ResetMethod::ALL {
        let cfg = config(method, epochs);
        // 11 networks of two hidden sizes: packs of 8 + 3 padded lanes, frozen and fluid mixed.
        let jobs: Vec<_> = (0..11)
            .map(|k| job(dims, if k < 9 { 7 } else { 3 }, k, k % 3 != 0))
            .collect();
        let fast = batched::train_many(&jobs, &cfg, &train, &val, 5, 2, &|_| {}).unwrap();
        let mut total_resets = 0;
        for (k, (j, f)) in jobs.iter().zip(&fast).enumerate() {
            let (p, recs) = reference::train(j, &cfg, &train, &val, 5).unwrap();
            let dw = [
                max_diff(&p.w1, &f.params.w1),
                max_diff(&p.b1, &f.params.b1),
                max_diff(&p.w2, &f.params.w2),
                (p.b2 - f.params.b2).abs(),
            ];
            assert!(
                dw.iter().all(|&d| d < 1e-5),
                "{method} net {k}: weight diffs {dw:?}"
            );
            for (e, (r, b)) in recs.iter().zip(&f.records).enumerate() {
                for (name, x, y) in [
                    ("train_loss", r.train_loss, b.train_loss),
                    ("val_loss", r.val_loss, b.val_loss),
                    ("train_acc", r.train_acc, b.train_acc),
                    ("val_acc", r.val_acc, b.val_acc),
                ] {
                    assert!(
                        (x - y).abs() < 1e-5,
                        "{method} net {k} epoch {e} {name}: {x} vs {y}"
                    );
                }
                assert_eq!(r.resets, b.resets, "{method} net {k} epoch {e} resets");
                assert_eq!(r.flips, b.flips, "{method} net {k} epoch {e} flips");
                total_resets += r.resets[0] + r.resets[1];
            }
            if j.template.is_none() {
                assert!(
                    recs.iter().all(|r| r.resets == [0, 0]),
                    "fluid nets never reset"
                );
            }
        }
        assert!(total_resets > 0, "{method}: the test must exercise resets");
    }
}

#[test]
fn frozen_networks_end_every_epoch_compliant() {
    let train = dataset(64, 5, 3);
    let val = dataset(100, 5, 4);
    let jobs: Vec<_> = (0..8).map(|k| job(5, 16, k, true)).collect();
    for method in ResetMethod::ALL {
        let out =
            batched::train_many(&jobs, &config(method, 4), &train, &val, 1, 1, &|_| {}).unwrap();
        for (j, f) in jobs.iter().zip(&out) {
            let t = j.template.as_ref().unwrap();
            let v = f
                .params
                .w1
                .iter()
                .zip(&t.w1)
                .chain(f.params.w2.iter().zip(&t.w2));
            for (w, s) in v {
                assert!(
                    !polarity_core::reset::violates(*w, *s),
                    "{method}: {w} against {s}"
                );
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_thread_count_or_pack_mates() {
    let train = dataset(40, 5, 5);
    let val = dataset(100, 5, 6);
    let cfg = config(ResetMethod::PosRand, 3);
    let jobs: Vec<_> = (0..13).map(|k| job(5, 6, k, k % 2 == 0)).collect();
    let a = batched::train_many(&jobs, &cfg, &train, &val, 9, 1, &|_| {}).unwrap();
    let b = batched::train_many(&jobs, &cfg, &train, &val, 9, 3, &|_| {}).unwrap();
    // Network 12 alone in its own pack, versus in a pack with others.
    let c = batched::train_many(&jobs[12..], &cfg, &train, &val, 9, 1, &|_| {}).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.params, y.params);
        assert_eq!(x.records, y.records);
    }
    assert_eq!(a[12].params, c[0].params);
    assert_eq!(a[12].records, c[0].records);
}

#[test]
fn nan_weights_in_frozen_networks_are_an_error() {
    let train = dataset(8, 5, 7);
    let val = dataset(8, 5, 8);
    let mut j = job(5, 4, 0, true);
    j.params.w1[3] = f32::NAN;
    let err = batched::train_many(
        &[j],
        &config(ResetMethod::Zero, 1),
        &train,
        &val,
        0,
        1,
        &|_| {},
    );
    assert!(err.unwrap_err().to_string().contains("NaN"));
}

/// Sizes that are not multiples of the engine's 8-sample blocks or its 256-sample validation
/// loss blocks (padded last blocks in training and validation), and input counts with and
/// without a specialised kernel (5, 7): still the reference's numbers.
#[test]
fn batched_matches_reference_at_ragged_sizes() {
    for (dims, n_train, batch_size, n_val) in [(5, 45, 32, 301), (7, 13, 5, 259), (2, 3, 2, 9)] {
        let train = dataset(n_train, dims, 11);
        let val = dataset(n_val, dims, 12);
        let cfg = TrainConfig {
            batch_size,
            ..config(ResetMethod::PosRand, 3)
        };
        let jobs: Vec<_> = (0..5).map(|k| job(dims, 6, k, k % 2 == 0)).collect();
        let fast = batched::train_many(&jobs, &cfg, &train, &val, 3, 1, &|_| {}).unwrap();
        for (k, (j, f)) in jobs.iter().zip(&fast).enumerate() {
            let (p, recs) = reference::train(j, &cfg, &train, &val, 3).unwrap();
            let dw = max_diff(&p.w1, &f.params.w1).max(max_diff(&p.w2, &f.params.w2));
            assert!(dw < 1e-5, "d {dims} n {n_train} net {k}: weight diff {dw}");
            for (e, (r, b)) in recs.iter().zip(&f.records).enumerate() {
                for (name, x, y) in [
                    ("train_loss", r.train_loss, b.train_loss),
                    ("val_loss", r.val_loss, b.val_loss),
                    ("train_acc", r.train_acc, b.train_acc),
                    ("val_acc", r.val_acc, b.val_acc),
                ] {
                    assert!(
                        (x - y).abs() < 1e-5,
                        "d {dims} n {n_train} net {k} epoch {e} {name}: {x} vs {y}"
                    );
                }
                assert_eq!(r.resets, b.resets);
                assert_eq!(r.flips, b.flips);
            }
        }
    }
}
