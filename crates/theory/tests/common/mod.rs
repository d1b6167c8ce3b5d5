//! A small sign-constrained trainer for the oracle tests (an independent, heuristic check:
//! whatever it solves must be representable).

use polarity_theory::classes::SignClass;
use rand::Rng;

/// The four cell centres as (x1, x2, ±1 label).
pub const CENTRES: [(f64, f64, f64); 4] = [
    (-0.5, -0.5, 1.0),
    (-0.5, 0.55, -1.0),
    (0.55, -0.5, -1.0),
    (0.55, 0.55, 1.0),
];

/// Sign-constrained full-batch gradient descent (step `mean_lr` on the mean logistic loss); after
/// each step a weight with the wrong sign is reset to ±1e-3 (the polarity reset). Returns whether
/// the network classifies every point with margin at least 1e-3.
pub fn train(
    classes: &[SignClass],
    points: &[(f64, f64, f64)],
    steps: usize,
    mean_lr: f64,
    rng: &mut impl Rng,
) -> bool {
    let signs: Vec<[f64; 3]> = classes
        .iter()
        .map(|c| [f64::from(c.w1()), f64::from(c.w2()), f64::from(c.out())])
        .collect();
    // Per unit: w1, w2, bias, v.
    let mut params: Vec<[f64; 4]> = signs
        .iter()
        .map(|s| {
            [
                s[0] * rng.random_range(0.1..1.0),
                s[1] * rng.random_range(0.1..1.0),
                rng.random_range(-0.5..0.5),
                s[2] * rng.random_range(0.1..1.0),
            ]
        })
        .collect();
    let mut out_bias = 0.0;
    let logit = |params: &[[f64; 4]], out_bias: f64, x1: f64, x2: f64| {
        out_bias
            + params
                .iter()
                .map(|p| p[3] * (p[0] * x1 + p[1] * x2 + p[2]).max(0.0))
                .sum::<f64>()
    };
    let lr = mean_lr / points.len() as f64;
    for _ in 0..steps {
        let mut grads = vec![[0.0; 4]; params.len()];
        let mut grad_bias = 0.0;
        for &(x1, x2, y) in points {
            let f = logit(&params, out_bias, x1, x2);
            // d/df of ln(1 + exp(−y f)).
            let g = -y / (1.0 + (y * f).exp());
            grad_bias += g;
            for (p, grad) in params.iter().zip(grads.iter_mut()) {
                let z = p[0] * x1 + p[1] * x2 + p[2];
                if z > 0.0 {
                    grad[0] += g * p[3] * x1;
                    grad[1] += g * p[3] * x2;
                    grad[2] += g * p[3];
                    grad[3] += g * z;
                }
            }
        }
        out_bias -= lr * grad_bias;
        for ((p, grad), s) in params.iter_mut().zip(&grads).zip(&signs) {
            for k in 0..4 {
                p[k] -= lr * grad[k];
            }
            for (k, sign) in [(0, s[0]), (1, s[1]), (3, s[2])] {
                if p[k] * sign <= 0.0 {
                    p[k] = 1e-3 * sign;
                }
            }
        }
    }
    points
        .iter()
        .all(|&(x1, x2, y)| y * logit(&params, out_bias, x1, x2) >= 1e-3)
}
