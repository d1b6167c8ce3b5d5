#!/usr/bin/env python3
"""Write tests/fixtures/scipy_stats.json: reference outputs of NumPy, SciPy and statsmodels.

Run once (needs `pip install numpy scipy statsmodels`); the Rust tests read the JSON and need no Python:

    python3 crates/analysis/scripts/make_stats_fixture.py

Every case is drawn from a fixed-seed generator, so rerunning with the same library versions rewrites the
same file. The cases cover both branches of every `method="auto"` rule in the installed SciPy (exact,
asymptotic, and for the Wilcoxon test the exact permutation branch), ties, zeros and missing values.
"""

import json
import math
import os
import sys

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "scipy_stats.json")
rng = np.random.default_rng(20230530)


def clean(values):
    """JSON has no NaN: missing values are written as null."""
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in values]


def num(v):
    v = float(v)
    return None if math.isnan(v) else v


def percentile_cases():
    cases = []
    samples = [
        [3.0],
        [1.0, 2.0],
        [5.0, 1.0, 4.0],
        [1.0, 2.0, 3.0, 4.0],
        [7.0, 7.0, 7.0, 7.0, 7.0],
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        [math.nan, 3.0, 1.0, math.nan, 2.0],
        [math.nan, 10.0],
        [math.nan, math.nan],
        [],
        list(rng.integers(0, 100, size=50).astype(float)),
        list(rng.normal(0.0, 1.0, size=20)),
        list(rng.normal(5.0, 2.0, size=49)),
        list(np.where(rng.random(30) < 0.3, math.nan, rng.integers(0, 100, size=30).astype(float))),
        list(rng.exponential(1e-3, size=11)),
        list(rng.normal(1e6, 1.0, size=8)),
    ]
    for xs in samples:
        a = np.asarray(xs, dtype=float)
        present = a[~np.isnan(a)]
        if present.size == 0:
            median = q25 = q75 = None
        else:
            median = float(np.nanmedian(a))
            q25 = float(np.nanpercentile(a, 25))
            q75 = float(np.nanpercentile(a, 75))
        cases.append({"x": clean(xs), "median": median, "q25": q25, "q75": q75,
                      "n": int(present.size), "missing": int(a.size - present.size)})
    return cases


