#!/usr/bin/env python3
"""Benchmark peer: PyTorch in Python (Debian's python3-torch via /usr/bin/python3) on the jtorch benchmark workload.

Same workload as the Java peers (src/test/java/dev/jtorch/bench/*Bench.java); run by scripts/bench.
Usage: /usr/bin/python3 scripts/bench_pytorch.py [--threads N] [--data DIR] [--limit N]
Prints one JSON line.
"""
import argparse
import gzip
import json
import os
import statistics
import time

T0 = time.perf_counter()
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

_first = torch.zeros(1)
FIRST_TENSOR_MS = (time.perf_counter() - T0) * 1e3

SEED = 42
LR, MOMENTUM = 0.01, 0.9
PERM_MUL = 7919            # training sample i = original (i*7919) % 60000
WARM_B64, WARM_B512, WARM_B1, INFER_B1_CALLS, EVAL_BATCH = 200, 20, 500, 2000, 1024
ADD_WARM, ADD_N, ADD_REPS = 20000, 1000, 41


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if int.from_bytes(data[0:4], "big") != magic:
        raise SystemExit(f"{path}: not an IDX file with magic {magic}")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    t = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return t.reshape(dims)


def load(data_dir, train):
    pre = "train" if train else "t10k"
    x = read_idx(os.path.join(data_dir, f"{pre}-images-idx3-ubyte.gz"), 2051)
    y = read_idx(os.path.join(data_dir, f"{pre}-labels-idx1-ubyte.gz"), 2049)
    n = x.shape[0]
    x = x.reshape(n, 784).float() / 255.0
    y = y.long()
    if train:
        perm = (torch.arange(n, dtype=torch.int64) * PERM_MUL) % n
        x, y = x[perm], y[perm]
    return x.contiguous(), y.contiguous()


def new_mlp():
    torch.manual_seed(SEED)
    m = SimpleNN()
    return m, torch.optim.SGD(m.parameters(), lr=LR, momentum=MOMENTUM)


def train_steps(model, opt, x, y, bs, limit, max_steps=None):
    model.train()
    n = min(limit, x.shape[0])
    seen = step = 0
    for start in range(0, n, bs):
        if max_steps is not None and step >= max_steps:
            break
        length = min(bs, n - start)
        xb = x.narrow(0, start, length)
        yb = y.narrow(0, start, length)
        opt.zero_grad(set_to_none=False)  # zero, not None, as every peer
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        seen += length
        step += 1
    return seen


def predict_b1(model, x1):
    return F.softmax(model(x1), dim=1).argmax(dim=1).item()


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, x.shape[0], EVAL_BATCH):
            length = min(EVAL_BATCH, x.shape[0] - start)
            pred = F.softmax(model(x.narrow(0, start, length)), dim=1).argmax(dim=1)
            correct += int((pred == y.narrow(0, start, length)).sum().item())
    return correct / x.shape[0]


def add_ns():
    a, b = torch.ones(1), torch.ones(1)
    with torch.no_grad():
        for _ in range(ADD_WARM):
            torch.add(a, b)
        per = []
        for _ in range(ADD_REPS):
            t = time.perf_counter_ns()
            for _ in range(ADD_N):
                torch.add(a, b)
            per.append((time.perf_counter_ns() - t) / ADD_N)
    return statistics.median(per)


def vm_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--limit", type=int, default=1 << 62, help="train on the first N samples of the epoch")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    t = time.perf_counter()
    xtr, ytr = load(args.data, True)
    xte, yte = load(args.data, False)
    load_s = time.perf_counter() - t
    x1 = xte.narrow(0, 0, 1)

    # warm-up on a throwaway model
    m, o = new_mlp()
    train_steps(m, o, xtr, ytr, 64, 1 << 62, WARM_B64)
    train_steps(m, o, xtr, ytr, 512, 1 << 62, WARM_B512)
    m.eval()
    with torch.no_grad():
        for _ in range(WARM_B1):
            predict_b1(m, x1)
    del m, o

    # a. one epoch at batch 64, then test accuracy
    mlp, opt = new_mlp()
    t = time.perf_counter()
    n = train_steps(mlp, opt, xtr, ytr, 64, args.limit)
    b64_s = time.perf_counter() - t
    acc = accuracy(mlp, xte, yte)

    # a. one epoch at batch 512, fresh model
    m2, o2 = new_mlp()
    t = time.perf_counter()
    n512 = train_steps(m2, o2, xtr, ytr, 512, args.limit)
    b512_s = time.perf_counter() - t
    del m2, o2

    # b. tiny-op loop
    add = add_ns()

    # c. batch-1 inference with the b64-trained model
    mlp.eval()
    lat = []
    sink = 0
    with torch.no_grad():
        for _ in range(INFER_B1_CALLS):
            t = time.perf_counter_ns()
            sink += predict_b1(mlp, x1)
            lat.append(time.perf_counter_ns() - t)

    print(json.dumps({
        "peer": "pytorch-python", "version": "torch " + torch.__version__,
        "threads_requested": args.threads, "num_threads": torch.get_num_threads(), "epoch_samples": n,
        "train_b64_sps": n / b64_s, "train_b64_epoch_s": b64_s, "test_acc": acc,
        "train_b512_sps": n512 / b512_s, "train_b512_epoch_s": b512_s,
        "add_ns": add, "infer_b1_us": statistics.median(lat) / 1e3,
        "infer_b1_mean_us": statistics.fmean(lat) / 1e3, "b1_class": sink // INFER_B1_CALLS,
        "load_s": load_s, "first_tensor_ms": FIRST_TENSOR_MS,
        "os_threads_at_end": len(os.listdir("/proc/self/task")),
        "peak_rss_mb": vm_kb("VmHWM") / 1024.0, "total_s": time.perf_counter() - T0,
    }), flush=True)


if __name__ == "__main__":
    main()
