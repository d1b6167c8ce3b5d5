//! The reference MLP held to real Keras (fixtures written by `scripts/make_keras_fixture.py`
//! with tensorflow-cpu 2.15.1 / Keras 2.15.0; no Python is needed here).
//!
//! - Training: from the fixture's initial weights, six Keras Adam steps (lr 0.03, beta_1 0.9,
//!   beta_2 0.999, epsilon 1e-7) on the fixture's batches: the reference's weights after every
//!   step, its batch losses and its epoch loss match what Keras recorded.
//! - Loss: binary cross-entropy from the recovered logit, also for saturated logits (|o| > 25).
//! - Initialisers: `init::truncated_normal` against 20000 Keras `TruncatedNormal(0, 0.25)` draws
//!   (bound, moments, two-sample Kolmogorov-Smirnov), `init::glorot_uniform_bias` against the
//!   limits Keras computes for a bias vector.
//!
//! The checks are shown to fail for the plausible wrong semantics: PyTorch's epsilon placement
//! and BCE from a clipped probability (by a replica of the reference's training loop whose only
//! change is the variant), a normal clipped at 2 sd instead of re-drawn, and one rescaled as
//! VarianceScaling does. (For Glorot, the largest of 20000 draws must come within 0.1% of
//! Keras' limit, which a kernel-shaped limit sqrt(6 / (len + 1)) misses by 33% at len 8.)
//!
//! One real difference from Keras 2.15 is tolerated, and measured: `STEP_ATOL`.

use polarity_core::seed;
use polarity_mlp::data::epoch_order;
use polarity_mlp::init::{glorot_uniform_bias, truncated_normal};
use polarity_mlp::{reference, Dataset, EpochRecord, MlpParams, NetworkJob, TrainConfig};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// The fixtures

#[derive(Deserialize)]
struct Weights {
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: f32,
}

#[derive(Deserialize)]
struct Batch {
    x: Vec<f32>,
    y: Vec<f32>,
}

#[derive(Deserialize)]
struct Step {
    batch_loss: f32,
    #[serde(flatten)]
    weights: Weights,
}

#[derive(Deserialize)]
struct Network {
    inputs: usize,
    hidden: usize,
}

#[derive(Deserialize)]
struct Adam {
    learning_rate: f32,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
}

#[derive(Deserialize)]
struct Eval {
    x: Vec<f32>,
    y: Vec<f32>,
    initial_losses: Vec<f32>,
    final_losses: Vec<f32>,
}

#[derive(Deserialize)]
struct Steps {
    network: Network,
    adam: Adam,
    initial: Weights,
    batches: Vec<Batch>,
    steps: Vec<Step>,
    fit_epoch_loss: f32,
    eval: Eval,
}

#[derive(Deserialize)]
struct TruncatedNormalSample {
    stddev: f32,
    values: Vec<f64>,
}

#[derive(Deserialize)]
struct GlorotBias {
    len: usize,
    limit: f64,
    max_abs: f64,
}

#[derive(Deserialize)]
struct Initializers {
    truncated_normal: TruncatedNormalSample,
    glorot_uniform_bias: Vec<GlorotBias>,
}

fn steps_fixture() -> Steps {
    serde_json::from_str(include_str!("fixtures/keras_mlp_steps.json")).unwrap()
}

fn initializers_fixture() -> Initializers {
    serde_json::from_str(include_str!("fixtures/keras_initializers.json")).unwrap()
}

impl Steps {
    fn params(&self, w: &Weights) -> MlpParams {
        MlpParams {
            inputs: self.network.inputs,
            hidden: self.network.hidden,
            w1: w.w1.clone(),
            b1: w.b1.clone(),
            w2: w.w2.clone(),
            b2: w.b2,
        }
    }

    fn config(&self) -> TrainConfig {
        TrainConfig {
            epochs: 1,
            batch_size: self.batches[0].y.len(),
            lr: self.adam.learning_rate,
            beta1: self.adam.beta_1,
            beta2: self.adam.beta_2,
            adam_eps: self.adam.epsilon,
            ..TrainConfig::default()
        }
    }

