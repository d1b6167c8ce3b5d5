//! burn + FreezeOptimizer + KerasAdam against the foundation's plain reference MLP
//! (polarity_mlp::reference): 5 -> h ReLU -> 1 sigmoid, BCE, Adam lr 0.03 (Keras form,
//! eps 1e-7), Freeze-SGD after every step. Same initial weights, template, data and batch
//! order; per-epoch losses, accuracies and reset counts, and the final weights must agree.
//!
//! posRand draws differ between the implementations (burn's backend generator vs the
//! reference's ChaCha stream), so posRand is compared exactly at eps = 1e-30: the reset values
//! are then below 1e-29 in both, the trajectories agree to float rounding, and the reset counts
//! and posRand's masking/sign logic are still exercised. A second posRand test at the paper's
//! eps = 1e-3 checks the structure instead: no weight ever violates its template and every
//! reset weight has the template's sign and a magnitude below eps.

use burn::backend::{Autodiff, Flex};
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use polarity_burn::{
    param_values, set_param_values, FreezeConfig, FreezeOptimizer, KerasAdam, NamedTensors,
    Selection,
};
use polarity_core::{seed, InitAlignment, PolarityTemplate, ResetMethod, ResetRule, TensorSpec};
use polarity_mlp::data::epoch_order;
use polarity_mlp::{reference, Dataset, MlpParams, MlpTemplate, NetworkJob, TrainConfig};
use rand::Rng;

type B = Autodiff<Flex>;

mod common;
use common::{bce, Mlp};

const D: usize = 5;
const H: usize = 8;

fn dataset(n: usize, seed_value: u64) -> Dataset {
    let mut rng = seed::rng(seed_value, &[]);
    let mut x = Vec::with_capacity(n * D);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f32> = (0..D).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        y.push(if row[0] * row[1] > 0.0 { 1.0 } else { 0.0 });
        x.extend(row);
    }
    Dataset { inputs: D, x, y }
}

fn initial_params() -> MlpParams {
    let mut rng = seed::rng(11, &[]);
    let mut draw = |n: usize, s: f32| {
        (0..n)
            .map(|_| rng.random_range(-s..s))
            .collect::<Vec<f32>>()
    };
    MlpParams {
        inputs: D,
        hidden: H,
        w1: draw(D * H, 0.8),
        b1: draw(H, 0.1),
        w2: draw(H, 0.8),
        b2: 0.05,
    }
}

fn to_named(p: &MlpParams) -> NamedTensors {
    let mut t = NamedTensors::default();
    t.insert("hidden.weight", vec![D, H], p.w1.clone());
    t.insert("hidden.bias", vec![H], p.b1.clone());
    t.insert("output.weight", vec![H, 1], p.w2.clone());
    t.insert("output.bias", vec![1], vec![p.b2]);
    t
}

struct BurnRun {
    weights: NamedTensors,
    /// Per epoch: train loss, val loss, val acc, resets [hidden, output].
    epochs: Vec<(f32, f32, f32, [u64; 2])>,
    /// Largest template violation seen after any step (0 when the template always held).
    worst_violation: f32,
}

