#!/usr/bin/env python3
"""The XOR conditions trained with TensorFlow/Keras under the official code's training semantics,
for a run-for-run comparison with polarity's engine (docs/official-comparison.md,
docs/decisions.md D-XOR-DATA-10 to D-XOR-DATA-13).

Written for polarity from the description of the official code (Wang et al., ICML 2023,
github.com/AliceQingyangWang/weightPolarityExpr, XOR/ folder) recorded in docs/decisions.md;
none of its files is copied here. What it reproduces, and where polarity records it:
- data: the official pickles `num_dim=D%sample_size=N.pkl` (scripts/make_official_xor_data.py
  makes them with numpy seed 0), float64 fed to a float32 network (D-XOR-DATA-8, D-XOR-DATA-9);
- network: Input(D) -> Dense(h, relu) -> Dense(1, sigmoid); kernels TruncatedNormal(0, 0.25),
  biases GlorotUniform (D-TRAIN-4). The official code passes ONE unseeded TruncatedNormal object
  to both layers; under TF 2.9 (what the paper ran) that drew independent values, from TF 2.10 on
  the same object repeats its values (the output kernel becomes a copy of the first hidden row).
  This script gives each layer its own initializer object, which is what TF 2.9 effectively did
  (D-TRAIN-4, D-XOR-DATA-10);
- training: Adam(0.03), binary cross-entropy on the sigmoid output, metric 'accuracy', batch 32,
  100 epochs, `model.fit` with validation on the 1000-sample validation set after every epoch
  (batches of 32, as the official validation dataset);
- batch order (`--batch-order official`): `from_tensor_slices(...).cache().shuffle(n, seed=0)
  .batch(32)`, reshuffled every epoch with the same sequence in every run (D-XOR-DATA-5); or
  (`--batch-order FILE`) the per-epoch orders polarity's engine uses, from
  `polarity xor export-starts` (D-XOR-DATA-11);
- Freeze-SGD: after every optimiser step every kernel entry with `w * t < 0` is reset (posRand:
  `t * U[0, 0.001)`, zero, flip, posCon), biases free, Adam state untouched (D-RESET-1..5);
  templates: Frozen sufficient: hidden kernel signs, output `sign(w[0,j] * w[1,j])`, violators of
  the output template reset with the reset method before training (D-RESET-6, D-RESET-7);
  Frozen RAND: the initial kernels' own signs; Fluid: no template, its own independent draw
  (the official `clone_model` re-initialises);
- initial weights (`--init keras`): drawn by Keras, seeded per network by this script (the official
  code seeds nothing); or (`--init FILE`) polarity's exact aligned initial weights and templates
  from `polarity xor export-starts`, for curve-by-curve comparison.
posRand draws come from numpy's Generator seeded per network; they cannot equal polarity's.

Writes a CSV with the columns of polarity's XOR result table (README "The XOR result table"):
n_train,hidden,reset,condition,trial,epoch,train_loss,train_acc,val_loss,val_acc,
resets_hidden,resets_output,flips_hidden,flips_output; floats as the shortest text of their
float32 value, so `polarity xor compare` reads both tables with one reader.

Setup (a throw-away venv; TensorFlow is never needed by polarity's build or CI):
    python3.11 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install "tensorflow-cpu==2.15.1" "numpy<2"
    /tmp/tfvenv/bin/python scripts/make_official_xor_data.py official /tmp/official-xor
    /tmp/tfvenv/bin/python scripts/official_xor_keras.py --data /tmp/official-xor/data \
        --sizes 60,500 --trials 20 --out keras-official.csv
"""

import argparse
import csv
import json
import math
import os
import pickle
import sys
import time
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

CONDITIONS = ("frozen-sufficient", "frozen-rand", "fluid")
RESETS = ("posRand", "posCon", "zero", "flip")
HEADER = [
    "n_train", "hidden", "reset", "condition", "trial", "epoch",
    "train_loss", "train_acc", "val_loss", "val_acc",
    "resets_hidden", "resets_output", "flips_hidden", "flips_output",
]


def fail(message):
    print(f"official_xor_keras.py: {message}", file=sys.stderr)
    sys.exit(2)


def f32_text(value):
    """The shortest text that reads back as the same float32 (what polarity's table writes)."""
    return str(np.float32(value))


