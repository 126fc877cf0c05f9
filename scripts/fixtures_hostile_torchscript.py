#!/usr/bin/python3
"""A TorchScript archive with side effects, for the trust-model tests (run with Debian's torch 1.13).

Writes src/test/resources/torchscript/side_effects.pt: a 1x28x28 -> 10 model whose __setstate__
(run by torch::jit::load) creates /tmp/jtorch-canary-setstate and whose forward creates
/tmp/jtorch-canary-forward, through torch.from_file(shared=True), which opens its file with
O_CREAT. A loader that treats the archive as data must leave both files absent.
Usage: /usr/bin/python3 scripts/fixtures_hostile_torchscript.py
"""
import os
from typing import Tuple

import torch
import torch.nn as nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "src", "test", "resources", "torchscript", "side_effects.pt")


class SideEffects(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(10, 784) * 0.01)
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # the result is used, so that dead-code elimination keeps the call
        canary = torch.from_file("/tmp/jtorch-canary-forward", True, 1).sum() * 0
        return torch.nn.functional.linear(x.flatten(1), self.weight, self.bias) + canary

    @torch.jit.export
    def __getstate__(self) -> Tuple[torch.Tensor, torch.Tensor, bool]:
        return (self.weight, self.bias, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[torch.Tensor, torch.Tensor, bool]) -> None:
        canary = torch.from_file("/tmp/jtorch-canary-setstate", True, 1).sum() * 0
        self.weight = state[0]
        self.bias = state[1] + canary
        self.training = state[2]


if __name__ == "__main__":
    torch.manual_seed(0)
    m = torch.jit.script(SideEffects())
    m.save(OUT)
    print("wrote", OUT)
