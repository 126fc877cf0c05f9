#!/usr/bin/env python3
"""Golden fixtures for jtorch's recurrent layers (LSTM, GRU, RNN and their cells).

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_lstm.py

Writes
  src/test/resources/fixtures/rnn.json          per-layer cases: state dict, input, initial state,
                                                output, final state, gradients
  src/test/resources/fixtures/lstm_seq_init.pt  initial state dict of the sequence classifier,
                                                written by torch.save (read by jtorch's StateDicts)
  src/test/resources/fixtures/lstm_seq.json     its inputs, targets, per-step losses, final weights

Deterministic: every input and weight comes from a torch.Generator with a fixed seed. Same tensor
encoding as scripts/fixtures_layers.py. CI never runs this script; the outputs are committed.

Gradients are those of (output * g_out).sum() + (h_n * g_h).sum() [+ (c_n * g_c).sum()], so the
final states get gradients of their own; the g_* tensors are stored with each case.
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "src", "test", "resources", "fixtures")

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
    if t.dtype == torch.float32:
        # 9 significant digits round-trip a float32 exactly and halve the file
        data = [_f(float("%.9g" % v)) for v in flat]
    elif t.dtype.is_floating_point:
        data = [_f(v) for v in flat]
    else:
        data = [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def enc_sd(sd):
    return {k: enc(v) for k, v in sd.items()}


def randn(shape, seed, dtype=torch.float32):
    g = torch.Generator()
    g.manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)


def seeded_params(module, seed):
    """Replaces every parameter by seeded uniform(-k, k) values (PyTorch's init, reproducible)."""
    g = torch.Generator()
    g.manual_seed(seed)
    k = 1.0 / math.sqrt(module.hidden_size)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_((torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 - 1) * k)


# ------------------------------------------------------------------ full layers

def layer_case(name, kind, seed, T, B, inp, hid, layers=1, bias=True, batch_first=False, bidir=False,
               nonlinearity="tanh", proj=0, with_state=False, unbatched=False, dtype=torch.float32):
    kw = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidir)
    if kind == "lstm":
        m = nn.LSTM(inp, hid, proj_size=proj, **kw)
    elif kind == "gru":
        m = nn.GRU(inp, hid, **kw)
    else:
        m = nn.RNN(inp, hid, nonlinearity=nonlinearity, **kw)
    m = m.to(dtype)
    seeded_params(m, seed)
    d = 2 if bidir else 1
    out_h = proj if proj > 0 else hid
    if unbatched:
        x = randn([T, inp], seed + 1, dtype)
        hshape, cshape = [layers * d, out_h], [layers * d, hid]
    else:
        x = randn([B, T, inp] if batch_first else [T, B, inp], seed + 1, dtype)
        hshape, cshape = [layers * d, B, out_h], [layers * d, B, hid]
    x.requires_grad_(True)
    case = {"name": name, "kind": kind, "input_size": inp, "hidden_size": hid, "num_layers": layers,
            "bias": bias, "batch_first": batch_first, "bidirectional": bidir, "nonlinearity": nonlinearity,
            "proj_size": proj, "repr": repr(m), "state_dict": enc_sd(m.state_dict()), "input": enc(x)}
    hx = None
    leaves = [x]
    if with_state:
        h0 = randn(hshape, seed + 2, dtype).requires_grad_(True)
        leaves.append(h0)
        case["h0"] = enc(h0)
        if kind == "lstm":
            c0 = randn(cshape, seed + 3, dtype).requires_grad_(True)
            leaves.append(c0)
            case["c0"] = enc(c0)
            hx = (h0, c0)
        else:
            hx = h0
    out, state = m(x, hx)
    go = randn(list(out.shape), seed + 4, dtype)
    loss = (out * go).sum()
    case["output"] = enc(out)
    case["g_out"] = enc(go)
    if kind == "lstm":
        h, c = state
        gh = randn(list(h.shape), seed + 5, dtype)
        gc = randn(list(c.shape), seed + 6, dtype)
        loss = loss + (h * gh).sum() + (c * gc).sum()
        case["h_n"], case["c_n"], case["g_h"], case["g_c"] = enc(h), enc(c), enc(gh), enc(gc)
    else:
        gh = randn(list(state.shape), seed + 5, dtype)
        loss = loss + (state * gh).sum()
        case["h_n"], case["g_h"] = enc(state), enc(gh)
    loss.backward()
    grads = {"input": enc(x.grad)}
    if with_state:
        grads["h0"] = enc(leaves[1].grad)
        if kind == "lstm":
            grads["c0"] = enc(leaves[2].grad)
    for n, p in m.named_parameters():
        grads[n] = enc(p.grad)
    case["grads"] = grads
    return case


