#!/usr/bin/env python3
"""Golden fixtures for the layers and loss modules of issue 15.

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_layers15.py

Writes src/test/resources/fixtures/layers15.json, transformer15.json and losses15.json.
Deterministic: every input and weight comes from a torch.Generator with a fixed seed; the default
initialisations come from torch.manual_seed. Same tensor encoding as scripts/fixtures_layers.py (see
src/test/resources/fixtures/README.md). CI never runs this script; the JSON is committed.

Gradients are those of the weighted sum (output * grad_output).sum(); grad_output is stored with
each case.

PyTorch 1.13 has no nn.RMSNorm (added in 2.4): the class RMSNorm below is PyTorch 2.4's definition
(weight only; eps None = torch.finfo(input.dtype).eps) written out with 1.13's ops.
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "src", "test", "resources", "fixtures")

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
    n = 1
    for d in shape:
        n *= d
    return torch.randn(n, generator=g, dtype=torch.float64).reshape(shape).to(dtype)


def rand(shape, seed, lo, hi, dtype=torch.float32):
    g = torch.Generator()
    g.manual_seed(seed)
    return (lo + (hi - lo) * torch.rand(*shape, generator=g, dtype=torch.float64)).to(dtype)


class RMSNorm(nn.Module):
    """PyTorch 2.4's nn.RMSNorm."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
        else:
            self.register_parameter("weight", None)

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
        y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
        return y * self.weight if self.weight is not None else y

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}".format(**self.__dict__)


# ------------------------------------------------------------------ layers

