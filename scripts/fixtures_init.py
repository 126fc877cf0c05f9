#!/usr/bin/env python3
"""Golden fixtures for dev.jtorch.nn.init: each torch.nn.init function run after
torch.manual_seed(seed) on a fresh tensor, so a Java run with Torch.manualSeed(seed) must give the
same values (libtorch's CPU generator and kernels draw in the same order).

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_init.py

Writes src/test/resources/fixtures/init.json (encoding of scripts/fixtures_layers.py). CI never
runs this script; the JSON is committed.
"""

import json
import math
import os

import torch
import torch.nn as nn

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "init.json")


def enc(t):
    t = t.detach().cpu().contiguous()
    return {"shape": list(t.shape), "dtype": "float32", "data": [float(v) for v in t.reshape(-1).tolist()]}


CASES = [
    ("uniform", [5, 7], lambda t: nn.init.uniform_(t, -0.5, 2.0)),
    ("normal", [20, 7], lambda t: nn.init.normal_(t, 0.5, 2.0)),
    ("normal_small", [3, 4], lambda t: nn.init.normal_(t, 0.0, 1.0)),
    ("trunc_normal", [6, 5], lambda t: nn.init.trunc_normal_(t, 0.1, 0.5, -0.4, 0.6)),
    ("xavier_uniform", [8, 5, 3], lambda t: nn.init.xavier_uniform_(t, gain=1.5)),
    ("xavier_normal", [16, 8], lambda t: nn.init.xavier_normal_(t)),
    ("kaiming_uniform", [6, 4, 3, 3], lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
    ("kaiming_uniform_fan_out_relu", [6, 4], lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal", [32, 4], lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu")),
    ("orthogonal", [4, 6], lambda t: nn.init.orthogonal_(t, gain=2.0)),
    ("orthogonal_tall", [6, 2, 2], lambda t: nn.init.orthogonal_(t)),
    ("sparse", [10, 3], lambda t: nn.init.sparse_(t, 0.3, 0.5)),
    ("dirac", [6, 2, 3, 3], lambda t: nn.init.dirac_(t, groups=2)),
    ("eye", [3, 5], lambda t: nn.init.eye_(t)),
]

GAINS = [["linear", None], ["conv2d", None], ["sigmoid", None], ["tanh", None], ["relu", None],
         ["leaky_relu", None], ["leaky_relu", 0.2], ["selu", None]]


def main():
    fixture = {"cases": [], "gains": []}
    for i, (name, shape, fn) in enumerate(CASES):
        seed = 100 + i
        torch.manual_seed(seed)
        t = torch.empty(*shape)
        fn(t)
        fixture["cases"].append({"name": name, "seed": seed, "shape": shape, "expected": enc(t)})
    for nl, p in GAINS:
        g = nn.init.calculate_gain(nl) if p is None else nn.init.calculate_gain(nl, p)
        fixture["gains"].append({"nonlinearity": nl, "param": p, "gain": g})
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
