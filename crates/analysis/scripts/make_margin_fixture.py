#!/usr/bin/env python3
"""Write tests/fixtures/margin_bootstrap.json: the non-inferiority bootstrap replayed in NumPy.

Run once in a throw-away environment; the Rust tests read the JSON:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy
    /tmp/venv/bin/python crates/analysis/scripts/make_margin_fixture.py

For each case (two samples, NaN = a run that never reached the threshold, a margin) the same
resamples as polarity's `margin_outcome` (SplitMix64 indices, index = output mod n; per resample
n_a indices into a, then n_b into b; docs/decisions.md D-STATS-9) with NumPy doing the statistics:
censored values (NaN -> +inf), `np.median`, the difference or ratio - 1 of the medians, the
bootstrap p-values (#{t >= margin or undefined} + 1) / (B + 1) and (#{t <= margin or undefined} + 1) /
(B + 1), the upper bound (the ceil((1 - alpha) B)-th smallest, undefined = +inf) and the standard
deviation (ddof 1) of the finite resamples. The Rust result must agree to 1e-12.
"""

import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bootstrap_fixture import SplitMix64  # noqa: E402  (the generator both fixtures share)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "margin_bootstrap.json")


def statistic(kind, a, b):
    ma, mb = float(np.median(a)), float(np.median(b))
    if kind == "points":
        if math.isinf(ma) and math.isinf(mb):
            return float("nan")
        return ma - mb
    if math.isinf(ma) and math.isinf(mb):
        return float("nan")
    if mb == 0.0:
        return float("nan") if ma == 0.0 else float("inf")
    return ma / mb - 1.0


def replay(a, b, kind, margin, resamples, seed, alpha):
    ca = np.where(np.isnan(a), np.inf, a)
    cb = np.where(np.isnan(b), np.inf, b)
    rng = SplitMix64(seed)
    stats = []
    for _ in range(resamples):
        ia = [rng.index(len(ca)) for _ in range(len(ca))]
        ib = [rng.index(len(cb)) for _ in range(len(cb))]
        stats.append(statistic(kind, ca[ia], cb[ib]))
    t = np.array(stats)
    undefined = np.isnan(t)
    p_within = (np.sum(undefined | (t >= margin)) + 1) / (resamples + 1)
    p_beyond = (np.sum(undefined | (t <= margin)) + 1) / (resamples + 1)
    ordered = np.sort(np.where(undefined, np.inf, t))
    rank = math.ceil((1 - alpha) * resamples)
    finite = t[np.isfinite(t)]
    return {
        "estimate": statistic(kind, ca, cb),
        "upper": float(ordered[max(rank, 1) - 1]),
        "p_within": float(p_within),
        "p_beyond": float(p_beyond),
        "se": float(np.std(finite, ddof=1)) if len(finite) >= 2 else None,
    }


def finite_or_none(x):
    return None if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))) else x


def main():
    rng = np.random.default_rng(11)
    cases = []
    specs = [
        ("points", 1.0, 20, 20, 0.3, 0.0),
        ("points", 1.0, 12, 15, 1.4, 0.0),
        ("points", 2.0, 8, 8, -0.5, 0.0),
        ("fraction", 0.1, 20, 20, 0.0, 0.2),
        ("fraction", 0.1, 15, 10, 0.05, 0.4),
    ]
    for kind, margin, na, nb, shift, missing in specs:
        if kind == "points":
            a = rng.normal(20.0 + shift, 1.5, na).round(2)
            b = rng.normal(20.0, 1.5, nb).round(2)
        else:
            a = rng.integers(8, 20, na).astype(float) * (1 + shift)
            b = rng.integers(8, 20, nb).astype(float)
        a[rng.uniform(size=na) < missing] = np.nan
        b[rng.uniform(size=nb) < missing] = np.nan
        resamples, seed, alpha = 2000, int(rng.integers(0, 2**32)), 0.05
        out = replay(a, b, kind, margin, resamples, seed, alpha)
        cases.append(
            {
                "a": [None if math.isnan(v) else float(v) for v in a],
                "b": [None if math.isnan(v) else float(v) for v in b],
                "kind": kind,
                "margin": margin,
                "resamples": resamples,
                "seed": seed,
                "alpha": alpha,
                "estimate": finite_or_none(out["estimate"]),
                "upper": finite_or_none(out["upper"]),
                "p_within": out["p_within"],
                "p_beyond": out["p_beyond"],
                "se": out["se"],
            }
        )
    with open(OUT, "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
