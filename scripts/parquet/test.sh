#!/usr/bin/env bash
# Reads a results.parquet written by `polarity xor train` with an independent reader (pyarrow, in a
# throw-away venv) and compares every value, column type and row with the results.csv of the same
# grid written with --format csv (docs/decisions.md D-SWEEP-8).
#
#   scripts/parquet/test.sh PATH/TO/polarity
#
# Skips with a line saying why (exit 0) when the venv or pyarrow cannot be installed (no network
# to PyPI); any mismatch fails (exit 1).
set -euo pipefail
polarity=${1:?usage: $0 PATH/TO/polarity}
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! python3 -m venv "$work/venv" >/dev/null 2>&1; then
    echo "   skipped: python3 -m venv is not available (Debian: apt-get install python3-venv)"
    exit 0
fi
if ! "$work/venv/bin/pip" install --quiet --disable-pip-version-check "pyarrow>=14" >"$work/pip.log" 2>&1; then
    echo "   skipped: pip could not install pyarrow (no network to PyPI?): $(tail -1 "$work/pip.log")"
    exit 0
fi

# A small grid with every condition, two reset methods and all column types; the same grid twice.
grid=(--seed 3 --hidden 3,8 --train-sizes 20,60 --trials 3 --epochs 12
    --conditions frozen-sufficient,frozen-rand,fluid --reset-methods posRand,flip --threads 2)
"$polarity" xor train "${grid[@]}" --out "$work/pq" 2>/dev/null
"$polarity" xor train "${grid[@]}" --format csv --out "$work/csv" 2>/dev/null
"$work/venv/bin/python" "$here/compare.py" "$work/pq/results.parquet" "$work/csv/results.csv"