fn burn_run(
    start: &MlpParams,
    template: &PolarityTemplate,
    cfg: &TrainConfig,
    train: &Dataset,
    val: &Dataset,
    shuffle_seed: u64,
) -> BurnRun {
    let device = Default::default();
    B::seed(&device, 5);
    let mut model =
        set_param_values(Mlp::<B>::new(D, H, &device), &to_named(start), &device).unwrap();
    let adam = KerasAdam {
        beta_1: cfg.beta1,
        beta_2: cfg.beta2,
        epsilon: cfg.adam_eps,
    };
    let mut optim = FreezeOptimizer::new(
        adam.init(),
        &model,
        template,
        FreezeConfig::new(cfg.reset),
        &device,
    )
    .unwrap();
    let signs = |name: &str| template.tensor(name).unwrap().signs().to_vec();
    let (t1, t2) = (signs("hidden.weight"), signs("output.weight"));
    let mut worst = 0.0f32;
    let mut epochs = Vec::new();
    let batch_tensors = |set: &Dataset, idx: &[usize]| {
        let x: Vec<f32> = idx.iter().flat_map(|&i| set.row(i).to_vec()).collect();
        let y: Vec<f32> = idx.iter().map(|&i| set.y[i]).collect();
        (
            Tensor::<B, 2>::from_data(TensorData::new(x, [idx.len(), D]), &device),
            Tensor::<B, 2>::from_data(TensorData::new(y, [idx.len(), 1]), &device),
        )
    };
    for epoch in 0..cfg.epochs {
        let order = epoch_order(train.len(), shuffle_seed, epoch);
        let mut loss_sum = 0.0f64;
        for batch in order.chunks(cfg.batch_size) {
            let (x, y) = batch_tensors(train, batch);
            let loss = bce(model.logits(x), y);
            loss_sum += f64::from(loss.clone().into_scalar()) * batch.len() as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(f64::from(cfg.lr), model, grads);
            for (spec, values) in param_values::<B, _>(&model, Selection::Kernels) {
                let t = if spec.name == "hidden.weight" {
                    &t1
                } else {
                    &t2
                };
                for (w, s) in values.iter().zip(t) {
                    if w * f32::from(*s) < 0.0 {
                        worst = worst.max(w.abs());
                    }
                }
            }
        }
        let all: Vec<usize> = (0..val.len()).collect();
        let (x, y) = batch_tensors(val, &all);
        let logits = model.logits(x);
        let val_loss = bce(logits.clone(), y.clone()).into_scalar();
        let pred = logits.greater_elem(0.0).float();
        let val_acc = pred.equal(y).float().mean().into_scalar();
        let counts = optim.take_reset_counts().unwrap();
        let get = |n: &str| counts.iter().find(|c| c.name == n).unwrap().resets;
        epochs.push((
            (loss_sum / train.len() as f64) as f32,
            val_loss,
            val_acc,
            [get("hidden.weight"), get("output.weight")],
        ));
    }
    let weights = NamedTensors(
        param_values::<B, _>(&model, Selection::All)
            .into_iter()
            .map(|(s, v)| (s.name, (s.shape, v)))
            .collect(),
    );
    BurnRun {
        weights,
        epochs,
        worst_violation: worst,
    }
}

/// A random template (not the init's own signs, so resets happen) and the init flipped onto
/// it, as the paper's image code aligns initial weights.
fn setup() -> (MlpParams, PolarityTemplate, Dataset, Dataset) {
    let specs = [
        TensorSpec::new("hidden.weight", vec![D, H]),
        TensorSpec::new("output.weight", vec![H, 1]),
    ];
    let template = PolarityTemplate::random(&specs, 3);
    let mut start = initial_params();
    let mt = MlpTemplate::from_polarity(&template, D, H).unwrap();
    let flip = InitAlignment::Flip.rule(ResetRule::default());
    start.align(&mt, flip, &mut seed::rng(0, &[])).unwrap();
    (start, template, dataset(64, 1), dataset(40, 2))
}

fn compare(method: ResetMethod, eps: f32) {
    let (start, template, train, val) = setup();
    let cfg = TrainConfig {
        epochs: 4,
        batch_size: 16,
        lr: 0.03,
        reset: ResetRule::new(method, eps),
        ..TrainConfig::default()
    };
    let job = NetworkJob {
        params: start.clone(),
        template: Some(MlpTemplate::from_polarity(&template, D, H).unwrap()),
        reset_seed: 9,
    };
    let (ref_params, ref_records) = reference::train(&job, &cfg, &train, &val, 21).unwrap();
    let run = burn_run(&start, &template, &cfg, &train, &val, 21);

    let total_resets: u64 = run.epochs.iter().map(|e| e.3[0] + e.3[1]).sum();
    assert!(
        total_resets > 0,
        "{method}: the configuration must exercise resets"
    );
    assert_eq!(
        run.worst_violation, 0.0,
        "{method}: a weight violated its template after a step"
    );
    for (e, (r, b)) in ref_records.iter().zip(&run.epochs).enumerate() {
        assert!(
            (r.train_loss - b.0).abs() < 1e-4,
            "{method} epoch {e}: train loss {} vs {}",
            r.train_loss,
            b.0
        );
        assert!(
            (r.val_loss - b.1).abs() < 1e-4,
            "{method} epoch {e}: val loss {} vs {}",
            r.val_loss,
            b.1
        );
        assert!(
            (r.val_acc - b.2).abs() < 1e-6,
            "{method} epoch {e}: val acc {} vs {}",
            r.val_acc,
            b.2
        );
        assert_eq!(
            [u64::from(r.resets[0]), u64::from(r.resets[1])],
            b.3,
            "{method} epoch {e}: resets per layer"
        );
    }
    let reference = to_named(&ref_params);
    for (name, (shape, want)) in &reference.0 {
        let (got_shape, got) = run.weights.get(name).unwrap();
        assert_eq!(got_shape, shape.as_slice());
        let worst = want
            .iter()
            .zip(got)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "{method}: '{name}' differs by {worst}");
    }
}