def network_seed(base, n_train, hidden, condition, trial):
    """A per-network seed that depends on the coordinates only (not on the order of the runs)."""
    key = f"{base}/{n_train}/{hidden}/{condition}/{trial}".encode()
    return zlib.crc32(key) ^ (base * 0x9E3779B1 & 0xFFFFFFFF)


def load_pickles(folder, sizes):
    """The official pickles of the requested sizes: x (N, D) float64 and y (N,) per size, plus
    the shared validation set."""
    sets, val, dims = {}, None, None
    for n in sizes:
        matches = [f for f in os.listdir(folder) if f.endswith(f"%sample_size={n}.pkl")]
        if len(matches) != 1:
            fail(f"--data {folder}: expected one file num_dim=D%sample_size={n}.pkl, found {matches}")
        path = os.path.join(folder, matches[0])
        with open(path, "rb") as f:
            blob = pickle.load(f)
        try:
            train, v = blob["dataset_train"], blob["dataset_val"]
            x, y = np.asarray(train["data"]).T, np.asarray(train["labels"])
            xv, yv = np.asarray(v["data"]).T, np.asarray(v["labels"])
        except (KeyError, TypeError) as e:
            fail(f"{path}: not an official XOR pickle ({e!r}); expected dataset_train/dataset_val dicts")
        if x.shape[0] != n or y.shape != (n,):
            fail(f"{path}: training data has shape {x.shape} / labels {y.shape}, expected ({n}, D) / ({n},)")
        if dims is None:
            dims, val = x.shape[1], (xv, yv)
        elif x.shape[1] != dims or not np.array_equal(val[0], xv):
            fail(f"{path}: dimensions or validation set differ from the other files")
        sets[n] = (x, y)
    return sets, val, dims


class FreezeSequential(tf.keras.Sequential):
    """Sequential whose training step is Keras' own followed by Freeze-SGD's reset of every
    kernel entry with w * t < 0 (the official code does the reset in a callback's
    on_train_batch_end with numpy; the same operation after the same step, here inside the
    compiled step, without copying the weights to numpy and back). Reset counts per layer
    accumulate in `reset_counts`."""

    def configure_freeze(self, templates, method, eps, seed):
        self.freeze_templates = None if templates is None else [
            tf.constant(t, tf.float32) for t in templates]
        self.freeze_method, self.freeze_eps = method, eps
        self.freeze_rng = tf.random.Generator.from_seed(seed)
        self.reset_counts = tf.Variable([0, 0], dtype=tf.int64, trainable=False)

    def train_step(self, data):
        logs = super().train_step(data)
        if self.freeze_templates is not None:
            for i, (layer, t) in enumerate(zip(self.layers, self.freeze_templates)):
                k = layer.kernel
                bad = k * t < 0
                if self.freeze_method == "posRand":
                    fresh = t * self.freeze_rng.uniform(k.shape, 0.0, self.freeze_eps)
                elif self.freeze_method == "posCon":
                    fresh = t * self.freeze_eps
                elif self.freeze_method == "zero":
                    fresh = tf.zeros_like(k)
                else:  # flip
                    fresh = -k
                k.assign(tf.where(bad, fresh, k))
                self.reset_counts[i].assign(
                    self.reset_counts[i] + tf.reduce_sum(tf.cast(bad, tf.int64)))
        return logs


def build_model(dims, hidden):
    """Input(D) -> Dense(h, relu) -> Dense(1, sigmoid), one initializer object per layer."""
    def kernel_init():
        return tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.25)

    return FreezeSequential([
        tf.keras.layers.Input(shape=(dims,)),
        tf.keras.layers.Dense(hidden, activation="relu", kernel_initializer=kernel_init(),
                              bias_initializer=tf.keras.initializers.GlorotUniform(), name="dense_1"),
        tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer=kernel_init(),
                              bias_initializer=tf.keras.initializers.GlorotUniform(), name="dense_2"),
    ])


