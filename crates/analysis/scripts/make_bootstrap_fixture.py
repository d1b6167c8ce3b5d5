#!/usr/bin/env python3
"""Write tests/fixtures/bootstrap_ratio.json: reference bootstrap intervals of a ratio of medians.

Run once in a throw-away environment (needs `pip install numpy scipy`); the Rust tests read the JSON:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy
    /tmp/venv/bin/python crates/analysis/scripts/make_bootstrap_fixture.py

Two kinds of reference (docs/decisions.md D-STATS-5):

- "replay": the same resamples as polarity's bootstrap (SplitMix64 indices, index = output mod n; for
  each resample n_a indices into a, then n_b into b), with the statistics done by NumPy
  (`np.nanmedian`, `np.percentile(method="linear")`). The Rust result must agree to 1e-12.
- "scipy": `scipy.stats.bootstrap((a, b), statistic, paired=False, method="percentile")` with its own
  generator, on continuous data without missing values. Different random resamples, so the two agree
  only up to Monte Carlo error: the test allows 0.02 on the interval ends (ratios near 0.5; with
  20000 resamples the standard error of a 2.5 % quantile is below 0.005 here).
"""

import json
import math
import os

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "bootstrap_ratio.json")
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def index(self, n):
        return self.next() % n


def ratio(a, b):
    if np.all(np.isnan(a)) or np.all(np.isnan(b)):
        return math.nan
    den = np.nanmedian(b)
    return math.nan if den == 0 else float(np.nanmedian(a) / den)


def replay(a, b, resamples, seed, confidence):
    a, b = np.asarray(a, float), np.asarray(b, float)
    rng = SplitMix64(seed)
    ratios = []
    for _ in range(resamples):
        ia = [rng.index(len(a)) for _ in range(len(a))]
        ib = [rng.index(len(b)) for _ in range(len(b))]
        ratios.append(ratio(a[ia], b[ib]))
    ratios = np.array(ratios)
    defined = ratios[~np.isnan(ratios)]
    undefined = int(len(ratios) - len(defined))
    tail = (1 - confidence) / 2
    if len(defined) == 0 or undefined > tail * resamples:
        interval = None
    else:
        interval = [float(np.percentile(defined, 100 * tail)), float(np.percentile(defined, 100 * (1 - tail)))]
    return {"estimate": ratio(a, b), "interval": interval, "undefined": undefined,
            "first_ratios": [None if math.isnan(r) else float(r) for r in ratios[:5]]}


def clean(values):
    return [None if math.isnan(v) else float(v) for v in values]


def main():
    gen = np.random.default_rng(20261127)
    cases = []
    # Epoch-like data: integer epochs, some runs never reaching the threshold (NaN), as in Fig 1B.
    for k, (na, nb, miss_a, miss_b) in enumerate([(10, 10, 0, 2), (20, 20, 1, 6), (50, 50, 0, 12), (7, 13, 0, 0)]):
        a = gen.integers(3, 15, na).astype(float)
        b = gen.integers(8, 40, nb).astype(float)
        a[gen.choice(na, miss_a, replace=False)] = np.nan
        b[gen.choice(nb, miss_b, replace=False)] = np.nan
        resamples, seed, confidence = 2000, 17 + k, 0.95
        cases.append({"a": clean(a), "b": clean(b), "resamples": resamples, "seed": seed,
                      "confidence": confidence, **replay(a, b, resamples, seed, confidence)})
    # Mostly missing denominators: undetermined interval.
    a = np.array([10.0, 12.0, 11.0])
    b = np.array([50.0] + [np.nan] * 9)
    cases.append({"a": clean(a), "b": clean(b), "resamples": 1000, "seed": 3, "confidence": 0.95,
                  **replay(a, b, 1000, 3, 0.95)})

    scipy_cases = []
    for na, nb, mean_a, mean_b in [(30, 30, 20.0, 40.0), (50, 40, 30.0, 50.0)]:
        a = gen.normal(mean_a, 4.0, na)
        b = gen.normal(mean_b, 6.0, nb)
        res = stats.bootstrap((a, b), lambda x, y: np.median(x) / np.median(y), paired=False,
                              vectorized=False, n_resamples=20000, method="percentile",
                              confidence_level=0.95, random_state=np.random.default_rng(5))
        ci = res.confidence_interval
        scipy_cases.append({"a": a.tolist(), "b": b.tolist(), "resamples": 20000,
                            "interval": [float(ci.low), float(ci.high)]})

    with open(OUT, "w") as f:
        json.dump({"versions": {"numpy": np.__version__, "scipy": scipy.__version__},
                   "replay": cases, "scipy": scipy_cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
