#!/usr/bin/env python3
"""The official XOR data, made as the official code makes it, and the test fixtures of the
readers in crates/xor/src/given/.

The official pipeline (AliceQingyangWang/weightPolarityExpr, XOR/generators.py, called from the
XOR tutorial after `np.random.seed(0)`) draws its data once:
`generate_series_xper_samples([8, 20, 32, 40, 52, 60, 72, 80, 92, 100, 500], 1000, {'num_dim': 5, ...})`
and writes `data/num_dim=5%sample_size=N.pkl` with `pickle.dump` (the default protocol, 4 on
Python 3.8-3.13), each a dict {'dataset_train': {'data': (D, N) float64, 'labels': (N,) float64},
'dataset_val': {...}}. This script re-implements that with numpy's legacy global generator
(same calls in the same order, so the same numbers) and writes the files the same way. Recorded
in docs/decisions.md D-XOR-DATA-8.

Usage (in a throw-away venv with numpy < 2, as the official code used):
    python3 -m venv /tmp/xordata-venv && /tmp/xordata-venv/bin/pip install "numpy<2"
    /tmp/xordata-venv/bin/python scripts/make_official_xor_data.py fixtures crates/xor/tests/fixtures/xor-data
    /tmp/xordata-venv/bin/python scripts/make_official_xor_data.py official OUT_DIR [--dims 5]

`official` writes the full data set (11 files, validation 1000) into OUT_DIR/data/ and the same
numbers as OUT_DIR/official.csv. `fixtures` writes the readers' test fixtures: the first four
official files (identical to those of the full set: the generator draws in file order), their
CSV form (the largest training set and the validation set), a JSON dump of every value written
(from the arrays, not from the files) with the digests computed here, and bad files and folders.
"""

import argparse
import hashlib
import json
import os
import pickle
import shutil

import numpy as np

PAPER_SIZES = [8, 20, 32, 40, 52, 60, 72, 80, 92, 100, 500]
PAPER_VAL = 1000


# ---------------------------------------------------------------------------------------------
# The official generator, call for call (XOR/generators.py)


def generate_xor(num_sample, num_dim):
    """generateXOR: four cells of num_sample // 4 samples, grouped gp1, gp3 (label 1), gp2, gp4."""
    k = int(np.floor(num_sample / 4))
    gp1 = np.random.rand(k, 2)
    gp3 = np.random.rand(k, 2) + 1.05
    gp2 = np.random.rand(k, 2)
    gp2[:, 1] += 1.05
    gp4 = np.random.rand(k, 2)
    gp4[:, 0] += 1.05
    x = np.reshape(np.array([gp1[:, 0], gp3[:, 0], gp2[:, 0], gp4[:, 0]]), (1, -1)) - 1
    y = np.reshape(np.array([gp1[:, 1], gp3[:, 1], gp2[:, 1], gp4[:, 1]]), (1, -1)) - 1
    nuisance = np.random.normal(loc=1.0, scale=1.0, size=(num_dim - 2, x.shape[1]))
    data = np.concatenate((x, y, nuisance), axis=0)
    labels = np.concatenate((np.ones(k * 2), np.zeros(k * 2)))
    return {"data": data, "labels": labels}, k * 4


def supplement_xor(dataset, num_add):
    """supplementXOR: append a freshly generated block of num_add samples."""
    if num_add <= 0:
        return dataset
    add, _ = generate_xor(num_add, dataset["data"].shape[0])
    return {
        "data": np.concatenate((dataset["data"], add["data"]), axis=1),
        "labels": np.concatenate((dataset["labels"], add["labels"])),
    }


def file_name(num_dim, sample_size):
    # build_string_from_dict over the sorted keys num_dim, sample_size.
    return f"num_dim={num_dim}%sample_size={sample_size}.pkl"


def generate_series(sizes, val_size, num_dim):
    """generate_series_xper_samples: the first training set, then the validation set, then one
    block per further size; returns [(size, train, val)] in file order."""
    diffs = np.insert(np.diff(sizes), 0, 0)
    train, _ = generate_xor(sizes[0], num_dim)
    val, _ = generate_xor(val_size, num_dim)
    out = []
    for diff in diffs:
        train = supplement_xor(train, diff)
        out.append((train["labels"].shape[0], train, val))
    return out