def reset_violations(w, template, method, eps, rng):
    """Freeze-SGD's reset (numpy, in place) of every entry with w * t < 0, for the initial
    alignment; returns the count."""
    bad = (w * template) < 0
    count = int(bad.sum())
    if count == 0:
        return 0
    t = template[bad].astype(w.dtype)
    if method == "posRand":
        draws = rng.uniform(0.0, eps, size=w.shape).astype(w.dtype)
        w[bad] = t * draws[bad]
    elif method == "posCon":
        w[bad] = t * np.float32(eps)
    elif method == "zero":
        w[bad] = 0.0
    elif method == "flip":
        w[bad] = -w[bad]
    return count


class EpochLog(tf.keras.callbacks.Callback):
    """Collects polarity's per-epoch row: Keras' epoch logs, resets and sign flips per layer."""

    def __init__(self):
        super().__init__()
        self.rows = []

    def set_start(self):
        self.previous = [np.sign(layer.get_weights()[0]) for layer in self.model.layers]

    def on_epoch_end(self, epoch, logs=None):
        signs = [np.sign(layer.get_weights()[0]) for layer in self.model.layers]
        flips = [int((a != b).sum()) for a, b in zip(signs, self.previous)]
        self.previous = signs
        resets = [int(v) for v in self.model.reset_counts.numpy()]
        self.model.reset_counts.assign([0, 0])
        self.rows.append([logs["loss"], logs["accuracy"], logs["val_loss"], logs["val_accuracy"],
                          resets[0], resets[1], flips[0], flips[1]])


def read_starts(path):
    with open(path) as f:
        starts = json.load(f)
    if starts.get("format") != "polarity-xor-starts/1":
        fail(f"{path}: field 'format' is {starts.get('format')!r}, expected 'polarity-xor-starts/1'"
             " (the output of `polarity xor export-starts`)")
    return starts


def given_dataset(x, y, orders, batch_size):
    """Batches in the given per-epoch orders: epoch e's batches are order[e] cut into batch_size."""
    xs = tf.constant(x.astype(np.float32))
    ys = tf.constant(y.astype(np.float32))
    idx = tf.data.Dataset.from_tensor_slices(np.asarray(orders, dtype=np.int64))
    batches = idx.flat_map(lambda o: tf.data.Dataset.from_tensor_slices(o).batch(batch_size))
    return batches.map(lambda b: (tf.gather(xs, b), tf.gather(ys, b)))