    fn batch(&self, k: usize) -> Dataset {
        Dataset {
            inputs: self.network.inputs,
            x: self.batches[k].x.clone(),
            y: self.batches[k].y.clone(),
        }
    }

    fn eval_set(&self) -> Dataset {
        Dataset {
            inputs: self.network.inputs,
            x: self.eval.x.clone(),
            y: self.eval.y.clone(),
        }
    }

    /// The first `k` batches as one training set laid out so that the reference's epoch-0
    /// shuffle (`epoch_order`) hands them out in the fixture's order: row `order[i]` holds the
    /// fixture's sample `i`, so chunk `j` of the order is batch `j`.
    fn arranged(&self, k: usize) -> Dataset {
        let d = self.network.inputs;
        let samples: Vec<(&[f32], f32)> = self.batches[..k]
            .iter()
            .flat_map(|b| b.x.chunks(d).zip(b.y.iter().copied()))
            .collect();
        let order = epoch_order(samples.len(), SHUFFLE_SEED, 0);
        let mut x = vec![0.0; samples.len() * d];
        let mut y = vec![0.0; samples.len()];
        for (i, (row, label)) in samples.into_iter().enumerate() {
            x[order[i] * d..(order[i] + 1) * d].copy_from_slice(row);
            y[order[i]] = label;
        }
        Dataset { inputs: d, x, y }
    }
}

const SHUFFLE_SEED: u64 = 7;

/// `reference::train` for one epoch over the first `k` fixture batches: the weights after
/// step `k` and the epoch record.
fn reference_after(fx: &Steps, k: usize) -> (MlpParams, EpochRecord) {
    let job = NetworkJob {
        params: fx.params(&fx.initial),
        template: None,
        reset_seed: 0,
    };
    let (p, records) = reference::train(
        &job,
        &fx.config(),
        &fx.arranged(k),
        &fx.eval_set(),
        SHUFFLE_SEED,
    )
    .unwrap();
    (p, records[0])
}

// ---------------------------------------------------------------------------------------------
// A replica of the reference's training loop with one semantic changed at a time

#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    /// The reference's own semantics (the replica must reproduce the reference exactly).
    Reference,
    /// As Keras 2.15 evaluates its constants: `1 - beta` in double precision from the Python
    /// floats 0.9 / 0.999 then rounded to float32, and `lr_t` from float32 powers of the
    /// float32 betas (the reference takes `1 - beta` of the float32 beta, and `lr_t` in f64).
    KerasConstants,
    /// PyTorch's placement: `w -= lr * m_hat / (sqrt(v_hat) + eps)`.
    TorchEpsilon,
    /// BCE from the sigmoid's probability clipped to [1e-7, 1 - 1e-7] (Keras without the logit
    /// recovery, Keras 3's `from_logits=False`): no gradient from saturated samples.
    ClippedBce,
}

fn params_flat(p: &MlpParams) -> Vec<f32> {
    let mut v: Vec<f32> = p.w1.iter().chain(&p.b1).chain(&p.w2).copied().collect();
    v.push(p.b2);
    v
}

fn set_flat(p: &mut MlpParams, flat: &[f32]) {
    let (d, h) = (p.inputs, p.hidden);
    p.w1.copy_from_slice(&flat[..d * h]);
    p.b1.copy_from_slice(&flat[d * h..d * h + h]);
    p.w2.copy_from_slice(&flat[d * h + h..d * h + 2 * h]);
    p.b2 = flat[d * h + 2 * h];
}

/// d loss / d logit for one sample.
fn dloss(o: f32, y: f32, variant: Variant) -> f32 {
    let s = reference::sigmoid(o);
    if variant != Variant::ClippedBce {
        return s - y;
    }
    const EPS: f32 = 1e-7;
    if !(EPS..=1.0 - EPS).contains(&s) {
        return 0.0;
    }
    let dp = -(y / (s + EPS)) + (1.0 - y) / (1.0 - s + EPS);
    dp * s * (1.0 - s)
}

