#!/usr/bin/env python3
"""Golden fixtures for jtorch's CPU autocast (bfloat16), from PyTorch's torch.autocast("cpu").

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_amp.py

Writes src/test/resources/fixtures/amp.json. Deterministic (fixed torch.Generator seeds). Same
tensor encoding as scripts/make_fixtures.py; bfloat16 results are stored widened to float32
(exactly) with "autocast_dtype" naming what they were.

PyTorch 1.13's CPU autocast policy agrees with libtorch 2.10's for every op used here (checked by
hand with both: linear/matmul lowered to bfloat16; relu and log_softmax run in their input dtype;
cross_entropy and nll_loss run in float32). The model: fc1 = Linear(20, 12), relu,
fc2 = Linear(12, 4), batch 7; forward and loss under autocast, backward outside it, as the
PyTorch AMP recipe does.
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "amp.json")

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def _f(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def enc(t):
    t = t.detach().cpu().contiguous()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.float()
    flat = t.reshape(-1).tolist()
    data = [_f(v) for v in flat] if t.dtype.is_floating_point else [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def randn(shape, seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).float()


def mlp_case():
    fc1, fc2 = nn.Linear(20, 12), nn.Linear(12, 4)
    with torch.no_grad():
        fc1.weight.copy_(randn([12, 20], 1) * 0.3)
        fc1.bias.copy_(randn([12], 2) * 0.1)
        fc2.weight.copy_(randn([4, 12], 3) * 0.3)
        fc2.bias.copy_(randn([4], 4) * 0.1)
    x = randn([7, 20], 5)
    target = torch.tensor([0, 3, 1, 2, 3, 0, 1])
    params = {"fc1.weight": enc(fc1.weight), "fc1.bias": enc(fc1.bias), "fc2.weight": enc(fc2.weight),
              "fc2.bias": enc(fc2.bias)}
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = fc1(x)
        logits = fc2(F.relu(h))
        loss = F.cross_entropy(logits, target)
    assert h.dtype == torch.bfloat16 and logits.dtype == torch.bfloat16 and loss.dtype == torch.float32
    loss.backward()
    grads = {"fc1.weight": enc(fc1.weight.grad), "fc1.bias": enc(fc1.bias.grad),
             "fc2.weight": enc(fc2.weight.grad), "fc2.bias": enc(fc2.bias.grad)}
    assert all(p.grad.dtype == torch.float32 for p in (fc1.weight, fc1.bias, fc2.weight, fc2.bias))
    # the same model in plain float32, to show how far autocast moves the numbers
    fc1.zero_grad()
    fc2.zero_grad()
    loss32 = F.cross_entropy(fc2(F.relu(fc1(x))), target)
    return {"autocast_dtype": "bfloat16", "params": params, "input": enc(x), "target": enc(target),
            "hidden": enc(h), "logits": enc(logits), "loss": enc(loss), "grads": grads,
            "loss_float32": enc(loss32)}


def main():
    out = {"torch_version": torch.__version__, "mlp_bf16": mlp_case()}
    with open(OUT, "w") as f:
        json.dump(out, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(OUT, ROOT), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
