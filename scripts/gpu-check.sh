#!/usr/bin/env bash
# GPU check of the image pipeline (issue 5, section 3), for a machine with an NVIDIA GPU, the
# driver and a CUDA 13 toolkit or a cu13 PyTorch install, and no internet. Under 8 minutes.
#
# Build on the dev machine (no CUDA needed there; see docs/decisions.md D-STACK-4) and copy the
# binary and the Fashion-MNIST files over:
#   CUDARC_CUDA_VERSION=13000 cargo build --release -p polarity-cli --features cuda
#
# Usage: scripts/gpu-check.sh [BIN_DIR] [OUT_DIR]
#   BIN_DIR  folder with the `polarity` binary (default target/release)
#   OUT_DIR  where results go (default gpu-check-out)
# Data: found as usual (--data-dir, $POLARITY_DATA, ~/.cache/polarity/data, /usr/share/datasets).
#
# Steps (each with its own time limit):
#   1. nvidia-smi / nvcc: driver and toolkit versions; CUDA_PATH and LD_LIBRARY_PATH for NVRTC.
#   2. `polarity images gpu-check`: the paper's AlexNet (227x227, batch 128, Keras Adam 1e-3, Freeze-SGD posCon,
#      dropout off) for 3 steps on the GPU and on the CPU from the same weights and batch; losses
#      and weights must agree within tolerance; then a timed GPU step (median of 10).
#   3. A slice of the paper preset through the sweep runner on the GPU: `polarity reproduce images
#      --preset paper --sizes 100 --trials 1 --epochs 2` (full network, full test split).
#   4. PyTorch: the same AlexNet layout, batch and optimizer step (with the sign reset) on the
#      same GPU, timed the same way, for the comparison.
set -uo pipefail

BIN_DIR=${1:-target/release}
OUT=${2:-gpu-check-out}
mkdir -p "$OUT"
status=0
say() { printf '\n== %s\n' "$*"; }

say "1. driver and toolkit"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || { echo "no NVIDIA GPU visible"; exit 2; }
nvcc --version 2>/dev/null | tail -1 || echo "nvcc not found (NVRTC from the toolkit or a cu13 PyTorch install is enough)"
if [ -z "${CUDA_PATH:-}" ]; then
    for d in /usr/local/cuda /usr/local/cuda-13.0 /usr/local/cuda-13; do
        [ -d "$d/include" ] && export CUDA_PATH=$d && break
    done
fi
if [ -z "${CUDA_PATH:-}" ]; then
    # Fallback: NVRTC and headers from a cu13 PyTorch install (nvidia/cu13 pip package folder).
    pipdir=$(python3 -c 'import nvidia, os; print(os.path.join(list(nvidia.__path__)[0], "cu13"))' 2>/dev/null || true)
    [ -n "$pipdir" ] && [ -d "$pipdir" ] && export CUDA_PATH=$pipdir
fi
if [ -n "${CUDA_PATH:-}" ]; then
    for lib in "$CUDA_PATH/lib64" "$CUDA_PATH/lib"; do
        [ -d "$lib" ] && export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
    done
fi
echo "CUDA_PATH=${CUDA_PATH:-unset}"

say "2. CPU/GPU agreement and GPU step time (burn)"
if timeout 240 "$BIN_DIR/polarity" images gpu-check --out "$OUT/gpu-check.json" > "$OUT/gpu-check.log" 2>&1; then
    echo "agreement: PASS"
else
    rc=$?
    echo "agreement: FAIL (exit $rc); see $OUT/gpu-check.log"
    status=1
fi
tail -30 "$OUT/gpu-check.log"

say "3. paper preset slice on the GPU (sweep runner, report)"
if timeout 150 "$BIN_DIR/polarity" reproduce images --preset paper --sizes 100 --trials 1 --epochs 2 \
        --device cuda --out "$OUT/images-slice" > "$OUT/images-slice.log" 2>&1; then
    echo "slice: PASS ($OUT/images-slice/report.md)"
else
    echo "slice: FAIL (exit $?); see $OUT/images-slice.log"
    status=1
fi
tail -5 "$OUT/images-slice.log"

say "4. PyTorch step time on the same GPU"
timeout 120 python3 - "$OUT/torch-step.json" <<'PY' || { echo "PyTorch timing failed"; status=1; }
import json, sys, time
import torch, torch.nn as nn
dev = torch.device("cuda")
# The paper's AlexNet (Caffe/Keras layout, docs/decisions.md D-IMG-4): no LRN, no groups, fc8 1000
# with ReLU, new 10-way head.
net = nn.Sequential(
    nn.Conv2d(3, 96, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2),
    nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
    nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
    nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(),
    nn.Linear(9216, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
    nn.Linear(4096, 1000), nn.ReLU(), nn.Linear(1000, 10)).to(dev)
opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
kernels = [p for p in net.parameters() if p.dim() >= 2]
template = [torch.sign(p.detach()) for p in kernels]
x = torch.randn(128, 3, 227, 227, device=dev)
y = torch.randint(0, 10, (128,), device=dev)
loss_fn = nn.CrossEntropyLoss()
def step():
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(net(x), y)
    loss.backward()
    opt.step()
    with torch.no_grad():  # Freeze-SGD posCon reset, as the burn step
        for p, t in zip(kernels, template):
            p.copy_(torch.where(p * t < 0, t * 1e-3, p))
times = []
for i in range(11):
    torch.cuda.synchronize(); t0 = time.perf_counter(); step(); torch.cuda.synchronize()
    if i > 0:
        times.append(time.perf_counter() - t0)
times.sort()
out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0), "batch": 128,
       "step_seconds_median": times[len(times) // 2], "step_seconds": times}
json.dump(out, open(sys.argv[1], "w"), indent=1)
print(json.dumps(out))
PY

say "summary"
python3 - "$OUT" <<'PY' || true
import json, os, sys
out = sys.argv[1]
def load(name):
    try:
        return json.load(open(os.path.join(out, name)))
    except Exception:
        return {}
b, t = load("gpu-check.json"), load("torch-step.json")
print("burn   step (batch 128, 227x227):", b.get("gpu_step_seconds_median"), "s")
print("torch  step (batch 128, 227x227):", t.get("step_seconds_median"), "s")
if b.get("gpu_step_seconds_median") and t.get("step_seconds_median"):
    print("burn / torch: %.2fx" % (b["gpu_step_seconds_median"] / t["step_seconds_median"]))
print("CPU/GPU agreement:", b.get("agree"), b.get("tolerance", ""))
PY
exit $status
