#!/usr/bin/env bash
# Where does burn's CUDA step time go (docs/decisions.md D-STACK-10)? Step time of the paper AlexNet
# against the batch (linear: slow kernels; flat: launch overhead), the Freeze-SGD reset's share, the
# small CNN, and PyTorch's forward / forward+backward / step with TF32 on and off. About 80 s on an H200.
# Usage: scripts/gpu-probe.sh [BIN_DIR]   (BIN_DIR holds `polarity` built with --features cuda)
set -u
B=${1:-target/release}/polarity
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv
for bs in 1 32 128; do echo "-- burn alexnet bs=$bs"; timeout 90 $B images bench --device cuda --batch-size $bs --steps 5 2>&1 | tail -2; done
echo "-- burn alexnet bs=128 no-freeze"; timeout 90 $B images bench --device cuda --batch-size 128 --steps 5 --no-freeze 2>&1 | tail -2
for bs in 50 1000; do echo "-- burn small-cnn bs=$bs"; timeout 90 $B images bench --device cuda --network small-cnn --batch-size $bs --steps 5 2>&1 | tail -2; done
timeout 150 python3 - <<'PY'
import time, torch, torch.nn as nn
dev = torch.device("cuda")
def alexnet():
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, 1000), nn.ReLU(), nn.Linear(1000, 10)).to(dev)
def timeit(f, n=10):
    ts = []
    for i in range(n + 1):
        torch.cuda.synchronize(); t0 = time.perf_counter(); f(); torch.cuda.synchronize()
        if i: ts.append(time.perf_counter() - t0)
    ts.sort(); return ts[len(ts) // 2]
for tf32 in (True, False):
    torch.backends.cuda.matmul.allow_tf32 = tf32; torch.backends.cudnn.allow_tf32 = tf32
    for bs in (1, 32, 128):
        net = alexnet(); opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
        x = torch.randn(bs, 3, 227, 227, device=dev); y = torch.randint(0, 10, (bs,), device=dev)
        lf = nn.CrossEntropyLoss()
        def fwd():
            with torch.no_grad(): net(x)
        def fb():
            net.zero_grad(set_to_none=True); lf(net(x), y).backward()
        def step():
            opt.zero_grad(set_to_none=True); lf(net(x), y).backward(); opt.step()
        print(f"torch alexnet tf32={tf32} bs={bs}: forward {timeit(fwd)*1e3:.2f} ms, fwd+bwd {timeit(fb)*1e3:.2f} ms, step {timeit(step)*1e3:.2f} ms", flush=True)
PY