def mwu_cases():
    cases = []
    pairs = [
        # exact branch: no ties, one sample <= 8
        ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
        ([1.5, 8.0, 3.2, 9.9], [2.0, 4.0, 6.0, 7.0, 10.0]),
        ([0.3], [0.1, 0.2, 0.4]),
        ([1.0, 2.0], [3.0]),
        (list(rng.normal(0, 1, 8)), list(rng.normal(0.5, 1, 8))),
        (list(rng.normal(0, 1, 5)), list(rng.normal(1.0, 1, 30))),
        (list(rng.normal(0, 1, 8)), list(rng.normal(0, 1, 60))),
        (list(rng.normal(0, 1, 2)), list(rng.normal(0, 1, 100))),
        ([10.0, 20.0, 30.0, 40.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),  # complete separation
        # asymptotic branch: both samples > 8
        (list(rng.normal(0, 1, 9)), list(rng.normal(0, 1, 9))),
        (list(rng.normal(0, 1, 20)), list(rng.normal(0.8, 1, 20))),
        (list(rng.normal(0, 1, 50)), list(rng.normal(0.2, 1, 50))),
        (list(rng.exponential(1, 25)), list(rng.exponential(3, 40))),
        # asymptotic branch because of ties, small samples
        ([1.0, 2.0, 2.0, 3.0], [2.0, 4.0, 5.0]),
        ([1.0, 1.0, 1.0], [1.0, 1.0]),  # all equal: zero variance
        (list(rng.integers(0, 5, 6).astype(float)), list(rng.integers(2, 8, 7).astype(float))),
        # ties with large samples (epochs-to-threshold are integers)
        (list(rng.integers(10, 40, 20).astype(float)), list(rng.integers(15, 50, 20).astype(float))),
        (list(rng.integers(0, 3, 50).astype(float)), list(rng.integers(0, 4, 50).astype(float))),
        # missing values omitted (nan_policy='omit' as in the ICML plots)
        ([1.0, math.nan, 3.0, 7.0, 9.0], [2.0, 4.0, math.nan, 8.0]),
        (list(np.where(rng.random(20) < 0.25, math.nan, rng.integers(20, 60, 20).astype(float))),
         list(np.where(rng.random(20) < 0.1, math.nan, rng.integers(25, 70, 20).astype(float)))),
    ]
    for x, y in pairs:
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto", nan_policy="omit")
        xa = np.asarray(x)
        ya = np.asarray(y)
        xa, ya = xa[~np.isnan(xa)], ya[~np.isnan(ya)]
        ties = len(np.unique(np.concatenate([xa, ya]))) < xa.size + ya.size
        method = "asymptotic" if (xa.size > 8 and ya.size > 8) or ties else "exact"
        cases.append({"x": clean(x), "y": clean(y), "u": float(res.statistic), "p": float(res.pvalue),
                      "method": method})
    return cases


def wilcoxon_cases():
    cases = []
    pairs = []
    # exact branch: n <= 50, no ties, no zeros
    for n in (1, 2, 5, 9, 20, 50):
        x = rng.normal(0, 1, n)
        pairs.append((list(x), list(x - rng.normal(0.3, 1, n))))
    pairs.append(([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]))  # all positive differences
    # permutation branch (n <= 13 with ties or zeros)
    pairs.append(([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 1.0, 2.0, 2.0]))  # zero and tied |d|
    pairs.append(([3.0, 5.0, 2.0, 8.0, 4.0, 6.0, 1.0, 9.0], [1.0, 3.0, 4.0, 6.0, 2.0, 6.0, 3.0, 5.0]))
    pairs.append(([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))  # all zeros
    pairs.append((list(rng.integers(0, 6, 13).astype(float)), list(rng.integers(0, 6, 13).astype(float))))
    # asymptotic branch: ties with 13 < n <= 50, and any n > 50
    pairs.append((list(rng.integers(10, 30, 20).astype(float)), list(rng.integers(12, 32, 20).astype(float))))
    pairs.append((list(rng.integers(0, 10, 40).astype(float)), list(rng.integers(0, 10, 40).astype(float))))
    x = rng.normal(0, 1, 60)
    pairs.append((list(x), list(x + rng.normal(0.2, 1, 60))))
    x = rng.integers(0, 20, 80).astype(float)
    pairs.append((list(x), list(rng.integers(0, 20, 80).astype(float))))
    # missing values: pairs with a NaN on either side are dropped
    pairs.append(([1.0, math.nan, 3.5, 4.0, 7.0, 2.2], [0.5, 1.0, math.nan, 4.5, 5.0, 0.1]))
    for x, y in pairs:
        xa, ya = np.asarray(x), np.asarray(y)
        keep = ~(np.isnan(xa) | np.isnan(ya))
        res = stats.wilcoxon(xa[keep], ya[keep])
        d = xa[keep] - ya[keep]
        nz = d[d != 0]
        ties = len(np.unique(np.abs(nz))) < nz.size
        zeros = nz.size < d.size
        if d.size > 50:
            method = "asymptotic"
        elif not (ties or zeros):
            method = "exact"
        elif d.size <= 13:
            method = "permutation"
        else:
            method = "asymptotic"
        cases.append({"x": clean(x), "y": clean(y), "statistic": num(res.statistic), "p": num(res.pvalue),
                      "method": method})
    return cases


def multitest_cases():
    cases = []
    sets = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.2, 0.01],
        [0.049, 0.051],
        [0.001],
        [0.5, 0.9, 0.8, 0.7, 0.95],
        [0.012, 0.013, 0.0125, 0.04, 0.06, 0.3],
        list(rng.uniform(0, 0.1, 12)),
        list(rng.uniform(0, 1, 30)),
    ]
    for p in sets:
        holm_reject, holm_p, _, _ = multipletests(p, alpha=0.05, method="holm")
        bh_reject, bh_p, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
        cases.append({"p": [float(v) for v in p], "alpha": 0.05,
                      "holm": [float(v) for v in holm_p], "holm_reject": [bool(v) for v in holm_reject],
                      "bh": [float(v) for v in bh_p], "bh_reject": [bool(v) for v in bh_reject]})
    return cases


def main():
    fixture = {
        "generator": "crates/analysis/scripts/make_stats_fixture.py",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
        "percentiles": percentile_cases(),
        "mannwhitneyu": mwu_cases(),
        "wilcoxon": wilcoxon_cases(),
        "multipletests": multitest_cases(),
    }
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    os.replace(tmp, OUT)
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
