#!/usr/bin/python3
"""PyTorch peer for scripts/bench-cnn-inference: TorchScript CNN inference time.

  bench_cnn_inference.py make DIR             writes DIR/{resnet18,mobilenet_v2}_{script,trace}.pt (torchvision,
                                              1000 classes, seed 0) and DIR/input_<N>x<HW>.pt is not needed: inputs
                                              are torch.manual_seed(1) randn, made the same way by the Java side
  bench_cnn_inference.py time FILE N HW T [ITERS] [WARMUP]
                                              loads FILE with torch.jit.load, sets torch.set_num_threads(T) and
                                              prints one JSON line: median/min ms per forward under inference_mode
Run it with Debian's /usr/bin/python3 (torch 1.13 + torchvision), not a virtualenv's python.
"""
import json, statistics, sys, time

import torch


def make(d):
    import torchvision
    torch.manual_seed(0)
    for name, ctor in [("resnet18", torchvision.models.resnet18), ("mobilenet_v2", torchvision.models.mobilenet_v2)]:
        m = ctor(num_classes=1000).eval()
        # a freshly initialised network's batch norms are the identity and MobileNetV2's logits are ~1e-9:
        # give them trained-looking statistics so that the golden output is O(1) and its check means something
        with torch.no_grad():
            for mod in m.modules():
                if isinstance(mod, torch.nn.BatchNorm2d):
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.2, 0.2)
                    mod.running_mean.uniform_(-0.2, 0.2)
                    mod.running_var.uniform_(0.5, 1.5)
                elif isinstance(mod, torch.nn.Linear):
                    mod.weight.normal_(0, 0.05)
        torch.jit.script(m).save(f"{d}/{name}_script.pt")
        with torch.no_grad():
            torch.jit.trace(m, torch.randn(1, 3, 64, 64)).save(f"{d}/{name}_trace.pt")
        # golden output for a fixed input, for the Java side's correctness check
        torch.manual_seed(1)
        x = torch.rand(2, 3, 64, 64)
        with torch.inference_mode():
            y = m(x)
        torch.save({"x": x, "y": y}, f"{d}/{name}_golden.pt")
        with open(f"{d}/{name}_golden.txt", "w") as f:
            f.write(" ".join(repr(v) for v in x.flatten().tolist()) + "\n")
            f.write(" ".join(repr(v) for v in y.flatten().tolist()) + "\n")


def timeit(path, n, hw, threads, iters, warmup):
    torch.set_num_threads(threads)
    m = torch.jit.load(path).eval()
    x = torch.rand(n, 3, hw, hw)
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            m(x)
        for _ in range(iters):
            t0 = time.perf_counter()
            m(x)
            times.append((time.perf_counter() - t0) * 1e3)
    print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "file": path, "n": n, "hw": hw,
                      "threads": threads, "median_ms": statistics.median(times), "min_ms": min(times),
                      "iters": iters}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        a = sys.argv[2:]
        timeit(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]) if len(a) > 4 else 30, int(a[5]) if len(a) > 5 else 5)