class ChannelShuffle(nn.ChannelShuffle):
    """nn.ChannelShuffle (same repr) through view/transpose: 1.13's channel_shuffle has no derivative."""

    def forward(self, x):
        n, c = x.shape[0], x.shape[1]
        return x.reshape(n, self.groups, c // self.groups, *x.shape[2:]).transpose(1, 2).reshape(x.shape)


def layer_cases():
    cases = []

    def add(name, kind, args, make, input_shape, seed, dtype=torch.float32, randomise=True, train=False,
            scale=1.0, init=True):
        """make() builds the layer; its default initialisation after torch.manual_seed(seed) is stored too."""
        entry = {"name": name, "kind": kind, "args": args}
        if init:
            torch.manual_seed(seed)
            fresh = make()
            entry["init_seed"] = seed
            entry["init_state_dict"] = enc_sd(fresh.state_dict())
        m = make().to(dtype)
        with torch.no_grad():
            if randomise:
                for i, (k, p) in enumerate(m.named_parameters()):
                    p.copy_(randn(list(p.shape), seed + 100 + i, dtype) * 0.5 + (1.0 if k == "weight" and kind in
                                                                                   ("group_norm", "rms_norm") else 0.0))
        m.train(train)
        x = (randn(input_shape, seed + 1, dtype) * scale).requires_grad_(True)
        y = m(x)
        go = randn(list(y.shape), seed + 2, y.dtype)
        (y * go).sum().backward()
        grads = {"input": enc(x.grad)}
        for k, p in m.named_parameters():
            grads[k] = enc(p.grad)
        entry.update({"repr": repr(m), "keys": list(m.state_dict().keys()), "state_dict": enc_sd(m.state_dict()),
                      "input": enc(x), "output": enc(y), "grad_output": enc(go), "grads": grads})
        cases.append(entry)

    # normalisation
    add("group_norm_2g_4c", "group_norm", {"num_groups": 2, "num_channels": 4, "eps": 1e-5, "affine": True},
        lambda: nn.GroupNorm(2, 4), [2, 4, 3, 3], 10)
    add("group_norm_3g_6c_eps1e-3_1d", "group_norm", {"num_groups": 3, "num_channels": 6, "eps": 1e-3,
                                                       "affine": True},
        lambda: nn.GroupNorm(3, 6, eps=1e-3), [2, 6, 5], 20)
    add("group_norm_no_affine", "group_norm", {"num_groups": 1, "num_channels": 3, "eps": 1e-5, "affine": False},
        lambda: nn.GroupNorm(1, 3, affine=False), [3, 3, 2, 2], 30)
    add("rms_norm_5", "rms_norm", {"normalized_shape": [5], "eps": None, "elementwise_affine": True},
        lambda: RMSNorm([5]), [2, 3, 5], 40)
    add("rms_norm_3x4_eps1e-6", "rms_norm", {"normalized_shape": [3, 4], "eps": 1e-6, "elementwise_affine": True},
        lambda: RMSNorm([3, 4], eps=1e-6), [2, 3, 4], 50)
    add("rms_norm_no_affine_f64", "rms_norm", {"normalized_shape": [4], "eps": None, "elementwise_affine": False},
        lambda: RMSNorm(4, elementwise_affine=False), [3, 4], 60, dtype=torch.float64)

    # Conv1d
    def conv1d_args(i, o, k, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros"):
        return {"in_channels": i, "out_channels": o, "kernel_size": k, "stride": stride, "padding": padding,
                "dilation": dilation, "groups": groups, "bias": bias, "padding_mode": padding_mode}

    def conv1d(name, shape, seed, **kw):
        a = conv1d_args(**kw)
        add(name, "conv1d", a, lambda: nn.Conv1d(a["in_channels"], a["out_channels"], a["kernel_size"],
                                                 stride=a["stride"], padding=a["padding"], dilation=a["dilation"],
                                                 groups=a["groups"], bias=a["bias"], padding_mode=a["padding_mode"]),
            shape, seed)

    conv1d("conv1d_3to4_k3", [2, 3, 8], 100, i=3, o=4, k=3)
    conv1d("conv1d_4to6_k3_s2_p1_d2_g2_nobias", [2, 4, 9], 110, i=4, o=6, k=3, stride=2, padding=1, dilation=2,
           groups=2, bias=False)
    conv1d("conv1d_same_k4_d2", [1, 2, 7], 120, i=2, o=3, k=4, dilation=2, padding="same")
    conv1d("conv1d_valid", [2, 2, 6], 130, i=2, o=2, k=3, padding="valid")
    conv1d("conv1d_unbatched_p1", [3, 5], 140, i=3, o=2, k=3, padding=1)
    conv1d("conv1d_circular_p2", [2, 2, 6], 150, i=2, o=3, k=3, padding=2, padding_mode="circular")
    conv1d("conv1d_reflect_p1", [1, 2, 5], 160, i=2, o=2, k=3, padding=1, padding_mode="reflect")
    conv1d("conv1d_replicate_p2_s2", [1, 2, 5], 170, i=2, o=2, k=2, stride=2, padding=2, padding_mode="replicate")

    # ConvTranspose1d
    def convt_args(i, o, k, stride, padding, output_padding, groups, bias, dilation):
        return {"in_channels": i, "out_channels": o, "kernel_size": k, "stride": stride, "padding": padding,
                "output_padding": output_padding, "groups": groups, "bias": bias, "dilation": dilation}

    def convt(name, dims, shape, seed, i, o, k, stride=1, padding=0, output_padding=0, groups=1, bias=True,
              dilation=1):
        a = convt_args(i, o, k, stride, padding, output_padding, groups, bias, dilation)
        cls = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[dims]
        add(name, "conv_transpose%dd" % dims, a,
            lambda: cls(i, o, k, stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                        bias=bias, dilation=dilation), shape, seed)

    convt("convt1d_3to2_k3", 1, [2, 3, 5], 200, 3, 2, 3)
    convt("convt1d_3to2_k3_s2_p1_op1", 1, [2, 3, 5], 210, 3, 2, 3, stride=2, padding=1, output_padding=1)
    convt("convt1d_4to6_g2_d2_nobias", 1, [1, 4, 4], 220, 4, 6, 3, groups=2, dilation=2, bias=False)
    convt("convt1d_unbatched", 1, [2, 4], 230, 2, 3, 2, stride=3)
    convt("convt2d_2to3_k3", 2, [2, 2, 4, 4], 300, 2, 3, 3)
    convt("convt2d_4to2_k3x2_s2x1_p1x0_op1x0_g2_d1x2", 2, [1, 4, 3, 4], 310, 4, 2, [3, 2], stride=[2, 1],
          padding=[1, 0], output_padding=[1, 0], groups=2, dilation=[1, 2])
    convt("convt2d_unbatched_s2_op1_nobias", 2, [2, 3, 3], 320, 2, 2, 3, stride=2, output_padding=1, bias=False)
    convt("convt3d_2to3_k2", 3, [1, 2, 2, 3, 2], 330, 2, 3, 2)
    convt("convt3d_4to2_k3x2x2_s2x1x1_p1x0x0_op1x0x0_g2_nobias", 3, [2, 4, 2, 2, 3], 331, 4, 2, [3, 2, 2],
          stride=[2, 1, 1], padding=[1, 0, 0], output_padding=[1, 0, 0], groups=2, bias=False)

    # Upsample
    def up(name, shape, seed, size=None, scale_factor=None, mode="nearest", align_corners=None):
        a = {"size": size, "scale_factor": scale_factor, "mode": mode, "align_corners": align_corners}
        add(name, "upsample", a, lambda: nn.Upsample(size=size, scale_factor=scale_factor, mode=mode,
                                                     align_corners=align_corners), shape, seed, init=False)

    up("upsample_nearest_x2", [1, 2, 3, 3], 400, scale_factor=2.0)
    up("upsample_nearest_size_5x4", [1, 2, 3, 3], 405, size=(5, 4))
    up("upsample_bilinear_size_5x4_align", [1, 2, 3, 3], 410, size=(5, 4), mode="bilinear", align_corners=True)
    up("upsample_bilinear_x1.5", [2, 1, 4, 4], 420, scale_factor=1.5, mode="bilinear")
    up("upsample_linear_x2", [2, 3, 4], 430, scale_factor=2.0, mode="linear")
    up("upsample_bicubic_size_5", [1, 1, 3, 3], 440, size=5, mode="bicubic", align_corners=False)
    up("upsample_nearest_exact_x2.5x2", [1, 1, 2, 3], 450, scale_factor=(2.5, 2.0), mode="nearest-exact")

    # shape layers
    add("identity", "identity", {}, lambda: nn.Identity(), [2, 3], 500, init=False)
    add("unflatten_1_2x3", "unflatten", {"dim": 1, "sizes": [2, 3]}, lambda: nn.Unflatten(1, (2, 3)), [2, 6, 4], 510,
        init=False)
    add("unflatten_-1_2x2", "unflatten", {"dim": -1, "sizes": [2, 2]}, lambda: nn.Unflatten(-1, (2, 2)), [3, 4], 520,
        init=False)

    # activations
    def act(name, kind, args, make, seed):
        add(name, kind, args, make, [3, 4, 5], seed, scale=3.0, init=kind == "prelu")

    act("relu6", "relu6", {}, lambda: nn.ReLU6(), 600)
    act("silu", "silu", {}, lambda: nn.SiLU(), 610)
    act("hardswish", "hardswish", {}, lambda: nn.Hardswish(), 620)
    act("elu", "elu", {"alpha": 1.0}, lambda: nn.ELU(), 630)
    act("elu_0.5", "elu", {"alpha": 0.5}, lambda: nn.ELU(alpha=0.5), 640)
    act("softplus", "softplus", {"beta": 1.0, "threshold": 20.0}, lambda: nn.Softplus(1.0, 20.0), 650)
    act("softplus_b2_t1", "softplus", {"beta": 2.0, "threshold": 1.0}, lambda: nn.Softplus(2.0, 1.0), 660)
    act("prelu", "prelu", {"num_parameters": 1, "init": 0.25}, lambda: nn.PReLU(), 670)
    act("prelu_4_0.1", "prelu", {"num_parameters": 4, "init": 0.1}, lambda: nn.PReLU(4, 0.1), 680)
    act("mish", "mish", {}, lambda: nn.Mish(), 690)

    # dropout in eval mode: the identity
    add("dropout1d_eval", "dropout1d", {"p": 0.5}, lambda: nn.Dropout1d(0.5), [2, 3, 4], 700, init=False)
    add("dropout2d_eval_p0.3", "dropout2d", {"p": 0.3}, lambda: nn.Dropout2d(0.3), [2, 3, 2, 2], 710, init=False)

    # parameter-free layers added after issue 15 (activations, shuffles, padding, dropouts)
    act("celu", "celu", {"alpha": 1.0}, lambda: nn.CELU(), 800)
    act("celu_0.5", "celu", {"alpha": 0.5}, lambda: nn.CELU(0.5), 801)
    act("selu", "selu", {}, lambda: nn.SELU(), 802)
    act("hardshrink", "hardshrink", {"lambd": 0.5}, lambda: nn.Hardshrink(), 803)
    act("hardshrink_1.5", "hardshrink", {"lambd": 1.5}, lambda: nn.Hardshrink(1.5), 804)
    act("hardsigmoid", "hardsigmoid", {}, lambda: nn.Hardsigmoid(), 805)
    act("hardtanh", "hardtanh", {"min_val": -1.0, "max_val": 1.0}, lambda: nn.Hardtanh(), 806)
    act("hardtanh_-2_3", "hardtanh", {"min_val": -2.0, "max_val": 3.0}, lambda: nn.Hardtanh(-2.0, 3.0), 807)
    act("logsigmoid", "logsigmoid", {}, lambda: nn.LogSigmoid(), 808)
    act("softshrink", "softshrink", {"lambd": 0.5}, lambda: nn.Softshrink(), 809)
    act("softshrink_2", "softshrink", {"lambd": 2.0}, lambda: nn.Softshrink(2.0), 810)
    act("softsign", "softsign", {}, lambda: nn.Softsign(), 811)
    act("tanhshrink", "tanhshrink", {}, lambda: nn.Tanhshrink(), 812)
    act("threshold_0.1_20", "threshold", {"threshold": 0.1, "value": 20.0}, lambda: nn.Threshold(0.1, 20.0), 813)
    act("softmin_1", "softmin", {"dim": 1}, lambda: nn.Softmin(1), 814)
    act("softmin_-1", "softmin", {"dim": -1}, lambda: nn.Softmin(-1), 815)
    add("glu", "glu", {"dim": -1}, lambda: nn.GLU(), [3, 4, 6], 816, init=False)
    add("glu_dim1", "glu", {"dim": 1}, lambda: nn.GLU(1), [3, 4, 5], 817, init=False)
    add("pixel_shuffle_2", "pixel_shuffle", {"factor": 2}, lambda: nn.PixelShuffle(2), [2, 8, 3, 3], 820,
        init=False)
    add("pixel_unshuffle_2", "pixel_unshuffle", {"factor": 2}, lambda: nn.PixelUnshuffle(2), [2, 2, 4, 6], 821,
        init=False)
    add("channel_shuffle_3", "channel_shuffle", {"factor": 3}, lambda: ChannelShuffle(3), [2, 6, 2, 2], 822,
        init=False)

    def pad(name, kind, padding, shape, seed, value=None):
        a = {"padding": padding, "value": value}
        cls = {"zero_pad2d": nn.ZeroPad2d, "constant_pad1d": nn.ConstantPad1d, "constant_pad2d": nn.ConstantPad2d,
               "constant_pad3d": nn.ConstantPad3d, "reflection_pad1d": nn.ReflectionPad1d,
               "reflection_pad2d": nn.ReflectionPad2d, "reflection_pad3d": nn.ReflectionPad3d,
               "replication_pad1d": nn.ReplicationPad1d, "replication_pad2d": nn.ReplicationPad2d,
               "replication_pad3d": nn.ReplicationPad3d}[kind]
        p = tuple(padding) if isinstance(padding, list) else padding
        add(name, kind, a, (lambda: cls(p, value)) if value is not None else (lambda: cls(p)), shape, seed,
            init=False)

    pad("zero_pad2d_1", "zero_pad2d", 1, [2, 2, 3, 3], 830)
    pad("zero_pad2d_1_2_0_-1", "zero_pad2d", [1, 2, 0, -1], [1, 2, 3, 4], 831)
    pad("constant_pad1d_2_3.5", "constant_pad1d", 2, [2, 3, 4], 832, value=3.5)
    pad("constant_pad2d_1_0_2_1", "constant_pad2d", [1, 0, 2, 1], [2, 3, 3], 833, value=-1.0)
    pad("constant_pad3d_1", "constant_pad3d", 1, [1, 2, 2, 2, 3], 834, value=0.5)
    pad("reflection_pad1d_2", "reflection_pad1d", 2, [2, 3, 5], 835)
    pad("reflection_pad2d_1_1_2_0", "reflection_pad2d", [1, 1, 2, 0], [1, 2, 4, 4], 836)
    pad("reflection_pad3d_1", "reflection_pad3d", 1, [1, 2, 3, 3, 3], 837)
    pad("replication_pad1d_1_2", "replication_pad1d", [1, 2], [2, 3, 4], 838)
    pad("replication_pad2d_2", "replication_pad2d", 2, [2, 2, 3, 3], 839)
    pad("replication_pad3d_1_0_2_1_0_1", "replication_pad3d", [1, 0, 2, 1, 0, 1], [1, 2, 2, 3, 3], 840)

    # 1-D and 3-D pooling, adaptive pooling
    def pool(name, kind, args, make, shape, seed):
        add(name, kind, args, make, shape, seed, init=False)

    pool("max_pool1d_2", "max_pool1d", {"k": 2, "s": 2, "p": 0, "d": 1, "ceil": False}, lambda: nn.MaxPool1d(2),
         [2, 3, 7], 860)
    pool("max_pool1d_3_2_1_d2_ceil", "max_pool1d", {"k": 3, "s": 2, "p": 1, "d": 2, "ceil": True},
         lambda: nn.MaxPool1d(3, 2, 1, dilation=2, ceil_mode=True), [2, 3, 9], 861)
    pool("max_pool3d_2", "max_pool3d", {"k": [2, 2, 2], "s": [2, 2, 2], "p": [0, 0, 0], "d": [1, 1, 1],
                                        "ceil": False}, lambda: nn.MaxPool3d(2), [1, 2, 4, 4, 4], 862)
    pool("max_pool3d_2x1x2_s1_p1x0x1", "max_pool3d", {"k": [2, 1, 2], "s": [1, 1, 1], "p": [1, 0, 1],
                                                      "d": [1, 1, 1], "ceil": False},
         lambda: nn.MaxPool3d((2, 1, 2), stride=1, padding=(1, 0, 1)), [2, 3, 3, 2, 3], 863)
    pool("avg_pool1d_2", "avg_pool1d", {"k": 2, "s": 2, "p": 0, "ceil": False, "cip": True},
         lambda: nn.AvgPool1d(2), [2, 3, 6], 864)
    pool("avg_pool1d_3_2_1_ceil_nocip", "avg_pool1d", {"k": 3, "s": 2, "p": 1, "ceil": True, "cip": False},
         lambda: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False), [2, 2, 8], 865)
    pool("avg_pool3d_2", "avg_pool3d", {"k": [2, 2, 2], "s": [2, 2, 2], "p": [0, 0, 0], "ceil": False, "cip": True,
                                        "div": None}, lambda: nn.AvgPool3d(2), [1, 2, 4, 4, 2], 866)
    pool("avg_pool3d_2x2x1_s1_p1x0x0_div3", "avg_pool3d", {"k": [2, 2, 1], "s": [1, 1, 1], "p": [1, 0, 0],
                                                           "ceil": False, "cip": True, "div": 3},
         lambda: nn.AvgPool3d((2, 2, 1), stride=1, padding=(1, 0, 0), divisor_override=3), [2, 2, 3, 3, 2], 867)
    pool("adaptive_avg_pool1d_3", "adaptive_avg_pool1d", {"size": [3]}, lambda: nn.AdaptiveAvgPool1d(3), [2, 3, 7], 868)
    pool("adaptive_max_pool1d_4", "adaptive_max_pool1d", {"size": [4]}, lambda: nn.AdaptiveMaxPool1d(4), [2, 3, 9],
         869)
    pool("adaptive_max_pool2d_2x3", "adaptive_max_pool2d", {"size": [2, 3]}, lambda: nn.AdaptiveMaxPool2d((2, 3)),
         [2, 3, 5, 7], 870)
    pool("adaptive_max_pool2d_1", "adaptive_max_pool2d", {"size": [1, 1]}, lambda: nn.AdaptiveMaxPool2d(1),
         [3, 4, 4], 871)
    pool("adaptive_avg_pool3d_2x1x3", "adaptive_avg_pool3d", {"size": [2, 1, 3]},
         lambda: nn.AdaptiveAvgPool3d((2, 1, 3)), [1, 2, 4, 3, 5], 872)
    pool("adaptive_max_pool3d_2", "adaptive_max_pool3d", {"size": [2, 2, 2]}, lambda: nn.AdaptiveMaxPool3d(2),
         [2, 2, 3, 4, 5], 873)

    # Conv3d
    def conv3d(name, shape, seed, i, o, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
        t3 = lambda v: list(v) if isinstance(v, (list, tuple)) else [v, v, v]
        a = {"in_channels": i, "out_channels": o, "kernel_size": t3(k), "stride": t3(stride), "padding": t3(padding),
             "dilation": t3(dilation), "groups": groups, "bias": bias}
        add(name, "conv3d", a, lambda: nn.Conv3d(i, o, k, stride=stride, padding=padding, dilation=dilation,
                                                 groups=groups, bias=bias), shape, seed)

    conv3d("conv3d_2to3_k3", [2, 2, 4, 4, 4], 890, 2, 3, 3)
    conv3d("conv3d_4to2_k3x1x2_s2x1x1_p1_d1x2x1_g2_nobias", [1, 4, 5, 3, 5], 891, 4, 2, (3, 1, 2), stride=(2, 1, 1),
           padding=1, dilation=(1, 2, 1), groups=2, bias=False)
    conv3d("conv3d_unbatched", [2, 3, 3, 3], 892, 2, 2, 2)

    # sliding blocks
    def t2(v):
        return list(v) if isinstance(v, (list, tuple)) else [v, v]

    def unfold(name, shape, seed, k, dilation=1, padding=0, stride=1):
        a = {"kernel_size": t2(k), "dilation": t2(dilation), "padding": t2(padding), "stride": t2(stride)}
        add(name, "unfold", a, lambda: nn.Unfold(k, dilation=dilation, padding=padding, stride=stride), shape, seed,
            init=False)

    def fold(name, shape, seed, out, k, dilation=1, padding=0, stride=1):
        a = {"output_size": t2(out), "kernel_size": t2(k), "dilation": t2(dilation), "padding": t2(padding),
             "stride": t2(stride)}
        add(name, "fold", a, lambda: nn.Fold(out, k, dilation=dilation, padding=padding, stride=stride), shape, seed,
            init=False)

    unfold("unfold_2", [2, 3, 4, 5], 895, 2)
    unfold("unfold_2x3_p1_s1x2", [1, 2, 4, 5], 896, (2, 3), padding=1, stride=(1, 2))
    fold("fold_4x5_k2", [2, 12, 12], 897, (4, 5), 2)
    fold("fold_4_k2_s2", [1, 8, 4], 898, 4, 2, stride=2)

    # more activations, resizing and power pooling
    act("rrelu_eval", "rrelu", {"lower": 1.0 / 8, "upper": 1.0 / 3}, lambda: nn.RReLU(), 900)
    act("rrelu_0.1_0.3_eval", "rrelu", {"lower": 0.1, "upper": 0.3}, lambda: nn.RReLU(0.1, 0.3), 901)
    add("softmax2d", "softmax2d", {}, lambda: nn.Softmax2d(), [2, 3, 2, 2], 902, init=False)
    add("upsampling_nearest2d_x2", "upsampling_nearest2d", {"scale_factor": 2.0, "size": None},
        lambda: nn.UpsamplingNearest2d(scale_factor=2.0), [1, 2, 2, 3], 903, init=False)
    add("upsampling_bilinear2d_size_3x5", "upsampling_bilinear2d", {"scale_factor": None, "size": [3, 5]},
        lambda: nn.UpsamplingBilinear2d(size=(3, 5)), [1, 2, 2, 3], 904, init=False)
    add("lp_pool1d_2_k3", "lp_pool1d", {"norm_type": 2, "kernel_size": 3, "stride": None, "ceil_mode": False},
        lambda: nn.LPPool1d(2, 3), [2, 3, 7], 905, init=False)
    add("lp_pool2d_1.5_k2_s1", "lp_pool2d", {"norm_type": 1.5, "kernel_size": 2, "stride": 1, "ceil_mode": False},
        lambda: nn.LPPool2d(1.5, 2, stride=1), [1, 2, 4, 4], 906, init=False)

    # instance and local response normalisation
    def inorm(name, dims, args, shape, seed):
        cls = {1: nn.InstanceNorm1d, 2: nn.InstanceNorm2d, 3: nn.InstanceNorm3d}[dims]
        add(name, "instance_norm%dd" % dims, args,
            lambda: cls(args["num_features"], eps=args["eps"], momentum=args["momentum"], affine=args["affine"],
                        track_running_stats=args["track"]), shape, seed, init=args["affine"])

    inorm("instance_norm1d_3", 1, {"num_features": 3, "eps": 1e-5, "momentum": 0.1, "affine": False, "track": False},
          [2, 3, 5], 880)
    inorm("instance_norm2d_4_affine", 2, {"num_features": 4, "eps": 1e-5, "momentum": 0.1, "affine": True,
                                          "track": False}, [2, 4, 3, 3], 881)
    inorm("instance_norm2d_2_affine_track_eval", 2, {"num_features": 2, "eps": 1e-3, "momentum": 0.2, "affine": True,
                                                     "track": True}, [3, 2, 2, 3], 882)
    inorm("instance_norm3d_2_unbatched", 3, {"num_features": 2, "eps": 1e-5, "momentum": 0.1, "affine": False,
                                             "track": False}, [2, 2, 3, 2], 883)
    add("local_response_norm_3", "local_response_norm", {"size": 3, "alpha": 1e-4, "beta": 0.75, "k": 1.0},
        lambda: nn.LocalResponseNorm(3), [2, 5, 3, 3], 884, init=False, scale=3.0)
    add("local_response_norm_2_custom", "local_response_norm", {"size": 2, "alpha": 1e-3, "beta": 0.5, "k": 2.0},
        lambda: nn.LocalResponseNorm(2, alpha=1e-3, beta=0.5, k=2.0), [2, 4, 6], 885, init=False, scale=3.0)

    add("dropout3d_eval", "dropout3d", {"p": 0.2}, lambda: nn.Dropout3d(0.2), [2, 3, 2, 2, 2], 850, init=False)
    add("alpha_dropout_eval", "alpha_dropout", {"p": 0.3}, lambda: nn.AlphaDropout(0.3), [3, 4], 851, init=False)
    add("feature_alpha_dropout_eval", "feature_alpha_dropout", {"p": 0.4}, lambda: nn.FeatureAlphaDropout(0.4),
        [2, 3, 2, 2], 852, init=False)
    return cases


# ------------------------------------------------------------------ losses

REDUCTIONS = ["none", "mean", "sum"]


def loss_cases():
    cases = []

    def add(name, kind, args, make, inputs, keys_extra=None, reductions=REDUCTIONS, grad_index=0):
        """inputs: list of tensors (first = input whose gradient is stored)."""
        for red in reductions:
            m = make(red)
            xs = [t.clone() for t in inputs]
            xs[grad_index].requires_grad_(True)
            y = m(*xs)
            go = randn(list(y.shape), 9000 + len(cases), y.dtype)
            (y * go).sum().backward()
            cases.append({"name": name + "_" + red, "kind": kind, "args": dict(args, reduction=red),
                          "keys": list(m.state_dict().keys()), "state_dict": enc_sd(m.state_dict()),
                          "inputs": [enc(t) for t in inputs], "output": enc(y), "grad_output": enc(go),
                          "grad_input": enc(xs[grad_index].grad)})

    x = randn([3, 4], 1) * 2
    t = randn([3, 4], 2)
    add("mse", "mse", {}, lambda r: nn.MSELoss(reduction=r), [x, t])
    add("l1", "l1", {}, lambda r: nn.L1Loss(reduction=r), [x, t])
    add("smooth_l1", "smooth_l1", {"beta": 1.0}, lambda r: nn.SmoothL1Loss(reduction=r), [x, t])
    add("smooth_l1_beta0.5", "smooth_l1", {"beta": 0.5}, lambda r: nn.SmoothL1Loss(reduction=r, beta=0.5), [x, t])
    add("huber", "huber", {"delta": 1.0}, lambda r: nn.HuberLoss(reduction=r), [x, t])
    add("huber_delta0.7", "huber", {"delta": 0.7}, lambda r: nn.HuberLoss(reduction=r, delta=0.7), [x, t])

    p = torch.sigmoid(randn([3, 4], 3) * 2)
    pt = rand([3, 4], 4, 0.0, 1.0)
    w = rand([4], 5, 0.5, 2.0)
    add("bce", "bce", {"weight": False}, lambda r: nn.BCELoss(reduction=r), [p, pt])
    add("bce_weight", "bce", {"weight": True}, lambda r: nn.BCELoss(weight=w, reduction=r), [p, pt])
    logits = randn([3, 4], 6) * 2
    pw = rand([4], 7, 0.5, 3.0)
    add("bce_logits", "bce_logits", {"weight": False, "pos_weight": False},
        lambda r: nn.BCEWithLogitsLoss(reduction=r), [logits, pt])
    add("bce_logits_weight_pos_weight", "bce_logits", {"weight": True, "pos_weight": True},
        lambda r: nn.BCEWithLogitsLoss(weight=w, reduction=r, pos_weight=pw), [logits, pt])
    add("bce_logits_pos_weight", "bce_logits", {"weight": False, "pos_weight": True},
        lambda r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=pw), [logits, pt])

    lp = torch.log_softmax(randn([3, 5], 8), 1)
    q = torch.softmax(randn([3, 5], 9), 1)
    for log_target in (False, True):
        target = q.log() if log_target else q
        add("kl_div" + ("_log_target" if log_target else ""), "kl_div", {"log_target": log_target},
            lambda r, lt=log_target: nn.KLDivLoss(reduction=r, log_target=lt), [lp, target],
            reductions=REDUCTIONS + ["batchmean"])

    # CTC: T=6, N=2, C=4; targets padded [N, S]
    log_probs = torch.log_softmax(randn([6, 2, 4], 10), 2)
    targets = torch.tensor([[1, 2, 2], [3, 1, 0]], dtype=torch.int64)
    in_len = torch.tensor([6, 5], dtype=torch.int64)
    tg_len = torch.tensor([3, 2], dtype=torch.int64)
    add("ctc", "ctc", {"blank": 0, "zero_infinity": False}, lambda r: nn.CTCLoss(reduction=r),
        [log_probs, targets, in_len, tg_len])
    # blank 3, second sample impossible (3 labels with a repeat need 4 frames, only 2 given)
    targets2 = torch.tensor([[1, 1, 2], [0, 2, 2]], dtype=torch.int64)
    in_len2 = torch.tensor([6, 2], dtype=torch.int64)
    tg_len2 = torch.tensor([3, 3], dtype=torch.int64)
    add("ctc_blank3_zero_infinity", "ctc", {"blank": 3, "zero_infinity": True},
        lambda r: nn.CTCLoss(blank=3, reduction=r, zero_infinity=True), [log_probs, targets2, in_len2, tg_len2])

    logits5 = randn([4, 5], 11) * 2
    cls = torch.tensor([0, 3, 1, 4], dtype=torch.int64)
    cw = rand([5], 12, 0.5, 2.0)
    add("cross_entropy", "cross_entropy", {"weight": False, "ignore_index": -100, "label_smoothing": 0.0},
        lambda r: nn.CrossEntropyLoss(reduction=r), [logits5, cls])
    add("cross_entropy_weight_ignore1_smooth0.1", "cross_entropy",
        {"weight": True, "ignore_index": 1, "label_smoothing": 0.1},
        lambda r: nn.CrossEntropyLoss(weight=cw, ignore_index=1, reduction=r, label_smoothing=0.1), [logits5, cls])
    probs = torch.softmax(randn([4, 5], 13), 1)
    add("cross_entropy_probs", "cross_entropy", {"weight": False, "ignore_index": -100, "label_smoothing": 0.0},
        lambda r: nn.CrossEntropyLoss(reduction=r), [logits5, probs])
    logits_k = randn([2, 3, 4], 14)
    cls_k = torch.tensor([[0, 2, 1, 1], [2, 0, 0, 1]], dtype=torch.int64)
    add("cross_entropy_2d_target", "cross_entropy", {"weight": False, "ignore_index": -100, "label_smoothing": 0.0},
        lambda r: nn.CrossEntropyLoss(reduction=r), [logits_k, cls_k])

    lp5 = torch.log_softmax(logits5, 1)
    add("nll", "nll", {"weight": False, "ignore_index": -100}, lambda r: nn.NLLLoss(reduction=r), [lp5, cls])
    add("nll_weight_ignore3", "nll", {"weight": True, "ignore_index": 3},
        lambda r: nn.NLLLoss(weight=cw, ignore_index=3, reduction=r), [lp5, cls])

    # losses added after issue 15
    sign = torch.where(randn([3, 4], 20) > 0, 1.0, -1.0)
    add("soft_margin", "soft_margin", {}, lambda r: nn.SoftMarginLoss(reduction=r), [x, sign])
    add("hinge_embedding", "hinge_embedding", {"margin": 1.0}, lambda r: nn.HingeEmbeddingLoss(reduction=r),
        [x, sign])
    add("hinge_embedding_0.5", "hinge_embedding", {"margin": 0.5},
        lambda r: nn.HingeEmbeddingLoss(margin=0.5, reduction=r), [x.abs(), sign])
    ml_target = torch.tensor([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0]], dtype=torch.int64)
    add("multilabel_margin", "multilabel_margin", {}, lambda r: nn.MultiLabelMarginLoss(reduction=r),
        [x, ml_target])
    counts = torch.floor(rand([3, 4], 21, 0.0, 5.0))
    add("poisson_nll", "poisson_nll", {"log_input": True, "full": False, "eps": 1e-8},
        lambda r: nn.PoissonNLLLoss(reduction=r), [x, counts])
    rate = rand([3, 4], 22, 0.1, 3.0)
    add("poisson_nll_rate_full", "poisson_nll", {"log_input": False, "full": True, "eps": 1e-8},
        lambda r: nn.PoissonNLLLoss(log_input=False, full=True, reduction=r), [rate, counts])
    onehot = (rand([3, 4], 23, 0.0, 1.0) > 0.5).to(torch.float32)
    mw = rand([4], 24, 0.5, 2.0)
    add("multilabel_soft_margin", "multilabel_soft_margin", {"weight": False},
        lambda r: nn.MultiLabelSoftMarginLoss(reduction=r), [x, onehot])
    add("multilabel_soft_margin_weight", "multilabel_soft_margin", {"weight": True},
        lambda r: nn.MultiLabelSoftMarginLoss(weight=mw, reduction=r), [x, onehot])
    mm_target = torch.tensor([1, 0, 4, 2], dtype=torch.int64)
    add("multi_margin", "multi_margin", {"p": 1, "margin": 1.0, "weight": False},
        lambda r: nn.MultiMarginLoss(reduction=r), [logits5, mm_target])
    add("multi_margin_p2_0.5_weight", "multi_margin", {"p": 2, "margin": 0.5, "weight": True},
        lambda r: nn.MultiMarginLoss(p=2, margin=0.5, weight=cw, reduction=r), [logits5, mm_target])
    x1 = randn([3, 5], 25)
    x2 = randn([3, 5], 26)
    y3 = torch.tensor([1.0, -1.0, 1.0])
    add("cosine_embedding", "cosine_embedding", {"margin": 0.0}, lambda r: nn.CosineEmbeddingLoss(reduction=r),
        [x1, x2, y3])
    add("cosine_embedding_0.3", "cosine_embedding", {"margin": 0.3},
        lambda r: nn.CosineEmbeddingLoss(margin=0.3, reduction=r), [x1, x2, y3])
    r1 = randn([4], 27)
    r2 = randn([4], 28)
    y4 = torch.tensor([1.0, -1.0, 1.0, -1.0])
    add("margin_ranking", "margin_ranking", {"margin": 0.0}, lambda r: nn.MarginRankingLoss(reduction=r),
        [r1, r2, y4])
    add("margin_ranking_0.2", "margin_ranking", {"margin": 0.2},
        lambda r: nn.MarginRankingLoss(margin=0.2, reduction=r), [r1, r2, y4])
    neg = randn([3, 5], 29)
    add("triplet_margin", "triplet_margin", {"margin": 1.0, "p": 2.0, "eps": 1e-6, "swap": False},
        lambda r: nn.TripletMarginLoss(reduction=r), [x1, x2, neg])
    add("triplet_margin_0.5_p1_swap", "triplet_margin", {"margin": 0.5, "p": 1.0, "eps": 1e-6, "swap": True},
        lambda r: nn.TripletMarginLoss(margin=0.5, p=1.0, swap=True, reduction=r), [x1, x2, neg])
    add("triplet_margin_with_distance", "triplet_margin_with_distance",
        {"distance": "pairwise", "margin": 1.0, "swap": False},
        lambda r: nn.TripletMarginWithDistanceLoss(reduction=r), [x1, x2, neg])
    add("triplet_margin_with_cosine_distance_0.5_swap", "triplet_margin_with_distance",
        {"distance": "cosine", "margin": 0.5, "swap": True},
        lambda r: nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: 1.0 - F.cosine_similarity(a, b),
                                                   margin=0.5, swap=True, reduction=r), [x1, x2, neg])
    var = rand([3, 4], 30, 0.2, 2.0)
    add("gaussian_nll", "gaussian_nll", {"full": False, "eps": 1e-6},
        lambda r: nn.GaussianNLLLoss(reduction=r), [x, t, var])
    add("gaussian_nll_homoscedastic_full", "gaussian_nll", {"full": True, "eps": 1e-6},
        lambda r: nn.GaussianNLLLoss(full=True, reduction=r), [x, t, var[:, :1].contiguous()])
    return cases, {"bce": enc(w), "pos_weight": enc(pw), "class_weight": enc(cw), "multilabel_weight": enc(mw)}


