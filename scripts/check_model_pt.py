#!/usr/bin/python3
"""Checks by hand that PyTorch (Debian's python3-torch 1.13) reads a state dict written by jtorch.

Usage:
  /usr/bin/python3 scripts/check_model_pt.py FILE [--arch mlp|cnn] [--io IO.json]

Loads FILE with torch.load, builds the matching nn.Module and calls load_state_dict(strict=True):
  --arch mlp|cnn  the exact models of dev.jtorch.models (scripts/reference_models.py);
  otherwise       a module tree built from the keys (2-D weight -> Linear, 4-D -> Conv2d,
                  1-D weight with running_mean -> BatchNorm), which checks names, shapes and dtypes.
With --io IO.json ({"input": [...], "input_shape": [...], "output": [...]}, float lists, as written by
a jtorch test), it also runs the model in eval mode on the input and compares with jtorch's output.
Prints OK and exits 0 when everything matches; CI does not run this (it needs Python + torch).

Also makes the fixtures of src/test/resources/io with --make-fixtures DIR.
"""
import argparse
import collections
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import CNN, SimpleNN  # noqa: E402


def from_keys(sd):
    """A module tree whose state dict has exactly the keys, shapes and dtypes of sd."""
    root = nn.Module()
    prefixes = collections.OrderedDict()
    for k in sd:
        prefix, _, leaf = k.rpartition(".")
        prefixes.setdefault(prefix, {})[leaf] = sd[k]
    for prefix, leaves in prefixes.items():
        w = leaves.get("weight")
        if w is not None and w.dim() == 2:
            m = nn.Linear(w.shape[1], w.shape[0], bias="bias" in leaves)
        elif w is not None and w.dim() == 4:
            m = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), bias="bias" in leaves)
        elif w is not None and w.dim() == 1 and "running_mean" in leaves:
            m = nn.BatchNorm1d(w.shape[0])
        else:
            m = nn.Module()
            for leaf, t in leaves.items():
                m.register_buffer(leaf, torch.zeros_like(t))
        m = m.to(next(iter(leaves.values())).dtype) if m.state_dict() else m
        parent = root
        parts = prefix.split(".") if prefix else []
        for p in parts[:-1]:
            if not hasattr(parent, p):
                parent.add_module(p, nn.Module())
            parent = getattr(parent, p)
        if parts:
            parent.add_module(parts[-1], m)
        else:
            for leaf, t in leaves.items():
                root.register_buffer(leaf, torch.zeros_like(t))
    return root


def check(path, arch, io_path):
    sd = torch.load(path)
    if not isinstance(sd, dict):
        sys.exit("FAIL: %s holds %s, not a dict" % (path, type(sd).__name__))
    for k, v in sd.items():
        if not isinstance(v, torch.Tensor):
            sys.exit("FAIL: %s: %r is %s, not a tensor" % (path, k, type(v).__name__))
        print("  %-24s %-14s %s" % (k, str(v.dtype).replace("torch.", ""), list(v.shape)))
    model = {"mlp": SimpleNN, "cnn": CNN}[arch]() if arch else from_keys(sd)
    result = model.load_state_dict(sd, strict=True)
    for k, v in model.state_dict().items():
        if not torch.equal(v, sd[k]):
            sys.exit("FAIL: %r differs after load_state_dict" % k)
    if io_path:
        with open(io_path) as f:
            io = json.load(f)
        x = torch.tensor(io["input"], dtype=torch.float32).view(io["input_shape"])
        model.eval()
        with torch.no_grad():
            y = model(x).flatten()
        want = torch.tensor(io["output"], dtype=torch.float32)
        err = (y - want).abs().max().item()
        print("  forward: max |python - jtorch| = %.3g" % err)
        if err > 1e-5:
            sys.exit("FAIL: outputs differ by %g" % err)
    print("OK %s: %d tensors, %s, torch %s" % (path, len(sd), type(sd).__name__, torch.__version__), result)


def make_fixtures(out):
    """Tiny files for ModelFilesTest: Python's own formats, which jtorch must recognise."""
    torch.manual_seed(0)
    lin = nn.Linear(3, 2)
    torch.save(lin.state_dict(), out + "/linear_state_dict.pt")          # an OrderedDict
    torch.save(dict(lin.state_dict()), out + "/linear_plain_dict.pt")    # a plain dict
    torch.jit.save(torch.jit.script(lin), out + "/linear_torchscript.pt")
    torch.save({"epoch": 3, "note": "not tensors"}, out + "/not_a_state_dict.pt")
    torch.save(lin.state_dict(), out + "/linear_legacy.pt", _use_new_zipfile_serialization=False)
    with open(out + "/linear_values.json", "w") as f:
        json.dump({k: {"shape": list(v.shape), "values": v.flatten().tolist()} for k, v in lin.state_dict().items()},
                  f, indent=1)
    print("fixtures written to", out, "with torch", torch.__version__)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("--arch", choices=["mlp", "cnn"])
    ap.add_argument("--io")
    ap.add_argument("--make-fixtures")
    a = ap.parse_args()
    if a.make_fixtures:
        make_fixtures(a.make_fixtures)
    else:
        check(a.file, a.arch, a.io)
