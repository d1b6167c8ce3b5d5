#!/usr/bin/env bash
# Installs Fashion-MNIST from the Debian package `dataset-fashion-mnist` into the polarity user cache,
# without root and without changing the system: `apt-get download` fetches the .deb into a temporary
# folder, its sha256 is checked against the value recorded in docs/decisions.md D-DATA-1 (or, for
# another build of the package, the decompressed contents are checked instead), and `dpkg-deb -x`
# unpacks it.
#
# Result: ${XDG_CACHE_HOME:-$HOME/.cache}/polarity/data/usr/share/datasets/fashion-mnist/*.gz
# (the Debian layout, which the polarity loader looks for under its cache directory).
# Idempotent: does nothing when the four files are already there. The loader itself verifies the
# decompressed IDX contents (sha256) every time it reads them.
#
# Needs: apt-get and dpkg-deb (any Debian/Ubuntu system whose apt sources include Debian bookworm `main`
# or a release carrying the same package version). If the apt index is stale or empty, run
# `apt-get update` first (this script does so itself when it runs as root).
set -euo pipefail

readonly PACKAGE="dataset-fashion-mnist"
readonly VERSION="0.0~git20200523.55506a9-1"
readonly DEB_SHA256="39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0"
readonly FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
# sha256 of the decompressed IDX content of each file above (docs/decisions.md D-DATA-1), the same
# for the canonical downloads and the Debian copies. Used when the .deb itself differs from Debian's
# (e.g. an Ubuntu rebuild of the same source package): its contents are then accepted only if they
# match.
readonly CONTENT_SHA256=(
    c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
    bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
    5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
    0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/polarity/data"
target="$cache_root/usr/share/datasets/fashion-mnist"

all_present() {
    local f
    for f in "${FILES[@]}"; do
        [[ -s "$target/$f" ]] || return 1
    done
}

if all_present; then
    echo "Fashion-MNIST already present in $target; nothing to do."
    exit 0
fi

for tool in apt-get dpkg-deb sha256sum gzip; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: '$tool' not found; this script needs a Debian-based system." >&2
        echo "Alternative: 'polarity data fetch fashion-mnist' downloads the canonical files." >&2
        exit 1
    fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# The pinned version first (Debian's exact .deb); else whatever version the apt sources carry, which is
# then accepted only through the content checksums below.
download() { apt-get download "$PACKAGE=$VERSION" || apt-get download "$PACKAGE"; }
if ! download; then
    if [[ "$(id -u)" == 0 ]]; then
        echo "apt-get download failed; refreshing the package index (apt-get update) and retrying." >&2
        apt-get update
        download
    else
        echo "error: 'apt-get download $PACKAGE' failed. The package index may be stale:" >&2
        echo "run 'sudo apt-get update' and retry (Debian bookworm main carries version $VERSION)." >&2
        exit 1
    fi
fi

shopt -s nullglob
debs=("$work"/"$PACKAGE"_*.deb)
if [[ ${#debs[@]} -ne 1 ]]; then
    echo "error: expected exactly one ${PACKAGE}_*.deb in $work after apt-get download, found ${#debs[@]}." >&2
    exit 1
fi
deb="${debs[0]}"

actual="$(sha256sum "$deb" | cut -d' ' -f1)"
deb_verified=1
if [[ "$actual" != "$DEB_SHA256" ]]; then
    deb_verified=0
    echo "warning: sha256 of $(basename "$deb") is $actual, not Debian's $DEB_SHA256 (docs/decisions.md D-DATA-1);" >&2
    echo "accepting it only if the decompressed contents match the canonical Fashion-MNIST checksums." >&2
fi

dpkg-deb -x "$deb" "$work/unpacked"
src="$work/unpacked/usr/share/datasets/fashion-mnist"
for i in "${!FILES[@]}"; do
    f="${FILES[$i]}"
    if [[ ! -s "$src/$f" ]]; then
        echo "error: the package does not contain usr/share/datasets/fashion-mnist/$f." >&2
        exit 1
    fi
    if [[ $deb_verified == 0 ]]; then
        content="$(gzip -dc "$src/$f" | sha256sum | cut -d' ' -f1)"
        if [[ "$content" != "${CONTENT_SHA256[$i]}" ]]; then
            echo "error: decompressed $f has sha256 $content, expected ${CONTENT_SHA256[$i]}." >&2
            exit 1
        fi
    fi
done

# Copy into a sibling temporary folder on the target file system, then rename each file into place,
# so an interrupted run never leaves a truncated file under the final name.
mkdir -p "$target"
staging="$(mktemp -d "$target/.incoming.XXXXXX")"
trap 'rm -rf "$work" "$staging"' EXIT
for f in "${FILES[@]}"; do
    cp "$src/$f" "$staging/$f"
done
for f in "${FILES[@]}"; do
    mv -f "$staging/$f" "$target/$f"
done

if [[ $deb_verified == 1 ]]; then
    how=".deb sha256 verified"
else
    how="contents verified by sha256"
fi
echo "Fashion-MNIST installed from $(basename "$deb") ($how) into $target"