def transformer_case():
    """nn.Transformer: seeded initialisation (xavier on every matrix), forward with a causal target mask,
    and the gradient of (output * grad_output).sum() for src."""
    torch.manual_seed(950)
    t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                       dropout=0.0, batch_first=True)
    t.eval()
    src = randn([2, 5, 8], 951).requires_grad_(True)
    tgt = randn([2, 4, 8], 952)
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    y = t(src, tgt, tgt_mask=mask)
    go = randn(list(y.shape), 953)
    (y * go).sum().backward()
    return {"seed": 950, "keys": list(t.state_dict().keys()), "state_dict": enc_sd(t.state_dict()),
            "src": enc(src), "tgt": enc(tgt), "tgt_mask": enc(mask), "output": enc(y), "grad_output": enc(go),
            "grad_src": enc(src.grad)}


def write(name, obj):
    path = os.path.join(FIXTURES, name)
    with open(path, "w") as f:
        json.dump(obj, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), os.path.getsize(path)))


def main():
    write("layers15.json", {"torch_version": torch.__version__, "layers": layer_cases()})
    write("transformer15.json", {"torch_version": torch.__version__, "transformer": transformer_case()})
    losses, weights = loss_cases()
    write("losses15.json", {"torch_version": torch.__version__, "weights": weights, "losses": losses})


if __name__ == "__main__":
    main()