#[test]
fn matches_reference_with_zero_reset() {
    compare(ResetMethod::Zero, 1e-3);
}

#[test]
fn matches_reference_with_flip_reset() {
    compare(ResetMethod::Flip, 1e-3);
}

#[test]
fn matches_reference_with_poscon_reset() {
    compare(ResetMethod::PosCon, 1e-3);
}

#[test]
fn matches_reference_with_posrand_reset_at_tiny_eps() {
    compare(ResetMethod::PosRand, 1e-30);
}

#[test]
fn posrand_resets_keep_template_sign_and_stay_below_eps() {
    let (start, template, train, val) = setup();
    let eps = 1e-3;
    let cfg = TrainConfig {
        epochs: 2,
        batch_size: 16,
        lr: 0.03,
        reset: ResetRule::new(ResetMethod::PosRand, eps),
        ..TrainConfig::default()
    };
    let run = burn_run(&start, &template, &cfg, &train, &val, 21);
    assert_eq!(run.worst_violation, 0.0);
    assert!(run.epochs.iter().any(|e| e.3[0] + e.3[1] > 0));
    // A single step from the aligned start: every reset weight is in (0, eps) * t or exactly
    // where Adam put it; check the reset ones via a one-step run against the zero reset.
    let device = Default::default();
    let model = set_param_values(Mlp::<B>::new(D, H, &device), &to_named(&start), &device).unwrap();
    let rule = ResetRule::new(ResetMethod::PosRand, eps);
    let mut optim = FreezeOptimizer::new(
        KerasAdam::default().init(),
        &model,
        &template,
        FreezeConfig::new(rule),
        &device,
    )
    .unwrap();
    let mut zero_optim = FreezeOptimizer::new(
        KerasAdam::default().init(),
        &model,
        &template,
        FreezeConfig::new(ResetRule::new(ResetMethod::Zero, eps)),
        &device,
    )
    .unwrap();
    let all: Vec<usize> = (0..train.len()).collect();
    let x: Vec<f32> = all.iter().flat_map(|&i| train.row(i).to_vec()).collect();
    let y: Vec<f32> = train.y.clone();
    let loss_of = |m: &Mlp<B>| {
        bce(
            m.logits(Tensor::from_data(
                TensorData::new(x.clone(), [train.len(), D]),
                &device,
            )),
            Tensor::from_data(TensorData::new(y.clone(), [train.len(), 1]), &device),
        )
    };
    // A large learning rate so that many weights cross zero in one step.
    let g1 = GradientsParams::from_grads(loss_of(&model).backward(), &model);
    let a = optim.step(1.0, model.clone(), g1);
    let g2 = GradientsParams::from_grads(loss_of(&model).backward(), &model);
    let z = zero_optim.step(1.0, model, g2);
    let (pa, pz) = (
        param_values::<B, _>(&a, Selection::Kernels),
        param_values::<B, _>(&z, Selection::Kernels),
    );
    let mut reset = 0;
    for ((spec, va), (_, vz)) in pa.iter().zip(&pz) {
        let t = template.tensor(&spec.name).unwrap().signs();
        for ((wa, wz), s) in va.iter().zip(vz).zip(t) {
            if *wz == 0.0 && *s != 0 {
                reset += 1;
                assert!(
                    wa * f32::from(*s) >= 0.0 && wa.abs() < eps,
                    "posRand value {wa} for sign {s}"
                );
            } else {
                assert_eq!(wa, wz, "non-reset weights are Adam's");
            }
        }
    }
    assert!(reset > 0, "the step must reset some weights");
}
