#!/usr/bin/env python3
"""Writes the Keras fixtures that crates/mlp/tests/keras_fixture.rs and
crates/burn/tests/keras_adam_fixture.rs hold our code to.

Generated with (the versions are also written into the fixtures):
    Python 3.11.7, tensorflow-cpu 2.15.1 (Keras 2.15.0: the last Keras 2, the `keras` package the
    official code imports; Python 3.11 wheels exist from TF 2.12 on), numpy 1.26.4, scipy 1.17.1
    (summary statistics only). CPU, one thread, op determinism on.

What is fixed, and written into the fixtures, so the Rust tests need no Python:
  keras_mlp_steps.json (14 KB): the reference MLP's network as the official code builds it
    (XOR/getSingleLayerNet.py: Dense(H, relu) -> Dense(1, sigmoid), loss='binary_crossentropy',
    keras.optimizers.Adam(0.03), beta_1 0.9, beta_2 0.999, epsilon 1e-7), D = 4 inputs, H = 8:
    - the initial weights (drawn once by Keras' TruncatedNormal(0, 0.25) / GlorotUniform with
      fixed seeds, then written out: the tests start from these values, not from a seed);
    - 6 training batches of 32, 32, 32, 32, 32 and 12 samples (a short last batch), fixed data:
      inputs 1-2 the official XOR quadrant cells, input 3 N(1, 1) nuisance, input 4 at scale
      1e-5 (its kernel row gets gradients with sqrt(v) of the order of epsilon, so where epsilon
      enters Adam's step matters there); the first sample of batch 0 is scaled so that its logit
      is beyond +-30 on the wrong side (a saturated sigmoid: BCE from the recovered logit vs
      from a clipped probability differ by about 15 in loss and in gradient);
    - per step, in order: the batch loss as `model.train_on_batch` returns it (the loss with the
      weights before the step, as Keras' fit computes it) and all weights after the step;
    - `fit_epoch_loss`: `model.fit` over the same batches in the same order (shuffle=False), one
      epoch, from the same initial weights: Keras' epoch `loss` (the sample-weighted mean of the
      batch losses); the script checks that fit ends on the same weights as the step loop;
    - an evaluation set of 8 samples (4 ordinary, 4 with saturated logits, 2 of them wrong) and
      the per-sample BCE Keras computes for them (keras.losses.binary_crossentropy on the sigmoid
      output of the model) with the initial and the final weights.
  keras_initializers.json (about 200 KB):
    - 20000 draws of keras.initializers.TruncatedNormal(mean=0, stddev=0.25, seed=20230) on one
      tensor, rounded to 1e-6 (the project's kernel initializer), and their summary statistics;
    - keras.initializers.GlorotUniform on a bias vector of length n (the official code's bias
      initializer): the limit Keras computes (its own _compute_fans and VarianceScaling formula)
      and the largest |value| over many seeded draws, for several n.

Floats are written as the shortest decimal that reads back as the same float32.

Regenerate (CPU only, a few seconds; the output is deterministic):
    python3 -m venv /tmp/kvenv
    /tmp/kvenv/bin/pip install tensorflow-cpu==2.15.1 'numpy<2' scipy
    /tmp/kvenv/bin/python crates/mlp/scripts/make_keras_fixture.py crates/mlp/tests/fixtures
"""

import json
import os
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CUDA_VISIBLE_DEVICES"] = ""

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.stats  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

D, H = 4, 8
BATCH_SIZES = [32, 32, 32, 32, 32, 12]
LR, BETA_1, BETA_2, EPSILON = 0.03, 0.9, 0.999, 1e-7
KERNEL_STD = 0.25
DATA_SEED = 20230723
N_TRUNC = 20000
TRUNC_SEED = 20230


def f32_list(a):
    """float32 values as the shortest decimals that read back as the same float32."""
    out = []
    for v in np.asarray(a, dtype=np.float32).ravel():
        s = np.format_float_scientific(v, unique=True, trim="-")
        x = float(s)
        assert np.float32(x) == v, (s, v)
        out.append(x)
    return out


def f32(v):
    return f32_list([v])[0]