/// Weights after every step, trained as the reference does except for `variant`.
fn replica(fx: &Steps, variant: Variant) -> Vec<MlpParams> {
    let cfg = fx.config();
    let mut p = fx.params(&fx.initial);
    let (d, h) = (p.inputs, p.hidden);
    let n = d * h + 2 * h + 1;
    let (mut m, mut v) = (vec![0.0f32; n], vec![0.0f32; n]);
    let (c1, c2) = match variant {
        Variant::KerasConstants => ((1.0 - 0.9f64) as f32, (1.0 - 0.999f64) as f32),
        _ => (1.0 - cfg.beta1, 1.0 - cfg.beta2),
    };
    let mut out = Vec::new();
    for (t, batch) in (1..).zip(&fx.batches) {
        let mut g = vec![0.0f32; n];
        let scale = 1.0 / batch.y.len() as f32;
        for (x, &y) in batch.x.chunks(d).zip(&batch.y) {
            let (z, o) = reference::forward(&p, x);
            let d_o = dloss(o, y, variant) * scale;
            g[n - 1] += d_o;
            for j in 0..h {
                g[d * h + h + j] += d_o * z[j].max(0.0);
                let dz = if z[j] > 0.0 { d_o * p.w2[j] } else { 0.0 };
                g[d * h + j] += dz;
                for i in 0..d {
                    g[i * h + j] += dz * x[i];
                }
            }
        }
        let mut w = params_flat(&p);
        let lr_t = match variant {
            Variant::KerasConstants => {
                let (b1t, b2t) = (cfg.beta1.powi(t), cfg.beta2.powi(t));
                cfg.lr * (1.0 - b2t).sqrt() / (1.0 - b1t)
            }
            _ => cfg.lr_t(t as u64),
        };
        for k in 0..n {
            m[k] += (g[k] - m[k]) * c1;
            v[k] += (g[k] * g[k] - v[k]) * c2;
            w[k] -= if variant == Variant::TorchEpsilon {
                let m_hat = m[k] / (1.0 - cfg.beta1.powi(t));
                let v_hat = v[k] / (1.0 - cfg.beta2.powi(t));
                cfg.lr * m_hat / (v_hat.sqrt() + cfg.adam_eps)
            } else {
                lr_t * m[k] / (v[k].sqrt() + cfg.adam_eps)
            };
        }
        set_flat(&mut p, &w);
        out.push(p.clone());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Training: weights and losses step by step

/// Tolerance on every weight after step `k`: `k * STEP_ATOL`, absolute (Adam's steps are of
/// absolute size about lr whatever the weight, so the error does not scale with |w|).
///
/// Per step: Keras 2.15 multiplies the moment updates by `1 - beta` evaluated in double from the
/// Python floats (`1 - 0.999` -> 0.001f32), while its `lr_t` and the reference use the float32
/// betas (`1 - 0.999f32` = 0.0010000229): Keras' `v` is 2.3e-5 smaller relative, its step
/// 1.15e-5 larger relative, i.e. up to 0.03 * 1.15e-5 = 3.5e-7 per step for a step of size
/// lr. Float32 rounding (weights below 0.5: half an ulp is 3e-8; Keras' matmul sums the batch
/// in another order) brings the budget to 4e-7 per step. Differences from earlier steps carry
/// over, hence `k *`. Measured: 2.1e-7 after step 1, 1.3e-6 after step 6 (budget 2.4e-6).
/// The replica with Keras' constants (`Variant::KerasConstants`) agrees to 1.5e-8 at step 1.
const STEP_ATOL: f32 = 4e-7;

/// Relative tolerance on losses computed from the same weights: float32 forward passes and a
/// float32 (Keras) vs f64 (reference) mean over at most 32 samples, a few ulp (1.2e-7 each).
const LOSS_RTOL: f32 = 1e-6;

fn params_flat_diff(a: &MlpParams, b: &MlpParams) -> f32 {
    params_flat(a)
        .iter()
        .zip(params_flat(b))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn rel(a: f32, b: f32) -> f32 {
    (a - b).abs() / b.abs()
}

#[test]
fn reference_follows_keras_step_by_step() {
    let fx = steps_fixture();
    assert_eq!(fx.steps.len(), fx.batches.len());
    let mut before = fx.params(&fx.initial);
    let mut keras_loss_sum = 0.0f64;
    let mut samples = 0usize;
    for (k, step) in (1..).zip(&fx.steps) {
        let (ours, record) = reference_after(&fx, k);
        let keras = fx.params(&step.weights);
        let dw = params_flat_diff(&ours, &keras);
        let tol = k as f32 * STEP_ATOL;
        assert!(dw <= tol, "step {k}: max |w - w_keras| = {dw:e} > {tol:e}");

        // The batch loss Keras reports (with the weights before the step), from our weights
        // and from Keras' weights.
        let batch = fx.batch(k - 1);
        let keras_before = if k == 1 {
            fx.params(&fx.initial)
        } else {
            fx.params(&fx.steps[k - 2].weights)
        };
        for (what, p) in [("ours", &before), ("keras'", &keras_before)] {
            let loss = reference::evaluate(p, &batch).0;
            assert!(
                rel(loss, step.batch_loss) <= LOSS_RTOL,
                "step {k}: batch loss with {what} weights {loss} vs Keras {}",
                step.batch_loss
            );
        }
        // The epoch loss: the sample-weighted mean of the batch losses so far.
        keras_loss_sum += f64::from(step.batch_loss) * batch.len() as f64;
        samples += batch.len();
        let keras_epoch = (keras_loss_sum / samples as f64) as f32;
        assert!(
            rel(record.train_loss, keras_epoch) <= LOSS_RTOL,
            "after {k} steps: train_loss {} vs Keras {keras_epoch}",
            record.train_loss
        );
        before = ours;
    }
    let (_, record) = reference_after(&fx, fx.steps.len());
    assert!(
        rel(record.train_loss, fx.fit_epoch_loss) <= LOSS_RTOL,
        "epoch loss {} vs Keras fit {}",
        record.train_loss,
        fx.fit_epoch_loss
    );
}

#[test]
fn the_step_test_fails_for_other_adam_or_bce_semantics() {
    let fx = steps_fixture();
    // The replica is the reference, bit for bit, so its variants differ in one semantic only.
    for (k, p) in (1..).zip(replica(&fx, Variant::Reference)) {
        assert_eq!(
            p,
            reference_after(&fx, k).0,
            "replica vs reference, step {k}"
        );
    }
    for variant in [Variant::TorchEpsilon, Variant::ClippedBce] {
        for (k, (p, step)) in (1..).zip(replica(&fx, variant).iter().zip(&fx.steps)) {
            let dw = params_flat_diff(p, &fx.params(&step.weights));
            let tol = k as f32 * STEP_ATOL;
            assert!(
                dw > 100.0 * tol,
                "{variant:?} would pass at step {k}: {dw:e} vs tolerance {tol:e}"
            );
        }
    }
}

#[test]
fn kerass_float32_constants_explain_the_residual() {
    // With Keras' own constants the first step (no history yet) is reproduced to float32
    // rounding of the weights; the reference's residual at step 1 is those constants.
    let fx = steps_fixture();
    let first = &replica(&fx, Variant::KerasConstants)[0];
    let dw = params_flat_diff(first, &fx.params(&fx.steps[0].weights));
    assert!(dw <= 5e-8, "Keras-constant replica, step 1: {dw:e}");
}

// ---------------------------------------------------------------------------------------------
// Binary cross-entropy, saturated logits included

/// Keras' BCE of a sigmoid output without the logit recovery: from the probability, clipped.
fn clipped_bce(o: f32, y: f32) -> f32 {
    const EPS: f32 = 1e-7;
    let p = reference::sigmoid(o).clamp(EPS, 1.0 - EPS);
    -(y * (p + EPS).ln() + (1.0 - y) * (1.0 - p + EPS).ln())
}

/// Per-sample losses of the evaluation set with the given weights.
fn eval_losses(fx: &Steps, p: &MlpParams, bce: fn(f32, f32) -> f32) -> Vec<(f32, f32)> {
    let set = fx.eval_set();
    (0..set.len())
        .map(|s| {
            let (_, o) = reference::forward(p, set.row(s));
            (o, bce(o, set.y[s]))
        })
        .collect()
}

/// Tolerance on the loss of one sample with logit `o`: `LOSS_RTOL` relative, plus the float32
/// rounding of the logit itself propagated through d loss / d o = sigmoid(o) - y. The saturated
/// samples' logits (|o| up to 80) are sums of terms up to about 300 (inputs up to 1024), a few
/// roundings of 6e-8 relative each: at most about 5e-5 absolute. The loss moves by
/// |sigmoid(o) - y| times that: about the loss itself when it is tiny (relative 5e-5), 1 when
/// it is large. Measured: relative 3.9e-6 on the tiny losses, 1e-7 elsewhere.
fn loss_tol(o: f32, y: f32, keras: f32) -> f32 {
    LOSS_RTOL * keras + 5e-5 * (reference::sigmoid(o) - y).abs()
}

#[test]
fn bce_matches_keras_including_saturated_logits() {
    let fx = steps_fixture();
    let last = &fx.steps[fx.steps.len() - 1].weights;
    for (what, w, keras) in [
        ("initial", &fx.initial, &fx.eval.initial_losses),
        ("final", last, &fx.eval.final_losses),
    ] {
        let p = fx.params(w);
        let ours = eval_losses(&fx, &p, reference::bce_with_logit);
        let clipped = eval_losses(&fx, &p, clipped_bce);
        let mut clipped_fails = false;
        for (s, (((o, l), (_, c)), &k)) in ours.iter().zip(&clipped).zip(keras).enumerate() {
            let y = fx.eval.y[s];
            let tol = loss_tol(*o, y, k);
            assert!(
                (l - k).abs() <= tol,
                "{what} weights, sample {s} (logit {o}): loss {l:e} vs Keras {k:e} (tol {tol:e})"
            );
            clipped_fails |= (c - k).abs() > 100.0 * tol;
        }
        assert!(
            clipped_fails,
            "{what}: BCE from a clipped probability would pass"
        );
    }
    // The fixture does exercise saturation: Keras' loss is the logit itself for a confidently
    // wrong sample (about 35.7 at the initial weights; a clipped probability caps it near 16).
    assert!(fx.eval.initial_losses.iter().any(|&l| l > 30.0));
}

// ---------------------------------------------------------------------------------------------
// Initialisers

/// Two-sample Kolmogorov-Smirnov: the statistic D and its asymptotic p-value
/// (Q_KS(lambda) with lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D, Stephens' correction).
fn ks_two_sample(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    let ne = (n * m / (n + m)).sqrt();
    let lambda = (ne + 0.12 + 0.11 / ne) * d;
    let p: f64 = (1..=100)
        .map(|k| {
            let k = f64::from(k);
            let sign = if k as i64 % 2 == 1 { 1.0 } else { -1.0 };
            2.0 * sign * (-2.0 * k * k * lambda * lambda).exp()
        })
        .sum();
    (d, p.clamp(0.0, 1.0))
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Our draws agree with Keras' sample: no value beyond 2 sd, mean and sd within 5 standard
/// errors, two-sample KS p-value above 1e-3. Returns a description of the first failure.
fn compare_to_keras(ours: &[f64], keras: &[f64], std: f64) -> Result<(), String> {
    let worst = ours.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if worst > 2.0 * std {
        return Err(format!("a draw beyond 2 sd: {worst}"));
    }
    let ((mo, so), (mk, sk)) = (mean_sd(ours), mean_sd(keras));
    let (no, nk) = (ours.len() as f64, keras.len() as f64);
    // Standard errors: of a mean sd/sqrt(n); of an sd sd * sqrt((kurtosis - 1) / (4 n)), with
    // the kurtosis of a normal truncated at +-2 sd (2.36).
    let se_mean = sk * (1.0 / no + 1.0 / nk).sqrt();
    let se_sd = sk * (1.36 / 4.0 * (1.0 / no + 1.0 / nk)).sqrt();
    if (mo - mk).abs() > 5.0 * se_mean {
        return Err(format!("mean {mo} vs Keras {mk} (se {se_mean:e})"));
    }
    if (so - sk).abs() > 5.0 * se_sd {
        return Err(format!("sd {so} vs Keras {sk} (se {se_sd:e})"));
    }
    let (d, p) = ks_two_sample(ours, keras);
    if p < 1e-3 {
        return Err(format!("KS D = {d}, p = {p:e}"));
    }
    Ok(())
}

#[test]
fn truncated_normal_matches_kerass_draws() {
    let fx = initializers_fixture();
    let keras = &fx.truncated_normal.values;
    let std = fx.truncated_normal.stddev;
    assert_eq!(keras.len(), 20_000);
    // Keras' own draws: none beyond 2 sd (the fixture is rounded to 1e-6).
    assert!(keras.iter().all(|x| x.abs() <= 2.0 * f64::from(std)));
    let mut rng = seed::rng(2023, &[]);
    let n = 200_000;
    let ours: Vec<f64> = (0..n)
        .map(|_| f64::from(truncated_normal(&mut rng, std)))
        .collect();
    compare_to_keras(&ours, keras, f64::from(std)).unwrap();

    // What the comparison rejects: a normal clipped at 2 sd instead of re-drawn (4.6% of the
    // mass on the bounds: KS D about 0.023, p about 1e-8; sd 0.240 instead of 0.220), and
    // VarianceScaling's variant, whose sd is `std` after truncation (draws up to 2.27 * std).
    let clipped: Vec<f64> = (0..n)
        .map(|_| {
            let z: f32 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            f64::from(z.clamp(-2.0, 2.0) * std)
        })
        .collect();
    let err = compare_to_keras(&clipped, keras, f64::from(std)).unwrap_err();
    let (_, p) = ks_two_sample(&clipped, keras);
    assert!(
        p < 1e-6,
        "the KS test alone must reject the clipped normal: p = {p:e} ({err})"
    );
    let rescaled: Vec<f64> = (0..n)
        .map(|_| f64::from(truncated_normal(&mut rng, std / 0.879_625_7)))
        .collect();
    compare_to_keras(&rescaled, keras, f64::from(std)).unwrap_err();
}

#[test]
fn glorot_uniform_bias_has_kerass_limits() {
    let fx = initializers_fixture();
    let mut rng = seed::rng(2024, &[]);
    for g in &fx.glorot_uniform_bias {
        // Keras' formula for a bias vector: fan_in = fan_out = len, limit sqrt(3 / len).
        assert!(
            g.max_abs <= g.limit && g.max_abs > 0.99 * g.limit,
            "Keras len {}",
            g.len
        );
        let draws: Vec<f32> = (0..20_000usize.div_ceil(g.len))
            .flat_map(|_| glorot_uniform_bias(&mut rng, g.len))
            .collect();
        let max = draws.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let limit = g.limit as f32;
        // 20000 uniform draws: the largest |value| is within 0.1% of the limit except with
        // probability 0.999^20000 = 2e-9; none reaches it (float32: one ulp of slack).
        assert!(
            max <= limit * (1.0 + f32::EPSILON) && max >= 0.999 * limit,
            "len {}: largest |draw| {max} vs Keras limit {limit}",
            g.len
        );
        // Uniform, not concentrated: the mean |value| is half the limit (sd of the estimate
        // limit / sqrt(12 * 20000) = 0.002 limit).
        let mean_abs = draws.iter().map(|x| f64::from(x.abs())).sum::<f64>() / draws.len() as f64;
        assert!(
            (mean_abs / g.limit - 0.5).abs() < 0.01,
            "len {}: mean |draw| {mean_abs} vs limit {}",
            g.len,
            g.limit
        );
    }
}