def official_dataset(x, y, batch_size):
    """The official pipeline's order: cache, shuffle(n, seed=0) reshuffled each epoch, batch.
    The official code sets no global TF seed, so the shuffle's seeds are (TF's default graph
    seed, 0): one fixed sequence for every run. This script seeds the global generator per network
    for the initialisers, so it clears the global seed before the dataset is made (its seeds are
    fixed when it is made); a fresh dataset per network starts the sequence from its first epoch,
    as the official one-process-per-run code does."""
    tf.random.set_seed(None)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    return ds.shuffle(x.shape[0], seed=0).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def train_one(args, x, y, val_ds, dims, n_train, hidden, condition, trial, start, orders):
    seed = network_seed(args.seed, n_train, hidden, condition, trial)
    tf.keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = build_model(dims, hidden)
    if start is not None:
        model.layers[0].set_weights([np.asarray(start["w1"], np.float32).reshape(dims, hidden),
                                     np.asarray(start["b1"], np.float32)])
        model.layers[1].set_weights([np.asarray(start["w2"], np.float32).reshape(hidden, 1),
                                     np.asarray([start["b2"]], np.float32)])
        templates = None
        if start["template_w1"] is not None:
            templates = [np.asarray(start["template_w1"], np.int8).reshape(dims, hidden),
                         np.asarray(start["template_w2"], np.int8).reshape(hidden, 1)]
    else:
        templates = None
        if condition != "fluid":
            w1 = model.layers[0].get_weights()[0]
            w2, b2 = model.layers[1].get_weights()
            t1 = np.sign(w1).astype(np.int8)
            if condition == "frozen-sufficient":
                t2 = np.sign(w1[0, :] * w1[1, :]).reshape(-1, 1).astype(np.int8)
            else:
                t2 = np.sign(w2).astype(np.int8)
            templates = [t1, t2]
            # Initial alignment with the reset method (only the output layer can violate).
            reset_violations(w2, t2, args.reset, args.reset_eps, rng)
            model.layers[1].set_weights([w2, b2])
    model.configure_freeze(templates, args.reset, args.reset_eps, seed)
    model.compile(optimizer=tf.keras.optimizers.Adam(args.lr), loss="binary_crossentropy",
                  metrics=["accuracy"])
    log = EpochLog()
    log.set_model(model)
    log.set_start()
    steps = math.ceil(n_train / args.batch_size)
    if orders is None:
        train_ds = official_dataset(x, y, args.batch_size)
        model.fit(train_ds, epochs=args.epochs, verbose=0, validation_data=val_ds, callbacks=[log])
    else:
        # One iterator over all epochs (steps_per_epoch below the dataset's length: Keras does not
        # restart it), so epoch e sees exactly order[e].
        train_ds = given_dataset(x, y, orders[: args.epochs], args.batch_size)
        model.fit(train_ds, epochs=args.epochs, steps_per_epoch=steps, verbose=0,
                  validation_data=val_ds, callbacks=[log])
    return log.rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="folder of the official num_dim=D%%sample_size=N.pkl files")
    p.add_argument("--sizes", default="60,500", help="training sizes, comma-separated")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--first-trial", type=int, default=0, help="trial numbers start here")
    p.add_argument("--conditions", default=",".join(CONDITIONS))
    p.add_argument("--reset", default="posRand", choices=RESETS)
    p.add_argument("--reset-eps", type=float, default=0.001)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--val-batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.03)
    p.add_argument("--seed", type=int, default=0, help="seeds Keras' draws and posRand per network")
    p.add_argument("--batch-order", default="official",
                   help="'official' (shuffle(n, seed=0) each epoch) or a starts JSON from `polarity xor export-starts`")
    p.add_argument("--init", default="keras",
                   help="'keras' (Keras' own draw) or a starts JSON from `polarity xor export-starts`")
    p.add_argument("--threads", type=int, default=1, help="TensorFlow intra/inter-op threads")
    p.add_argument("--out", required=True, help="CSV to write (atomically)")
    args = p.parse_args()

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        fail(f"--sizes {args.sizes!r}: expected comma-separated integers")
    conditions = args.conditions.split(",")
    for c in conditions:
        if c not in CONDITIONS:
            fail(f"--conditions: {c!r} is not one of {', '.join(CONDITIONS)}")
    sets, (xv, yv), dims = load_pickles(args.data, sizes)
    val_ds = tf.data.Dataset.from_tensor_slices((xv, yv)).batch(args.val_batch_size)

    orders = {}
    if args.batch_order != "official":
        starts = read_starts(args.batch_order)
        for entry in starts["batch_orders"]:
            orders[entry["n_train"]] = entry["epochs"]
        for n in sizes:
            if n not in orders or len(orders[n]) < args.epochs:
                fail(f"--batch-order {args.batch_order}: no {args.epochs} epoch orders for n_train = {n}")
    init = {}
    if args.init != "keras":
        starts = read_starts(args.init)
        for s in starts["networks"]:
            init[(s["n_train"], s["hidden"], s["condition"], s["trial"])] = s
            if s["reset"] != args.reset:
                fail(f"--init {args.init}: network {s['condition']} trial {s['trial']} was exported "
                     f"with reset {s['reset']}, but --reset is {args.reset}")

    tmp = args.out + ".tmp"
    t0 = time.time()
    with open(tmp, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        for n in sizes:
            x, y = sets[n]
            for condition in conditions:
                for trial in range(args.first_trial, args.first_trial + args.trials):
                    start = None
                    if init:
                        start = init.get((n, args.hidden, condition, trial))
                        if start is None:
                            fail(f"--init {args.init}: no network n_train={n} hidden={args.hidden} "
                                 f"condition={condition} trial={trial}")
                    rows = train_one(args, x, y, val_ds, dims, n, args.hidden, condition, trial,
                                     start, orders.get(n))
                    for epoch, r in enumerate(rows):
                        out.writerow([n, args.hidden, args.reset, condition, trial, epoch]
                                     + [f32_text(v) for v in r[:4]] + r[4:])
                    f.flush()
                    print(f"n={n} {condition} trial {trial}: final val_acc {rows[-1][3]:.3f} "
                          f"({time.time() - t0:.0f} s)", file=sys.stderr)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
