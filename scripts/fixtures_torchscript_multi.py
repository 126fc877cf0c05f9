#!/usr/bin/env python3
"""TorchScript fixtures with several inputs and structured outputs, for ScriptModule.forwardTensors
and ScriptModule.forwardValue.

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_torchscript_multi.py

Writes src/test/resources/torchscript/{two_in_tuple,lstm_tuple,mixed_out}.pt and
multi_expected.json (inputs and outputs in the encoding of scripts/fixtures_layers.py). CI never
runs this script; the files are committed.
"""

import json
import os
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, "src", "test", "resources", "torchscript")

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def enc(t):
    t = t.detach().cpu().contiguous()
    flat = t.reshape(-1).tolist()
    data = [float(v) for v in flat] if t.dtype.is_floating_point else [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


class TwoInTuple(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.fc(x) + y, (x * x).sum(1)


class LstmTuple(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 5, num_layers=2, batch_first=True)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
        return self.lstm(x)


class MixedOut(nn.Module):
    def forward(self, x: torch.Tensor, scale: float, n: int, flag: bool, name: str,
                mask: Optional[torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], int, float, bool, str,
                                                       Optional[torch.Tensor], List[torch.Tensor]]:
        y = x * scale
        if mask is not None:
            y = y.masked_fill(mask, 0.0)
        return ({"scaled": y, "sum": y.sum()}, n + 1, scale * 2.0, not flag, name + "!", None,
                [x, x + float(n)])


def main():
    g = torch.Generator()
    g.manual_seed(1515)
    expected = {}

    m = TwoInTuple()
    x = torch.randn(2, 3, generator=g)
    y = torch.randn(2, 2, generator=g)
    a, b = m(x, y)
    torch.jit.script(m).save(os.path.join(DIR, "two_in_tuple.pt"))
    expected["two_in_tuple"] = {"x": enc(x), "y": enc(y), "out0": enc(a), "out1": enc(b)}

    m = LstmTuple().eval()
    x = torch.randn(3, 6, 4, generator=g)
    out, (h, c) = m(x)
    torch.jit.script(m).save(os.path.join(DIR, "lstm_tuple.pt"))
    expected["lstm_tuple"] = {"x": enc(x), "out": enc(out), "h": enc(h), "c": enc(c),
                              "state_dict_keys": list(m.state_dict().keys())}

    m = MixedOut()
    x = torch.randn(2, 3, generator=g)
    mask = x > 0.5
    d, n, s, f, name, none, lst = m(x, 1.5, 2, True, "abc", mask)
    torch.jit.script(m).save(os.path.join(DIR, "mixed_out.pt"))
    expected["mixed_out"] = {"x": enc(x), "mask": enc(mask.to(torch.int64)), "scaled": enc(d["scaled"]),
                             "sum": enc(d["sum"]), "list1": enc(lst[1])}

    with open(os.path.join(DIR, "multi_expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    print("wrote", DIR)


if __name__ == "__main__":
    main()
