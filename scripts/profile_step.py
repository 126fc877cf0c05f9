#!/usr/bin/env python3
"""Per-stage time of one SimpleNN / MNIST-CNN training step in PyTorch-Python (the bench peer's loop),
and a GEMM microbenchmark of the step's products with the transposes autograd uses.

Usage: /usr/bin/python3 scripts/profile_step.py [--batch 64] [--model mlp|cnn] [--steps 2000] [--profiler]
Run it with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 (and with/without OPENBLAS_CORETYPE) like scripts/bench.
Prints medians in microseconds; the stage times add up to one step (each stage timed on its own).

Caveat for --model cnn (2026-12-06): this loop ran at 760-1,830 samples/s where the peer's own loop
(../shared/peers/python/bench.py, same model, data and optimizer) ran at ~4,000 on the same machine
and day, in the data's own order and in the peer's; with torch.set_flush_denormal(True) it ran at
4,459. So denormal floats arise here and not there; why was not found. Take the CNN peer's figures
from the peer, not from this script.
"""
import argparse, gzip, os, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--model", default="mlp")
ap.add_argument("--steps", type=int, default=2000)
ap.add_argument("--profiler", action="store_true")
ap.add_argument("--cpu", action="store_true", help="time with this thread's CPU clock (robust against other processes)")
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
a = ap.parse_args()
torch.set_num_threads(1)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        d = f.read()
    nd = d[3]
    dims = [int.from_bytes(d[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return torch.frombuffer(bytearray(d[4 + 4 * nd:]), dtype=torch.uint8).reshape(dims)


x = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz")).reshape(60000, 784).float() / 255.0
y = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz")).long()


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(64 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


torch.manual_seed(42)
m = SimpleNN() if a.model == "mlp" else CNN()
if a.model == "cnn":
    x = x.view(-1, 1, 28, 28)
opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
B = a.batch
nb = 60000 // B
stages = {k: [] for k in ("slice", "zero_grad", "forward", "loss", "backward", "step", "total")}
pc = time.thread_time_ns if a.cpu else time.perf_counter_ns


def step(i, rec):
    t0 = pc()
    s = (i % nb) * B
    xb, yb = x[s:s + B], y[s:s + B]
    t1 = pc()
    opt.zero_grad(set_to_none=False)
    t2 = pc()
    out = m(xb)
    t3 = pc()
    loss = F.cross_entropy(out, yb)
    t4 = pc()
    loss.backward()
    t5 = pc()
    opt.step()
    t6 = pc()
    if rec:
        for k, v in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t6 - t0)):
            stages[k].append(v / 1e3)


for i in range(300):
    step(i, False)
for i in range(a.steps):
    step(i, True)
print(f"torch {torch.__version__} model={a.model} batch={B} OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}"
      f" clock={'thread-cpu' if a.cpu else 'wall'}")
for k, v in stages.items():
    print(f"  {k:10s} {statistics.median(v):9.1f} us")
print(f"  => {B / statistics.median(stages['total']) * 1e6:,.0f} samples/s (median step)")

if a.profiler:
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for i in range(500):
            step(i, False)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))


def gemm(name, A, Bm, flops, reps=2000):
    for _ in range(100):
        torch.mm(A, Bm)
    ts = []
    for _ in range(5):
        t = pc()
        for _ in range(reps):
            torch.mm(A, Bm)
        ts.append((pc() - t) / reps / 1e3)
    us = statistics.median(ts)
    print(f"  {name:40s} {us:8.1f} us  {flops / us / 1e3:6.1f} GFLOP/s")
    return us


if a.model == "mlp":
    print("GEMMs of one step (torch.mm, the transposes autograd uses):")
    xb = x[:B]
    W1, W2 = m.fc1.weight.detach(), m.fc2.weight.detach()
    h = torch.randn(B, 128)
    g2 = torch.randn(B, 10)
    g1 = torch.randn(B, 128)
    tot = 0
    tot += gemm(f"fc1 fwd x[{B},784] @ W1^T", xb, W1.t(), 2 * B * 784 * 128)
    tot += gemm(f"fc1 dW g1^T[128,{B}] @ x", g1.t(), xb, 2 * B * 784 * 128)
    tot += gemm(f"fc2 fwd h[{B},128] @ W2^T", h, W2.t(), 2 * B * 128 * 10)
    tot += gemm(f"fc2 dx g2[{B},10] @ W2", g2, W2, 2 * B * 128 * 10)
    tot += gemm(f"fc2 dW g2^T[10,{B}] @ h", g2.t(), h, 2 * B * 128 * 10)
    print(f"  sum of the step's products: {tot:.1f} us")