def layer_cases():
    c = []
    for kind in ["lstm", "gru", "rnn"]:
        c.append(layer_case(kind + "_1layer_seqfirst", kind, 100, T=5, B=3, inp=4, hid=6))
        c.append(layer_case(kind + "_2layer_bi_batchfirst_state", kind, 200, T=5, B=3, inp=4, hid=6, layers=2,
                            batch_first=True, bidir=True, with_state=True))
        c.append(layer_case(kind + "_2layer_bi_seqfirst_state", kind, 300, T=4, B=2, inp=3, hid=5, layers=2,
                            bidir=True, with_state=True))
        c.append(layer_case(kind + "_2layer_batchfirst", kind, 400, T=4, B=2, inp=3, hid=5, layers=2,
                            batch_first=True))
        c.append(layer_case(kind + "_nobias_state", kind, 500, T=3, B=2, inp=3, hid=4, bias=False, with_state=True))
        c.append(layer_case(kind + "_unbatched_bi_state", kind, 600, T=4, B=0, inp=3, hid=4, layers=2, bidir=True,
                            with_state=True, unbatched=True))
        c.append(layer_case(kind + "_float64", kind, 700, T=3, B=2, inp=3, hid=4, layers=2, with_state=True,
                            dtype=torch.float64))
    c.append(layer_case("rnn_relu_2layer_bi_state", "rnn", 800, T=5, B=3, inp=4, hid=6, layers=2, bidir=True,
                        nonlinearity="relu", with_state=True))
    c.append(layer_case("rnn_relu_unbatched", "rnn", 900, T=4, B=0, inp=3, hid=4, nonlinearity="relu",
                        unbatched=True))
    c.append(layer_case("lstm_proj_2layer_bi_state", "lstm", 1000, T=4, B=2, inp=3, hid=6, layers=2, bidir=True,
                        proj=4, with_state=True, batch_first=True))
    c.append(layer_case("lstm_proj_1layer", "lstm", 1100, T=4, B=2, inp=3, hid=5, proj=2))
    return c


# ------------------------------------------------------------------ cells

def cell_case(name, kind, seed, B, inp, hid, bias=True, nonlinearity="tanh", with_state=False, unbatched=False):
    if kind == "lstm":
        m = nn.LSTMCell(inp, hid, bias=bias)
    elif kind == "gru":
        m = nn.GRUCell(inp, hid, bias=bias)
    else:
        m = nn.RNNCell(inp, hid, bias=bias, nonlinearity=nonlinearity)
    seeded_params(m, seed)
    shape = [inp] if unbatched else [B, inp]
    hshape = [hid] if unbatched else [B, hid]
    x = randn(shape, seed + 1).requires_grad_(True)
    case = {"name": name, "kind": kind, "input_size": inp, "hidden_size": hid, "bias": bias,
            "nonlinearity": nonlinearity, "repr": repr(m), "state_dict": enc_sd(m.state_dict()),
            "input": enc(x)}
    hx = None
    leaves = []
    if with_state:
        h0 = randn(hshape, seed + 2).requires_grad_(True)
        leaves.append(h0)
        case["h0"] = enc(h0)
        if kind == "lstm":
            c0 = randn(hshape, seed + 3).requires_grad_(True)
            leaves.append(c0)
            case["c0"] = enc(c0)
            hx = (h0, c0)
        else:
            hx = h0
    res = m(x, hx)
    if kind == "lstm":
        h, c = res
        gh, gc = randn(list(h.shape), seed + 5), randn(list(c.shape), seed + 6)
        loss = (h * gh).sum() + (c * gc).sum()
        case["h"], case["c"], case["g_h"], case["g_c"] = enc(h), enc(c), enc(gh), enc(gc)
    else:
        h = res
        gh = randn(list(h.shape), seed + 5)
        loss = (h * gh).sum()
        case["h"], case["g_h"] = enc(h), enc(gh)
    loss.backward()
    grads = {"input": enc(x.grad)}
    if with_state:
        grads["h0"] = enc(leaves[0].grad)
        if kind == "lstm":
            grads["c0"] = enc(leaves[1].grad)
    for n, p in m.named_parameters():
        grads[n] = enc(p.grad)
    case["grads"] = grads
    return case


def cell_cases():
    c = []
    for kind in ["lstm", "gru", "rnn"]:
        c.append(cell_case(kind + "_cell", kind, 2000, B=3, inp=4, hid=5))
        c.append(cell_case(kind + "_cell_state", kind, 2100, B=3, inp=4, hid=5, with_state=True))
        c.append(cell_case(kind + "_cell_nobias_unbatched_state", kind, 2200, B=0, inp=4, hid=5, bias=False,
                           with_state=True, unbatched=True))
    c.append(cell_case("rnn_relu_cell_state", "rnn", 2300, B=3, inp=4, hid=5, nonlinearity="relu", with_state=True))
    return c


# ------------------------------------------------------------------ the sequence classifier

class SeqClassifier(nn.Module):
    """[B, T, F] -> 2-layer LSTM -> Linear on the last step -> logits [B, C]."""

    def __init__(self, f, h, c):
        super().__init__()
        self.lstm = nn.LSTM(f, h, num_layers=2, batch_first=True)
        self.fc = nn.Linear(h, c)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def sequence_model():
    F_, H, C, B, T = 4, 8, 3, 5, 6
    torch.manual_seed(1234)
    model = SeqClassifier(F_, H, C)
    torch.save(model.state_dict(), os.path.join(FIX, "lstm_seq_init.pt"))
    x = randn([B, T, F_], 3000)
    g = torch.Generator()
    g.manual_seed(3001)
    y = torch.randint(0, C, (B,), generator=g)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"F": F_, "H": H, "C": C, "lr": 0.1, "momentum": 0.9, "steps": 20, "input": enc(x), "target": enc(y),
            "losses": losses, "final": enc_sd(model.state_dict())}


def main():
    os.makedirs(FIX, exist_ok=True)
    with open(os.path.join(FIX, "rnn.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "layers": layer_cases(), "cells": cell_cases()}, f)
    with open(os.path.join(FIX, "lstm_seq.json"), "w") as f:
        json.dump(dict(torch_version=torch.__version__, **sequence_model()), f)


if __name__ == "__main__":
    main()
