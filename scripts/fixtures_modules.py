#!/usr/bin/env python3
"""Golden fixtures for jtorch's module API: containers, non-persistent buffers, tied and frozen
parameters.

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_modules.py

Writes src/test/resources/fixtures/modules.json: the key lists PyTorch gives for one model built
from every container (state_dict, named_parameters, named_buffers, named_modules), its state
dict, an input, the output and the gradients of output.sum(). The tensor encoding is that of
scripts/fixtures_layers.py. CI never runs this script; the JSON is committed.
"""

import json
import os
from collections import OrderedDict

import torch
import torch.nn as nn

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "modules.json")

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def enc(t):
    t = t.detach().cpu().contiguous()
    flat = t.reshape(-1).tolist()
    data = [float(v) for v in flat] if t.dtype.is_floating_point else [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


class Net(nn.Module):
    """Mirrored by ModuleContainersTest.Net: keep both in step."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.register_buffer("mask", torch.zeros(3), persistent=False)
        self.register_buffer("count", torch.zeros(1))
        self.emb = nn.Linear(4, 3)
        self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 2), "b": nn.Linear(3, 2)})
        self.extra = nn.ParameterList([nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(3))])
        self.pd = nn.ParameterDict({"alpha": nn.Parameter(torch.zeros(1))})
        self.seq = nn.Sequential(OrderedDict([("proj", nn.Linear(2, 2)), ("act", nn.Tanh())]))
        self.out = nn.Linear(4, 3, bias=False)
        self.out.weight = self.emb.weight  # tied
        self.frozen = nn.Linear(3, 3)
        self.frozen.requires_grad_(False)

    def forward(self, x):
        h = self.emb(x) * self.scale + self.mask
        for b in self.blocks:
            h = torch.relu(b(h)) + self.extra[1]
        y = self.heads["a"](h) + self.heads["b"](h) * self.pd["alpha"] + self.extra[0]
        y = self.seq(y)
        z = self.frozen(self.out(x))
        return torch.cat([y, z], 1)


def main():
    g = torch.Generator()
    g.manual_seed(15)
    net = Net()
    with torch.no_grad():
        for p in net.state_dict().values():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    x = torch.randn(2, 4, generator=g)
    y = net(x)
    y.sum().backward()
    fixture = {
        "state_dict_keys": list(net.state_dict().keys()),
        "named_parameters": [k for k, _ in net.named_parameters()],
        "named_buffers": [k for k, _ in net.named_buffers()],
        "named_modules": [k for k, _ in net.named_modules()],
        "state_dict": {k: enc(v) for k, v in net.state_dict().items()},
        "input": enc(x),
        "output": enc(y),
        "grads": {k: enc(p.grad) for k, p in net.named_parameters() if p.grad is not None},
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
