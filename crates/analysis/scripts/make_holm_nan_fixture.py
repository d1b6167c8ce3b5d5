#!/usr/bin/env python3
"""Write tests/fixtures/holm_nan.json: statsmodels' Holm on families that hold NaN p-values.

Run once in a throw-away environment; the Rust tests read the JSON:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy statsmodels
    /tmp/venv/bin/python crates/analysis/scripts/make_holm_nan_fixture.py

The ICML Fig 3 code Holm-adjusts the four comparisons with Frozen IN-Polarity at each training size;
a comparison whose Mann-Whitney test cannot be computed (a condition that never reached the
threshold: `mannwhitneyu(..., nan_policy="omit")` on an empty sample gives NaN) stays in that family
(docs/decisions.md D-STATS-8). Two kinds of case:

- "holm": p-value arrays with NaN entries, with `multipletests(p, alpha=0.05, method="holm")`'s
  adjusted p-values and reject flags;
- "fig3": per-trial values of a baseline and four conditions (NaN = never reached), with SciPy's
  two-sided Mann-Whitney p-values (`nan_policy="omit"`, NaN when a side is empty) and their Holm
  adjustment over the four.
"""

import json
import math
import os

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "holm_nan.json")


def clean(values):
    """NaN as JSON null."""
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]


def holm(p):
    reject, adjusted, _, _ = multipletests(np.asarray(p, dtype=float), alpha=0.05, method="holm")
    return [bool(r) for r in reject], clean([float(a) for a in adjusted])


def mwu(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.all(np.isnan(x)) or np.all(np.isnan(y)):
        return float("nan")
    return float(stats.mannwhitneyu(x, y, alternative="two-sided", nan_policy="omit").pvalue)


def main():
    rng = np.random.default_rng(20261127)
    holm_cases = [
        [0.01, float("nan"), 0.04, 0.03],
        [0.001, 0.002, 0.003, float("nan")],
        [float("nan"), 0.2, 0.001, 0.5],
        [0.001, 0.012, float("nan"), float("nan")],
        [0.5, float("nan"), float("nan"), float("nan")],
        [0.0125, 0.0166, 0.025, 0.05],
        [0.02, 0.02, float("nan"), 0.9],
    ]
    for _ in range(20):
        p = list(rng.uniform(0.0, 0.08, size=4))
        for k in range(4):
            if rng.uniform() < 0.3:
                p[k] = float("nan")
        holm_cases.append([float(v) for v in p])
    holm_out = []
    for p in holm_cases:
        reject, adjusted = holm(p)
        holm_out.append({"p": clean(p), "reject": reject, "adjusted": adjusted})

    fig3_out = []
    for case in range(6):
        trials = [5, 8, 20][case % 3]
        base = rng.normal(20.0, 2.0, size=trials)
        others = []
        for k, shift in enumerate([0.5, 3.0, -2.5, 1.0]):
            v = rng.normal(20.0 + shift, 2.0, size=trials).round(1)
            if case in (1, 4) and k == 2:
                v[:] = float("nan")  # never reached: the test is undefined
            elif case == 3 and k == 0:
                v[: trials // 2] = float("nan")  # half reached
            others.append(v)
        base = base.round(1)
        p = [mwu(base, o) for o in others]
        reject, adjusted = holm(p)
        fig3_out.append(
            {
                "baseline": clean([float(v) for v in base]),
                "others": [clean([float(v) for v in o]) for o in others],
                "p": clean(p),
                "reject": reject,
                "adjusted": adjusted,
            }
        )

    fixture = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "holm": holm_out,
        "fig3": fig3_out,
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
