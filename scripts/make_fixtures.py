#!/usr/bin/env python3
"""Generate golden test fixtures for jtorch from PyTorch.

HOW TO REGENERATE
-----------------
From the repository root, with a Python that has PyTorch installed (the
fixtures checked in were produced with Debian's python3-torch 1.13, CPU):

    /usr/bin/python3 scripts/make_fixtures.py

This (re)writes the JSON files under src/test/resources/fixtures/.
The output is deterministic: every input is either written literally in this
file or drawn from a torch.Generator / torch.manual_seed with a fixed seed.

CI NEVER RUNS THIS SCRIPT. The generated JSON files are committed and the Java
tests only read them; PyTorch is not a build or test dependency of jtorch.
Only rerun it when you deliberately want to change or extend the fixtures, and
review the diff.

ENCODING
--------
Every tensor is a JSON object
    {"shape": [d0, d1, ...], "dtype": "float32"|"float64"|"int64",
     "data": [flat row-major values]}
A 0-dim (scalar) tensor has "shape": [] and a single element in "data".
Floating-point values are written as the exact decimal value of the stored
number (float32 values are widened exactly to double first), so parsing with
Double.parseDouble and then casting to float reproduces the float32 bit
pattern exactly. JSON has no literals for non-finite numbers, so they are
written as the strings "inf", "-inf" and "nan".

See src/test/resources/fixtures/README.md for the schema of each file.
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "src", "test", "resources", "fixtures")

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int64: "int64",
}


# --------------------------------------------------------------------------
# encoding helpers
# --------------------------------------------------------------------------

def _enc_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def enc(t):
    """Encode a tensor as {"shape", "dtype", "data"}."""
    t = t.detach().cpu().contiguous()
    if t.dtype not in DTYPE_NAMES:
        raise ValueError("unsupported dtype %s" % t.dtype)
    flat = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        data = [_enc_float(v) for v in flat]
    else:
        data = [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def write(name, obj):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        # allow_nan=False guarantees no NaN/Infinity literals slip through.
        json.dump(obj, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), os.path.getsize(path)))


def gen(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def randn(shape, seed, dtype=torch.float32):
    return torch.randn(*shape, generator=gen(seed), dtype=torch.float64).to(dtype)


INF = float("inf")


# --------------------------------------------------------------------------
# 1. softmax / log_softmax
# --------------------------------------------------------------------------

def make_softmax():
    cases = []

    def add(name, x, dim):
        sm = torch.softmax(x, dim=dim)
        lsm = torch.log_softmax(x, dim=dim)
        # Sanity: outputs finite, except log_softmax == -inf exactly where
        # the input is -inf (and softmax == 0 there).
        assert torch.isfinite(sm).all(), name
        neg_inf_in = torch.isneginf(x)
        assert not torch.isnan(lsm).any(), name
        assert torch.equal(torch.isneginf(lsm), neg_inf_in), name
        assert torch.isfinite(lsm[~neg_inf_in]).all(), name
        assert (sm[neg_inf_in] == 0).all(), name
        cases.append({
            "name": name,
            "input": enc(x),
            "dim": dim,
            "softmax": enc(sm),
            "log_softmax": enc(lsm),
        })

    x45 = randn([4, 5], seed=1)
    add("random_4x5_dim1", x45, 1)
    add("random_4x5_dim0", x45, 0)
    add("random_4x5_dim-1", x45, -1)
    add("random_2x3x4_dim1", randn([2, 3, 4], seed=2), 1)
    big = [[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.0]]
    add("large_logits_dim1", torch.tensor(big, dtype=torch.float32), 1)
    ninf = [[-INF, 0.0, 1.0], [-INF, -INF, 5.0], [2.0, -INF, -1.0]]
    add("neg_inf_entries_dim1", torch.tensor(ninf, dtype=torch.float32), 1)
    add("single_element", torch.tensor([3.5], dtype=torch.float32), 0)
    # float64 cases
    add("random_4x5_dim1_f64", randn([4, 5], seed=3, dtype=torch.float64), 1)
    add("large_logits_dim1_f64", torch.tensor(big, dtype=torch.float64), 1)
    add("neg_inf_entries_dim1_f64", torch.tensor(ninf, dtype=torch.float64), 1)

    write("softmax.json", cases)


# --------------------------------------------------------------------------
# 2. cross_entropy
# --------------------------------------------------------------------------

def make_cross_entropy():
    cases = []

    def add(name, logits, target, reduction):
        x = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(x, target, reduction=reduction)
        loss.sum().backward()
        assert torch.isfinite(loss).all(), name
        assert torch.isfinite(x.grad).all(), name
        if reduction == "none":
            assert list(loss.shape) == [logits.shape[0]], name
        else:
            assert loss.dim() == 0, name
        cases.append({
            "name": name,
            "logits": enc(logits),
            "target": enc(target),
            "reduction": reduction,
            "loss": enc(loss),
            "grad": enc(x.grad),
        })

    x64 = randn([6, 4], seed=10)
    t64 = torch.randint(0, 4, (6,), generator=gen(11), dtype=torch.int64)
    for red in ("mean", "sum", "none"):
        add("random_6x4_" + red, x64, t64, red)

    big = torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], dtype=torch.float32)
    add("large_logits_targets_0_2_mean", big, torch.tensor([0, 2]), "mean")
    add("large_logits_targets_0_2_none", big, torch.tensor([0, 2]), "none")
    add("large_logits_targets_1_1_mean", big, torch.tensor([1, 1]), "mean")
    add("large_logits_targets_1_1_sum", big, torch.tensor([1, 1]), "sum")

    ninf = torch.tensor([[-INF, 0.0, 1.0], [2.0, -INF, 0.5], [0.3, -0.7, -INF]],
                        dtype=torch.float32)
    add("neg_inf_non_target_mean", ninf, torch.tensor([1, 0, 1]), "mean")
    add("neg_inf_non_target_none", ninf, torch.tensor([2, 2, 0]), "none")

    add("random_5x3_f64_mean", randn([5, 3], seed=12, dtype=torch.float64),
        torch.tensor([2, 0, 1, 1, 0]), "mean")
    add("random_5x3_f64_none", randn([5, 3], seed=12, dtype=torch.float64),
        torch.tensor([2, 0, 1, 1, 0]), "none")

    add("batch1_mean", torch.tensor([[0.5, -1.25, 2.0, 0.125]], dtype=torch.float32),
        torch.tensor([2]), "mean")
    add("batch1_sum", torch.tensor([[0.5, -1.25, 2.0, 0.125]], dtype=torch.float32),
        torch.tensor([0]), "sum")

    write("cross_entropy.json", cases)


# --------------------------------------------------------------------------
# 3. linear
# --------------------------------------------------------------------------

def make_linear():
    cases = []

    def add(name, in_shape, out_features, dtype, seed):
        in_features = in_shape[-1]
        x = randn(in_shape, seed, dtype).requires_grad_(True)
        w = randn([out_features, in_features], seed + 1, dtype).requires_grad_(True)
        b = randn([out_features], seed + 2, dtype).requires_grad_(True)
        y = F.linear(x, w, b)
        y.sum().backward()
        cases.append({
            "name": name,
            "input": enc(x),
            "weight": enc(w),
            "bias": enc(b),
            "output": enc(y),
            "grad_input": enc(x.grad),
            "grad_weight": enc(w.grad),
            "grad_bias": enc(b.grad),
        })

    add("2d_3x5_to_4", [3, 5], 4, torch.float32, 20)
    add("3d_2x3x5_to_4", [2, 3, 5], 4, torch.float32, 30)
    add("2d_3x5_to_4_f64", [3, 5], 4, torch.float64, 40)
    add("1row_1x2_to_3", [1, 2], 3, torch.float32, 50)

    write("linear.json", cases)


# --------------------------------------------------------------------------
# 4./5. optimizers
# --------------------------------------------------------------------------

def run_optimizer(opt_cls, p0, grads, options):
    p = torch.nn.Parameter(p0.clone())
    kwargs = dict(options)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    # Plain single-tensor (for-loop) implementation, as on CPU by default.
    opt = opt_cls([p], foreach=False, **kwargs)
    out = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        out.append(enc(p.detach().clone()))
    return out


def make_optimizer_fixture(fname, opt_cls, option_sets, seed):
    p0 = randn([3, 2], seed, torch.float64)
    grads = [randn([3, 2], seed + 1 + k, torch.float64) for k in range(4)]
    cases = [{"options": o, "params_after": run_optimizer(opt_cls, p0, grads, o)}
             for o in option_sets]
    write(fname, {"p0": enc(p0), "grads": [enc(g) for g in grads], "cases": cases})


def make_sgd():
    make_optimizer_fixture("sgd.json", torch.optim.SGD, [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
    ], seed=60)


def make_adam():
    make_optimizer_fixture("adam.json", torch.optim.Adam, [
        {"lr": 0.01},
        {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "amsgrad": True},
    ], seed=70)


# --------------------------------------------------------------------------
# 6. tiny end-to-end network step
# --------------------------------------------------------------------------

class SimpleNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 5)
        self.fc2 = torch.nn.Linear(5, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def make_simplenn_step():
    torch.manual_seed(0)
    # Initialized in float32 by the default init, then widened to float64.
    net = SimpleNN().double()
    keys = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]

    def state():
        sd = net.state_dict()
        assert list(sd.keys()) == keys
        return {k: enc(sd[k].clone()) for k in keys}

    def grads():
        params = dict(net.named_parameters())
        return {k: enc(params[k].grad.clone()) for k in keys}

    x = randn([4, 6], seed=80, dtype=torch.float64)
    target = torch.tensor([0, 2, 1, 2], dtype=torch.int64)
    opt_options = {"lr": 0.1, "momentum": 0.9}
    opt = torch.optim.SGD(net.parameters(), foreach=False, **opt_options)

    out = {"state_dict": state(), "input": enc(x), "target": enc(target),
           "optimizer": "SGD", "options": opt_options}

    # step 1
    opt.zero_grad()
    logits = net(x)
    probs = torch.softmax(logits, dim=1)
    loss = F.cross_entropy(logits, target)  # reduction='mean'
    loss.backward()
    out["logits"] = enc(logits)
    out["softmax"] = enc(probs)
    out["loss"] = enc(loss)
    out["grads"] = grads()
    opt.step()
    out["state_dict_after_step1"] = state()

    # step 2: fresh forward/backward on the same batch
    opt.zero_grad()
    logits2 = net(x)
    loss2 = F.cross_entropy(logits2, target)
    loss2.backward()
    out["logits_step2"] = enc(logits2)
    out["loss_step2"] = enc(loss2)
    out["grads_step2"] = grads()
    opt.step()
    out["state_dict_after_step2"] = state()

    write("simplenn_step.json", out)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_num_threads(1)  # avoid any reduction-order differences
    print("torch", torch.__version__, file=sys.stderr)
    make_softmax()
    make_cross_entropy()
    make_linear()
    make_sgd()
    make_adam()
    make_simplenn_step()


if __name__ == "__main__":
    main()
