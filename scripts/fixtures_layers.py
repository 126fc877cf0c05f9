#!/usr/bin/env python3
"""Golden fixtures for jtorch's convolution, pooling, normalisation, dropout-free activation layers.

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_layers.py

Writes src/test/resources/fixtures/layers.json. Deterministic: every input and weight comes from
a torch.Generator with a fixed seed. Same tensor encoding as scripts/make_fixtures.py (see
src/test/resources/fixtures/README.md). CI never runs this script; the JSON is committed.

Gradients are those of the weighted sum (output * grad_output).sum(), so every output element
gets its own weight; grad_output is stored with each case.
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "layers.json")

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def _f(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def enc(t):
    t = t.detach().cpu().contiguous()
    flat = t.reshape(-1).tolist()
    data = [_f(v) for v in flat] if t.dtype.is_floating_point else [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def enc_sd(sd):
    return {k: enc(v) for k, v in sd.items()}


def randn(shape, seed, dtype=torch.float32):
    g = torch.Generator()
    g.manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)


def rand(shape, seed, lo, hi, dtype=torch.float32):
    g = torch.Generator()
    g.manual_seed(seed)
    return (lo + (hi - lo) * torch.rand(*shape, generator=g, dtype=torch.float64)).to(dtype)


def forward_backward(module, x, seed):
    """Output and gradients (input and every parameter) of (module(x) * grad_output).sum()."""
    x = x.clone().requires_grad_(True)
    module.zero_grad()
    y = module(x)
    go = randn(list(y.shape), seed, y.dtype)
    (y * go).sum().backward()
    grads = {"input": enc(x.grad)}
    for name, p in module.named_parameters():
        grads[name] = enc(p.grad)
    return y, go, grads


# ------------------------------------------------------------------ Conv2d

def conv_cases():
    cases = []

    def add(name, in_c, out_c, k, stride=1, padding=0, dilation=1, groups=1, bias=True, input_shape=None,
            dtype=torch.float32, seed=0):
        conv = nn.Conv2d(in_c, out_c, k, stride=stride, padding=padding, dilation=dilation, groups=groups,
                         bias=bias).to(dtype)
        with torch.no_grad():
            conv.weight.copy_(randn(list(conv.weight.shape), seed + 1, dtype) * 0.5)
            if bias:
                conv.bias.copy_(randn(list(conv.bias.shape), seed + 2, dtype))
        x = randn(input_shape, seed + 3, dtype)
        y, go, grads = forward_backward(conv, x, seed + 4)
        pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]
        cases.append({
            "name": name,
            "options": {"in_channels": in_c, "out_channels": out_c, "kernel_size": pair(k), "stride": pair(stride),
                        "padding": pair(padding), "dilation": pair(dilation), "groups": groups, "bias": bias},
            "repr": repr(conv),
            "state_dict": enc_sd(conv.state_dict()),
            "input": enc(x), "output": enc(y), "grad_output": enc(go), "grads": grads,
        })

    add("1to2_k3", 1, 2, 3, input_shape=[2, 1, 5, 5], seed=10)
    add("3to4_k2x3_stride2_pad1", 3, 4, (2, 3), stride=2, padding=1, input_shape=[2, 3, 6, 7], seed=20)
    add("4to6_groups2_dilation2_nobias", 4, 6, 3, dilation=2, groups=2, bias=False, input_shape=[1, 4, 7, 7],
        seed=30)
    add("unbatched_3to2_k3_pad1_stride(2,1)", 3, 2, 3, stride=(2, 1), padding=1, input_shape=[3, 5, 5], seed=40)
    add("float64_2to3_k3", 2, 3, 3, input_shape=[2, 2, 4, 5], dtype=torch.float64, seed=50)
    return cases


# ------------------------------------------------------------------ pooling

def pool_cases():
    cases = []

    def add(name, kind, args, module, input_shape, seed, dtype=torch.float32):
        x = randn(input_shape, seed, dtype)
        y, go, grads = forward_backward(module, x, seed + 1)
        cases.append({"name": name, "kind": kind, "args": args, "repr": repr(module), "input": enc(x),
                      "output": enc(y), "grad_output": enc(go), "grad_input": grads["input"]})

    add("max_k2", "max", {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1],
                          "ceil_mode": False}, nn.MaxPool2d(2), [2, 3, 6, 6], 100)
    add("max_k3_s2_p1", "max", {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1],
                                "ceil_mode": False}, nn.MaxPool2d(3, 2, 1), [1, 2, 7, 7], 110)
    add("max_k2x3_s1x2_ceil_dil2", "max", {"kernel_size": [2, 3], "stride": [1, 2], "padding": [0, 1],
                                           "dilation": [2, 1], "ceil_mode": True},
        nn.MaxPool2d((2, 3), (1, 2), (0, 1), (2, 1), ceil_mode=True), [2, 2, 5, 8], 120)
    add("max_unbatched_k2", "max", {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1],
                                    "ceil_mode": False}, nn.MaxPool2d(2), [3, 4, 5], 130)
    add("avg_k2", "avg", {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "ceil_mode": False,
                          "count_include_pad": True}, nn.AvgPool2d(2), [2, 3, 6, 6], 200)
    add("avg_k3_s2_p1", "avg", {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": False,
                                "count_include_pad": True}, nn.AvgPool2d(3, 2, 1), [1, 2, 7, 7], 210)
    add("avg_k3_s2_p1_exclude_pad_ceil", "avg", {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1],
                                                 "ceil_mode": True, "count_include_pad": False},
        nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), [1, 2, 6, 6], 220)
    add("adaptive_1", "adaptive", {"output_size": [1, 1]}, nn.AdaptiveAvgPool2d(1), [2, 3, 5, 7], 300)
    add("adaptive_3x2", "adaptive", {"output_size": [3, 2]}, nn.AdaptiveAvgPool2d((3, 2)), [2, 2, 7, 5], 310)
    add("adaptive_up_4", "adaptive", {"output_size": [4, 4]}, nn.AdaptiveAvgPool2d(4), [1, 1, 3, 3], 320)
    return cases


# ------------------------------------------------------------------ activations

def activation_cases():
    cases = []
    x = randn([3, 4, 5], 400) * 3
    x[0, 0, 0] = 0.0
    x[0, 0, 1] = -0.0

    def add(name, kind, args, module):
        y, go, grads = forward_backward(module, x, 401)
        cases.append({"name": name, "kind": kind, "args": args, "repr": repr(module), "input": enc(x),
                      "output": enc(y), "grad_output": enc(go), "grad_input": grads["input"]})

    add("gelu", "gelu", {"approximate": "none"}, nn.GELU())
    add("gelu_tanh", "gelu", {"approximate": "tanh"}, nn.GELU(approximate="tanh"))
    add("leaky_relu", "leaky_relu", {"negative_slope": 0.01}, nn.LeakyReLU())
    add("leaky_relu_0.2", "leaky_relu", {"negative_slope": 0.2}, nn.LeakyReLU(0.2))
    add("sigmoid", "sigmoid", {}, nn.Sigmoid())
    add("tanh", "tanh", {}, nn.Tanh())
    add("softmax_dim1", "softmax", {"dim": 1}, nn.Softmax(dim=1))
    add("softmax_dim-1", "softmax", {"dim": -1}, nn.Softmax(dim=-1))
    add("log_softmax_dim0", "log_softmax", {"dim": 0}, nn.LogSoftmax(dim=0))
    add("log_softmax_dim2", "log_softmax", {"dim": 2}, nn.LogSoftmax(dim=2))
    return cases


# ------------------------------------------------------------------ batch norm

def batchnorm_cases():
    cases = []

    def add(name, dims, c, shape, seed, momentum=0.1, eps=1e-5, affine=True, track=True):
        cls = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[dims]
        bn = cls(c, eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
        with torch.no_grad():
            if affine:
                bn.weight.copy_(rand([c], seed, 0.5, 1.5))
                bn.bias.copy_(randn([c], seed + 1))
            if track:
                bn.running_mean.copy_(randn([c], seed + 2) * 0.1)
                bn.running_var.copy_(rand([c], seed + 3, 0.5, 2.0))
        sd0 = enc_sd(bn.state_dict())
        keys = list(bn.state_dict().keys())
        bn.train()
        steps = []
        for i in range(2):
            x = randn(shape, seed + 10 + i) * (1 + i) + 0.5 * i
            y, go, grads = forward_backward(bn, x, seed + 20 + i)
            steps.append({"input": enc(x), "output": enc(y), "grad_output": enc(go), "grads": grads,
                          "state_dict_after": enc_sd(bn.state_dict())})
        bn.eval()
        xe = randn(shape, seed + 30)
        with torch.no_grad():
            ye = bn(xe)
        cases.append({
            "name": name, "dims": dims, "num_features": c, "eps": eps, "momentum": momentum, "affine": affine,
            "track_running_stats": track, "repr": repr(bn), "keys": keys, "state_dict": sd0,
            "train_steps": steps, "eval_input": enc(xe), "eval_output": enc(ye),
        })

    add("bn2d_c3", 2, 3, [4, 3, 3, 2], 500)
    add("bn1d_c4_2d_input", 1, 4, [6, 4], 600)
    add("bn1d_c2_3d_input_momentum0.3_eps1e-3", 1, 2, [3, 2, 5], 700, momentum=0.3, eps=1e-3)
    add("bn2d_c2_momentum_none", 2, 2, [2, 2, 3, 3], 800, momentum=None)
    add("bn1d_c3_no_affine_no_stats", 1, 3, [5, 3], 900, affine=False, track=False)
    add("bn3d_c2", 3, 2, [2, 2, 3, 2, 2], 1000)
    add("bn3d_c3_momentum_none_eps1e-3", 3, 3, [3, 3, 2, 2, 2], 1100, momentum=None, eps=1e-3)
    return cases


# ------------------------------------------------------------------ small CNNs

class SmallCNN(nn.Module):
    """jtorch's 28x28 CNN (models.MnistCnn) with a BatchNorm2d after conv1 (keys only)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(64 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x.view(-1, 1, 28, 28)))), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class TinyCNN(nn.Module):
    """Every new layer in one graph, small enough to store all weights and gradients."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(24, 3)

    def forward(self, x):
        x = F.max_pool2d(F.leaky_relu(self.bn1(self.conv1(x)), 0.1), 2)   # [N,4,8,8] -> [N,4,3,3]
        x = torch.tanh(self.conv2(x))                                        # [N,6,3,3]
        x = F.avg_pool2d(F.gelu(x), 1)                                       # identity pooling, exercised
        x = self.pool(x)                                                     # [N,6,2,2]
        return torch.log_softmax(self.fc(torch.flatten(x, 1)), 1)


def cnn_fixtures():
    torch.manual_seed(0)
    small = SmallCNN()
    keys = [[k, list(v.shape), DTYPE_NAMES[v.dtype]] for k, v in small.state_dict().items()]

    tiny = TinyCNN()
    with torch.no_grad():
        for i, (k, v) in enumerate(tiny.state_dict().items()):
            if v.dtype.is_floating_point:
                if k.endswith("running_var"):
                    v.copy_(rand(list(v.shape), 1000 + i, 0.5, 2.0))
                else:
                    v.copy_(randn(list(v.shape), 1000 + i) * 0.4)
    sd0 = enc_sd(tiny.state_dict())
    tiny.train()
    x = randn([3, 1, 8, 8], 1100)
    y, go, grads = forward_backward(tiny, x, 1101)
    after = enc_sd(tiny.state_dict())
    tiny.eval()
    with torch.no_grad():
        ye = tiny(x)
    return {
        "small_cnn_keys": keys,
        "small_cnn_repr": repr(small),
        "tiny_cnn": {"state_dict": sd0, "input": enc(x), "output": enc(y), "grad_output": enc(go), "grads": grads,
                     "state_dict_after": after, "eval_output": enc(ye)},
    }


def main():
    out = {
        "torch_version": torch.__version__,
        "conv2d": conv_cases(),
        "pool": pool_cases(),
        "activation": activation_cases(),
        "batchnorm": batchnorm_cases(),
    }
    out.update(cnn_fixtures())
    with open(OUT, "w") as f:
        json.dump(out, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(OUT, ROOT), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
