#!/usr/bin/env python3
"""Time one training step of the paper's AlexNet (or the small CNN) in PyTorch on the CPU, for
comparison with `polarity images bench` (polarity-burn). Same network (paper AlexNet: Caffe/Keras
layout, conv 96-256-384-384-256, no LRN, no groups, fc6/fc7 4096 + dropout, fc8 1000 ReLU, new
10-way layer; small CNN: LeNet-5 widths, conv 6@5x5 p2 / 16@5x5, fc 120-84-10, see
crates/models/src/small_cnn.rs), same input (random normal), cross-entropy loss, Adam (lr 1e-3,
eps 1e-7), and by default the Freeze-SGD reset after the step (posRand, kernels only) as
polarity's bench does.

Usage (see bench/README.md):
  OMP_NUM_THREADS=1 python3 bench/alexnet_step.py [--threads 1]
  OMP_NUM_THREADS=1 python3 bench/alexnet_step.py --network small-cnn --batch-size 25 --channels 1 --steps 200
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


class PaperAlexNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 1000), nn.ReLU(), nn.Linear(1000, classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class SmallCnn(nn.Module):
    def __init__(self, channels=1, side=28, classes=10):
        super().__init__()
        s = (side // 2 - 4) // 2
        self.net = nn.Sequential(
            nn.Conv2d(channels, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(16 * s * s, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes),
        )

    def forward(self, x):
        return self.net(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--network", choices=["paper-alexnet", "small-cnn"], default="paper-alexnet")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--input-size", type=int, default=None, help="default: 227 (AlexNet), 28 (small CNN)")
    p.add_argument("--channels", type=int, default=None, help="small CNN input channels (default 1); AlexNet takes 3")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-freeze", action="store_true", help="plain Adam, no sign reset")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.network == "paper-alexnet":
        a.input_size = a.input_size or 227
        a.channels = 3
        net = PaperAlexNet()
    else:
        a.input_size = a.input_size or 28
        a.channels = a.channels or 1
        net = SmallCnn(a.channels, a.input_size)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    kernels = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    templates = [torch.sign(w.detach().clone()) for w in kernels]
    x = torch.randn(a.batch_size, a.channels, a.input_size, a.input_size)
    y = torch.arange(a.batch_size) % 10
    loss_fn = nn.CrossEntropyLoss()
    times, cpu_times = [], []
    for i in range(a.steps + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        if not a.no_freeze:
            with torch.no_grad():
                for w, t in zip(kernels, templates):
                    bad = w * t < 0
                    w[bad] = (t * torch.rand_like(w) * 1e-3)[bad]
        if i > 0:
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
    print(f"pytorch {torch.__version__} {a.network} batch {a.batch_size} input {a.input_size} "
          f"threads {a.threads}{'' if a.no_freeze else ' with Freeze-SGD (posRand)'}: "
          f"median {statistics.median(times):.3f} s/step, "
          f"median {statistics.median(cpu_times):.3f} CPU-s/step (process user+system time) over {len(times)} steps "
          + (f"(all: {', '.join(f'{t:.3f}' for t in times)})" if len(times) <= 10 else ""))


if __name__ == "__main__":
    main()
