//! The reference implementation: one network, obvious code, no tricks. The batched engine must
//! match it (tests/differential.rs); other backends (burn) are tested against it too.

use crate::data::{epoch_order, Dataset};
use crate::{EngineError, EpochRecord, MlpParams, NetworkJob, TrainConfig};
use polarity_core::{seed, sign_of};

/// Numerically stable binary cross-entropy of logit `o` against label `y`
/// (what Keras computes for a sigmoid output: it recovers the logit).
pub fn bce_with_logit(o: f32, y: f32) -> f32 {
    o.max(0.0) - o * y + (-o.abs()).exp().ln_1p()
}

pub fn sigmoid(o: f32) -> f32 {
    1.0 / (1.0 + (-o).exp())
}

/// Forward pass of one sample: hidden pre-activations and the output logit.
pub fn forward(p: &MlpParams, x: &[f32]) -> (Vec<f32>, f32) {
    let mut z = p.b1.clone();
    for (j, zj) in z.iter_mut().enumerate() {
        for (i, xi) in x.iter().enumerate() {
            *zj += xi * p.w1[i * p.hidden + j];
        }
    }
    let mut o = p.b2;
    for (j, zj) in z.iter().enumerate() {
        o += zj.max(0.0) * p.w2[j];
    }
    (z, o)
}

/// Mean loss and accuracy (logit > 0 means class 1) over a dataset.
pub fn evaluate(p: &MlpParams, data: &Dataset) -> (f32, f32) {
    let (mut loss, mut correct) = (0.0f64, 0usize);
    for s in 0..data.len() {
        let (_, o) = forward(p, data.row(s));
        loss += f64::from(bce_with_logit(o, data.y[s]));
        correct += usize::from((o > 0.0) == (data.y[s] > 0.5));
    }
    (
        (loss / data.len() as f64) as f32,
        correct as f32 / data.len() as f32,
    )
}

struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

/// Trains one network; returns its final weights and one record per epoch.
pub fn train(
    job: &NetworkJob,
    cfg: &TrainConfig,
    train_set: &Dataset,
    val_set: &Dataset,
    shuffle_seed: u64,
) -> Result<(MlpParams, Vec<EpochRecord>), EngineError> {
    cfg.validate()?;
    let mut p = job.params.clone();
    let (d, h) = (p.inputs, p.hidden);
    let mut rng = seed::rng(job.reset_seed, &[]);
    // Parameters flattened as [w1, b1, w2, b2] for the optimiser.
    let n_params = d * h + h + h + 1;
    let mut adam = Adam {
        m: vec![0.0; n_params],
        v: vec![0.0; n_params],
    };
    let mut step: u64 = 0;
    let mut prev_signs: Vec<i8> = p.w1.iter().chain(&p.w2).map(|&w| sign_of(w)).collect();
    let mut records = Vec::with_capacity(cfg.epochs);

    for epoch in 0..cfg.epochs {
        let order = epoch_order(train_set.len(), shuffle_seed, epoch);
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        let mut resets = [0u32; 2];
        for batch in order.chunks(cfg.batch_size) {
            let mut g = vec![0.0f32; n_params];
            let scale = 1.0 / batch.len() as f32;
            for &s in batch {
                let (x, y) = (train_set.row(s), train_set.y[s]);
                let (z, o) = forward(&p, x);
                loss_sum += f64::from(bce_with_logit(o, y));
                correct += usize::from((o > 0.0) == (y > 0.5));
                let d_o = (sigmoid(o) - y) * scale;
                g[n_params - 1] += d_o;
                for j in 0..h {
                    g[d * h + h + j] += d_o * z[j].max(0.0);
                    let dz = if z[j] > 0.0 { d_o * p.w2[j] } else { 0.0 };
                    g[d * h + j] += dz;
                    for i in 0..d {
                        g[i * h + j] += dz * x[i];
                    }
                }
            }
            // Keras Adam (epsilon-hat form).
            step += 1;
            let lr_t = cfg.lr_t(step);
            let mut flat: Vec<f32> = p.w1.iter().chain(&p.b1).chain(&p.w2).copied().collect();
            flat.push(p.b2);
            for k in 0..n_params {
                adam.m[k] += (g[k] - adam.m[k]) * (1.0 - cfg.beta1);
                adam.v[k] += (g[k] * g[k] - adam.v[k]) * (1.0 - cfg.beta2);
                flat[k] -= lr_t * adam.m[k] / (adam.v[k].sqrt() + cfg.adam_eps);
            }
            p.w1.copy_from_slice(&flat[..d * h]);
            p.b1.copy_from_slice(&flat[d * h..d * h + h]);
            p.w2.copy_from_slice(&flat[d * h + h..d * h + 2 * h]);
            p.b2 = flat[n_params - 1];
            // Freeze-SGD: the template is checked after every step.
            if let Some(t) = &job.template {
                let r = p
                    .align(t, cfg.reset, &mut rng)
                    .map_err(|source| EngineError::Polarity { network: 0, source })?;
                resets[0] += r[0];
                resets[1] += r[1];
            }
        }
        let (val_loss, val_acc) = evaluate(&p, val_set);
        let signs: Vec<i8> = p.w1.iter().chain(&p.w2).map(|&w| sign_of(w)).collect();
        let changed = |a: &[i8], b: &[i8]| a.iter().zip(b).filter(|(x, y)| x != y).count() as u32;
        let flips = [
            changed(&signs[..d * h], &prev_signs[..d * h]),
            changed(&signs[d * h..], &prev_signs[d * h..]),
        ];
        prev_signs = signs;
        records.push(EpochRecord {
            train_loss: (loss_sum / train_set.len() as f64) as f32,
            train_acc: correct as f32 / train_set.len() as f32,
            val_loss,
            val_acc,
            resets,
            flips,
        });
    }
    Ok((p, records))
}