def save_sample(folder, num_dim, train, val):
    """save_sample: pickle.dump of the dict, default protocol."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name(num_dim, train["labels"].shape[0]))
    with open(path, "wb+") as f:
        pickle.dump({"dataset_train": train, "dataset_val": val}, f)
    return path


# ---------------------------------------------------------------------------------------------
# Writers of the independent dumps


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_csv(path, train, val):
    """set,x1..xD,label; repr() of a float64 round-trips exactly."""
    dims = train["data"].shape[0]
    with open(path, "w", newline="\n") as f:
        f.write("set," + ",".join(f"x{d + 1}" for d in range(dims)) + ",label\n")
        for name, s in (("train", train), ("val", val)):
            for i in range(s["labels"].shape[0]):
                row = [repr(float(v)) for v in s["data"][:, i]]
                f.write(f"{name},{','.join(row)},{int(s['labels'][i])}\n")


def set_json(s):
    return {"data": s["data"].tolist(), "labels": s["labels"].tolist()}


def write_series(folder, series, num_dim):
    """The pickles, plus a JSON dump of the arrays and the manifest digest computed here."""
    files = []
    for size, train, val in series:
        path = save_sample(folder, num_dim, train, val)
        files.append({"name": os.path.basename(path), "sample_size": size,
                      "sha256": sha256(path), "train": set_json(train)})
    manifest = "".join(f"{f['sha256']}  {f['name']}\n" for f in files)
    return {
        "num_dim": num_dim,
        "files": files,
        "val": set_json(series[0][2]),
        "manifest_sha256": hashlib.sha256(manifest.encode()).hexdigest(),
    }


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Commands


def official(out, dims):
    np.random.seed(0)
    series = generate_series(list(PAPER_SIZES), PAPER_VAL, dims)
    dump = write_series(os.path.join(out, "data"), series, dims)
    _, train, val = series[-1]
    write_csv(os.path.join(out, "official.csv"), train, val)
    write_json(os.path.join(out, "official.json"), dump)
    print(f"wrote {len(series)} files to {out}/data, manifest sha256 {dump['manifest_sha256']}")


def bad_series(folder, seed=1):
    """A small valid series (sizes 8, 20, validation 8) to break one way per folder."""
    np.random.seed(seed)
    return generate_series([8, 20], 8, 5)


def write_pickle(folder, name, train, val):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        pickle.dump({"dataset_train": train, "dataset_val": val}, f)


def fixtures(out):
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)

    # The paper's call, first four files (the generator draws in file order, so these are the
    # official set's first four files byte for byte).
    np.random.seed(0)
    series = generate_series(list(PAPER_SIZES), PAPER_VAL, 5)[:4]
    dump = write_series(os.path.join(out, "official-d5"), series, 5)
    _, train, val = series[-1]
    write_csv(os.path.join(out, "official-d5.csv"), train, val)
    dump["csv_sha256"] = sha256(os.path.join(out, "official-d5.csv"))
    write_json(os.path.join(out, "official-d5.json"), dump)

    bad = os.path.join(out, "bad")

    # Data with 4 rows in a file named num_dim=5.
    (_, t8, v), (_, t20, _) = bad_series(bad)
    write_pickle(os.path.join(bad, "wrong-shape"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "wrong-shape"), file_name(5, 20),
                 {"data": t20["data"][:4], "labels": t20["labels"]}, v)

    # Two dimensions in one folder.
    write_pickle(os.path.join(bad, "mixed-dims"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "mixed-dims"), file_name(4, 20),
                 {"data": t20["data"][:4], "labels": t20["labels"]},
                 {"data": v["data"][:4], "labels": v["labels"]})

    # The 20-sample file's sample 3 is not the 8-sample file's sample 3.
    broken = {"data": t20["data"].copy(), "labels": t20["labels"]}
    broken["data"][0, 3] += 0.5
    write_pickle(os.path.join(bad, "broken-nesting"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "broken-nesting"), file_name(5, 20), broken, v)

    # A label 2 in the training set.
    labels = t20["labels"].copy()
    labels[11] = 2.0
    write_pickle(os.path.join(bad, "bad-labels"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "bad-labels"), file_name(5, 20),
                 {"data": t20["data"], "labels": labels}, v)

    # A second file with its own validation set.
    other_val = {"data": v["data"] + 0.25, "labels": v["labels"]}
    write_pickle(os.path.join(bad, "val-differs"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "val-differs"), file_name(5, 20), t20, other_val)

    # A pickle cut in the middle.
    write_pickle(os.path.join(bad, "truncated"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "truncated"), file_name(5, 20), t20, v)
    path = os.path.join(bad, "truncated", file_name(5, 20))
    with open(path, "rb") as f:
        whole = f.read()
    with open(path, "wb") as f:
        f.write(whole[: len(whole) // 2])

    # A .pkl whose name is not num_dim=D%sample_size=N.pkl.
    write_pickle(os.path.join(bad, "bad-name"), file_name(5, 8), t8, v)
    write_pickle(os.path.join(bad, "bad-name"), "num_dim=5%sample_size=twenty.pkl", t20, v)

    # An empty folder.
    os.makedirs(os.path.join(bad, "empty"))
    with open(os.path.join(bad, "empty", "README"), "w") as f:
        f.write("no data files here\n")

    # CSVs: one mistake each, on line 3 (the second data row) where there is a line.
    good = open(os.path.join(out, "official-d5.csv")).read().splitlines()
    head, rows = good[0], good[1:6] + good[-3:]

    def csv(name, lines):
        with open(os.path.join(bad, name), "w") as f:
            f.write("\n".join(lines) + "\n")

    def with_field(row, index, value):
        fields = row.split(",")
        fields[index] = value
        return ",".join(fields)

    csv("bad-header.csv", ["set,x1,x2,x3,x5,x4,label"] + rows)
    csv("bad-label.csv", [head, rows[0], with_field(rows[1], -1, "2")] + rows[2:])
    csv("bad-fields.csv", [head, rows[0], rows[1].rsplit(",", 2)[0] + ",1"] + rows[2:])
    csv("bad-set.csv", [head, rows[0], with_field(rows[1], 0, "test")] + rows[2:])
    csv("bad-number.csv", [head, rows[0], with_field(rows[1], 1, "abc")] + rows[2:])
    csv("no-val.csv", [head] + [r for r in rows if r.startswith("train")])
    print(f"wrote fixtures to {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fixtures", help="the readers' test fixtures")
    f.add_argument("out")
    o = sub.add_parser("official", help="the full official data set and its CSV form")
    o.add_argument("out")
    o.add_argument("--dims", type=int, default=5)
    args = parser.parse_args()
    if args.command == "fixtures":
        fixtures(args.out)
    else:
        official(args.out, args.dims)


if __name__ == "__main__":
    main()