def build_model(initial=None):
    model = keras.Sequential(
        [
            keras.layers.Input(shape=(D,)),
            keras.layers.Dense(
                H,
                activation="relu",
                kernel_initializer=keras.initializers.TruncatedNormal(0.0, KERNEL_STD, seed=1),
                bias_initializer=keras.initializers.GlorotUniform(seed=2),
                name="dense_1",
            ),
            keras.layers.Dense(
                1,
                activation="sigmoid",
                kernel_initializer=keras.initializers.TruncatedNormal(0.0, KERNEL_STD, seed=3),
                bias_initializer=keras.initializers.GlorotUniform(seed=4),
                name="dense_2",
            ),
        ]
    )
    if initial is not None:
        model.set_weights(initial)
    model.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=LR, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON
        ),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def weights_dict(model):
    w1, b1, w2, b2 = model.get_weights()
    assert w1.shape == (D, H) and w2.shape == (H, 1)
    return {"w1": f32_list(w1), "b1": f32_list(b1), "w2": f32_list(w2), "b2": f32(b2[0])}


def logits(weights, x):
    """float64 forward pass (only used to place the saturated samples)."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    return (np.maximum(x @ w1 + b1, 0.0) @ w2 + b2)[:, 0]


def saturated(weights, direction, target_abs):
    """`direction` scaled until |logit| >= target_abs, with the nuisance input at 1."""
    for k in range(40):
        x = np.array([[direction[0] * 2.0**k, direction[1] * 2.0**k, 1.0, 0.0]])
        o = logits(weights, x.astype(np.float32))[0]
        if abs(o) >= target_abs:
            return x[0].astype(np.float32), o
    raise RuntimeError(f"direction {direction} does not saturate")


def xor_samples(rng, n):
    """The official generator's cells: low coordinate in [-1, 0), high in [0.05, 1.05)."""
    cells = rng.integers(0, 4, size=n)

    def coord(high):
        return np.where(high, rng.uniform(0.05, 1.05, n), rng.uniform(-1.0, 0.0, n))

    x = np.stack(
        [coord((cells & 1) == 1), coord((cells & 2) == 2), rng.normal(1.0, 1.0, n), 1e-5 * rng.normal(size=n)],
        axis=1,
    ).astype(np.float32)
    y = ((x[:, 0] > 0) == (x[:, 1] > 0)).astype(np.float32)
    return x, y


def per_sample_bce(model, x, y):
    out = model(x, training=False)
    return keras.losses.binary_crossentropy(y[:, None], out).numpy()


