#!/usr/bin/env python3
"""PyTorch-Python figures that the peers' python/bench.py (../shared/peers, see scripts/bench) lacks, for scripts/bench.

The peer gives training, CNN, argmax-inference, start-up and RSS figures; this adds, on the same model
(SimpleNN 784-128-10, seed 42) and the same thread settings:
  * add_ns: median ns per torch.add of two 1-element float tensors under no_grad (the peers' microop probe);
  * infer_host_b1_us: host-array inference as an application does it: 784 float32 values in a numpy array ->
    torch.from_numpy -> forward -> softmax -> the 10 probabilities as a numpy array (.numpy()); median of 2,000
    individually timed calls on test image 0, after 500 warm-up calls;
  * infer_host_b1024_sps: the same for numpy arrays of 1,024 images (the 10k test set in 10 arrays, the last one
    784 rows), 5 passes after 3 warm-up calls; samples per second.
jtorch's JtorchBench measures the same with float[] in and float[] out. Everything runs under torch.no_grad().

Usage: /usr/bin/python3 scripts/bench_pytorch.py [--threads N] [--data DIR]      Prints one JSON line.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import SimpleNN  # noqa: E402

SEED = 42
WARM_B1, INFER_B1_CALLS = 500, 2000
BIG, BIG_PASSES, WARM_BIG = 1024, 5, 3
ADD_WARM, ADD_N, ADD_REPS = 20000, 1000, 41


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if int.from_bytes(data[0:4], "big") != magic:
        raise SystemExit(f"{path}: not an IDX file with magic {magic}")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


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


def probs(model, pixels):
    """pixels: float32 numpy array of rows*784 values -> numpy array rows x 10 of probabilities."""
    return F.softmax(model(torch.from_numpy(pixels).view(-1, 784)), dim=1).numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--limit", type=int, default=0, help="ignored (accepted for symmetry with the other peers)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"), 2051)
    x = (x.reshape(x.shape[0], 784).astype(np.float32) / np.float32(255.0))
    px1 = np.ascontiguousarray(x[0])
    big = [np.ascontiguousarray(x[s:s + BIG]).reshape(-1) for s in range(0, x.shape[0], BIG)]

    torch.manual_seed(SEED)
    model = SimpleNN()
    model.eval()
    sink = 0.0
    with torch.no_grad():
        for _ in range(WARM_B1):
            sink += float(probs(model, px1)[0, 0])
        lat = []
        for _ in range(INFER_B1_CALLS):
            t = time.perf_counter_ns()
            p = probs(model, px1)
            lat.append(time.perf_counter_ns() - t)
            sink += float(p[0, 9])
        for _ in range(WARM_BIG):
            sink += float(probs(model, big[0])[0, 0])
        n = 0
        t = time.perf_counter()
        for _ in range(BIG_PASSES):
            for b in big:
                p = probs(model, b)
                n += p.shape[0]
                sink += float(p[-1, 9])
        big_s = time.perf_counter() - t

    print(json.dumps({
        "peer": "pytorch-python-extra", "version": "torch " + torch.__version__,
        "threads_requested": args.threads, "num_threads": torch.get_num_threads(),
        "add_ns": add_ns(), "infer_host_b1_us": statistics.median(lat) / 1e3,
        "infer_host_b1_mean_us": statistics.fmean(lat) / 1e3, "infer_host_b1024_sps": n / big_s,
        "prob_sink": sink,
    }), flush=True)


if __name__ == "__main__":
    main()
