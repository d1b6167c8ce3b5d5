#!/usr/bin/env bash
# Runs every check and test of the workspace, as CI does. Needs only the Rust toolchain (with
# rustfmt and clippy), apt-get/dpkg-deb for the real Fashion-MNIST (and, as root, Slurm), and
# network access to Debian's package archive the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
# Builds are cached outside the clone so a fresh clone does not recompile burn from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/polarity/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A fresh clone rebuilds the workspace crates anyway; incremental caches would only pile up in the
# shared build folder (they filled a 250 GB disk across clones).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

echo "== real Fashion-MNIST (Debian package, unpacked into the user cache)"
scripts/fetch-fashion-mnist-debian.sh
export POLARITY_REQUIRE_REAL_DATA=1

echo "== format"
cargo fmt --all --check
echo "== lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== type-check the CUDA backend (builds without CUDA; the driver is loaded at run time)"
cargo check -p polarity-cli --features cuda --locked
echo "== tests"
cargo test --workspace --locked
# End to end with the binary the tests just built (same features, so nothing is recompiled).
polarity="$CARGO_TARGET_DIR/debug/polarity"
scratch="$(mktemp -d)"
echo "== end-to-end: quick XOR reproduction"
"$polarity" reproduce xor --quick --out "$scratch/xor"
echo "== end-to-end: results.parquet read back by an independent reader (pyarrow in a throw-away venv)"
scripts/parquet/test.sh "$polarity"
echo "== end-to-end: image presets (smoke)"
"$polarity" reproduce transfer --preset smoke --out "$scratch/transfer"
"$polarity" reproduce images --preset smoke --out "$scratch/images"
echo "== Slurm: sharded sweeps and the examples/slurm scripts on a real single-node cluster (needs root on Debian)"
scripts/slurm/test.sh "$polarity" --xor-reference "$scratch/xor" --images-reference "$scratch/images"
rm -rf "$scratch"
echo "all checks passed"