def steps_fixture(versions):
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(DATA_SEED)

    model = build_model()
    initial = [w.copy() for w in model.get_weights()]

    x, y = xor_samples(rng, sum(BATCH_SIZES))
    # A saturated, misclassified first sample: logit beyond +-30 with the wrong label.
    xs, o = saturated(initial, (1.0, -1.0), 30.0)
    x[0], y[0] = xs, np.float32(o < 0)
    # Evaluation set: 4 ordinary samples, 4 saturated (two right, two wrong).
    ex, ey = xor_samples(rng, 4)
    ex, ey = list(ex), list(ey)
    for direction, wrong in [((1.0, 1.0), False), ((-1.0, -1.0), True), ((-1.0, 1.0), False), ((1.0, -0.5), True)]:
        xs, o = saturated(initial, direction, 25.0)
        ex.append(xs)
        ey.append(np.float32((o > 0) != wrong))
    ex, ey = np.array(ex, dtype=np.float32), np.array(ey, dtype=np.float32)
    initial_eval = per_sample_bce(model, ex, ey)

    bounds = np.cumsum([0] + BATCH_SIZES)
    batches, steps = [], []
    for k in range(len(BATCH_SIZES)):
        xb, yb = x[bounds[k] : bounds[k + 1]], y[bounds[k] : bounds[k + 1]]
        batch_loss = model.train_on_batch(xb, yb, return_dict=True)["loss"]
        batches.append({"x": f32_list(xb), "y": f32_list(yb)})
        steps.append({"batch_loss": f32(batch_loss), **weights_dict(model)})
    final_eval = per_sample_bce(model, ex, ey)
    assert int(model.optimizer.iterations.numpy()) == len(BATCH_SIZES)

    # The same epoch through model.fit: same weights at the end, Keras' epoch loss.
    fitted = build_model(initial)
    hist = fitted.fit(x, y, batch_size=BATCH_SIZES[0], epochs=1, shuffle=False, verbose=0)
    for a, b in zip(fitted.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    weighted = sum(s["batch_loss"] * n for s, n in zip(steps, BATCH_SIZES)) / sum(BATCH_SIZES)
    assert abs(hist.history["loss"][0] - weighted) <= 1e-6 * weighted, (hist.history, weighted)

    init_model = build_model(initial)
    return {
        "about": "Keras 2.15 training of the reference MLP's network: fixed initial weights, fixed "
        "batches, per-step batch loss and weights (crates/mlp/scripts/make_keras_fixture.py)",
        "versions": versions,
        "network": {
            "inputs": D,
            "hidden": H,
            "layers": "Dense(hidden, relu) -> Dense(1, sigmoid); kernels [in, out] row-major",
            "loss": "binary_crossentropy (Keras recovers the logit of the sigmoid output)",
        },
        "adam": {
            "learning_rate": LR,
            "beta_1": BETA_1,
            "beta_2": BETA_2,
            "epsilon": EPSILON,
            "keras_class": type(model.optimizer).__module__ + "." + type(model.optimizer).__name__,
            "jit_compile": bool(model.optimizer.jit_compile),
        },
        "initial": weights_dict(init_model),
        "batches": batches,
        "steps": steps,
        "fit_epoch_loss": f32(hist.history["loss"][0]),
        "eval": {
            "x": f32_list(ex),
            "y": f32_list(ey),
            "initial_logits_f64": [float(v) for v in logits(initial, ex)],
            "initial_losses": f32_list(initial_eval),
            "final_losses": f32_list(final_eval),
        },
    }


def initializers_fixture(versions):
    init = keras.initializers.TruncatedNormal(mean=0.0, stddev=KERNEL_STD, seed=TRUNC_SEED)
    values = init(shape=(N_TRUNC,), dtype="float32").numpy().astype(np.float64)
    assert np.abs(values).max() <= 2 * KERNEL_STD
    a, b = -2.0, 2.0
    ks = scipy.stats.kstest(values, scipy.stats.truncnorm(a, b, loc=0.0, scale=KERNEL_STD).cdf)
    truncated_normal = {
        "mean": 0.0,
        "stddev": KERNEL_STD,
        "seed": TRUNC_SEED,
        "rounding": 1e-6,
        "values": [round(v, 6) for v in values],
        "summary": {
            "n": N_TRUNC,
            "min": values.min(),
            "max": values.max(),
            "sample_mean": values.mean(),
            "sample_std": values.std(ddof=1),
            "theory_std": float(scipy.stats.truncnorm(a, b, scale=KERNEL_STD).std()),
            "ks_vs_scipy_truncnorm_p": float(ks.pvalue),
        },
    }
    from keras.src.initializers.initializers import _compute_fans

    glorot = []
    for n, draws in [(1, 4000), (2, 2000), (5, 800), (8, 500), (16, 250), (64, 64)]:
        g = keras.initializers.GlorotUniform()
        fan_in, fan_out = _compute_fans((n,))
        limit = float(np.sqrt(3.0 * g.scale / max(1.0, (fan_in + fan_out) / 2.0)))
        assert g.mode == "fan_avg" and g.distribution == "uniform"
        vals = np.concatenate(
            [keras.initializers.GlorotUniform(seed=1000 * n + s)(shape=(n,)).numpy() for s in range(draws)]
        ).astype(np.float64)
        assert np.abs(vals).max() <= limit
        glorot.append(
            {"len": n, "limit": limit, "draws": int(vals.size), "max_abs": float(np.abs(vals).max()), "mean_abs": float(np.abs(vals).mean())}
        )
    return {
        "about": "Keras 2.15 initializer draws and limits (crates/mlp/scripts/make_keras_fixture.py)",
        "versions": versions,
        "truncated_normal": truncated_normal,
        "glorot_uniform_bias": glorot,
    }


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
    versions = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    os.makedirs(out_dir, exist_ok=True)
    for name, fixture in [
        ("keras_mlp_steps.json", steps_fixture(versions)),
        ("keras_initializers.json", initializers_fixture(versions)),
    ]:
        path = os.path.join(out_dir, name)
        with open(path, "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
