#!/usr/bin/env python3
"""Golden fixtures for jtorch's attention layers: Embedding, LayerNorm, MultiheadAttention,
TransformerEncoder/DecoderLayer, TransformerEncoder/Decoder, and a Transformer classifier trained
for 20 steps.

Run from the repository root with Debian's python3-torch (PyTorch 1.13, CPU):

    /usr/bin/python3 scripts/fixtures_attention.py

Writes src/test/resources/fixtures/attention.json and
src/test/resources/python/transformer_classifier_init.pt (the classifier's initial state dict,
read by dev.jtorch.io.StateDicts). Deterministic: weights and inputs come from seeded generators.
Same tensor encoding as scripts/fixtures_layers.py; bool masks are stored as int64 0/1 with
"bool": true next to them. CI never runs this script; its outputs are committed.

Gradients are those of (output * grad_output).sum(). Modules run in training mode with dropout 0
and grad enabled, so PyTorch's inference fast paths (native MHA, nested tensors) stay off, except in
"encoder_eval": eval mode under no_grad, where PyTorch takes its fused encoder-layer kernel and, for
an encoder with a padding mask that pads only the ends, nested tensors (zeros at padded positions).
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "attention.json")
PT = os.path.join(ROOT, "src", "test", "resources", "python", "transformer_classifier_init.pt")

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def _f(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def enc(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bool:
        e = enc(t.long())
        e["bool"] = True
        return e
    flat = t.reshape(-1).tolist()
    data = [_f(v) for v in flat] if t.dtype.is_floating_point else [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def enc_sd(sd):
    return {k: enc(v) for k, v in sd.items()}


def randn(shape, seed, dtype=torch.float32):
    g = torch.Generator()
    g.manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)


def randomise(module, seed, scale=0.3):
    """Every floating state entry from a seeded normal, so zero-initialised biases are exercised."""
    with torch.no_grad():
        for i, (k, v) in enumerate(module.state_dict().items()):
            if v.dtype.is_floating_point:
                v.copy_(randn(list(v.shape), seed + i) * scale + (1.0 if k.endswith("norm1.weight") or k.endswith(
                    "norm2.weight") or k.endswith("norm3.weight") or k == "weight" and "norm" in type(module).__name__.lower() else 0.0))


def grads_of(module, named_inputs):
    out = {}
    for name, t in named_inputs.items():
        if t is not None and t.grad is not None:
            out[name] = enc(t.grad)
    for name, p in module.named_parameters():
        if p.grad is not None:
            out[name] = enc(p.grad)
    return out


# ------------------------------------------------------------------ Embedding, LayerNorm

def embedding_cases():
    cases = []

    def add(name, num, dim, padding_idx, shape, seed, max_norm=None):
        m = nn.Embedding(num, dim, padding_idx=padding_idx, max_norm=max_norm)
        randomise(m, seed)
        if padding_idx is not None:
            with torch.no_grad():
                m.weight[padding_idx].zero_()
        sd = enc_sd(m.state_dict())
        g = torch.Generator()
        g.manual_seed(seed + 50)
        idx = torch.randint(0, num, shape, generator=g)
        if padding_idx is not None:
            idx.view(-1)[0] = padding_idx % num
        y = m(idx)
        go = randn(list(y.shape), seed + 60)
        (y * go).sum().backward()
        cases.append({"name": name, "num": num, "dim": dim, "padding_idx": padding_idx, "max_norm": max_norm,
                      "state_dict": sd, "input": enc(idx), "output": enc(y), "grad_output": enc(go),
                      "grads": {"weight": enc(m.weight.grad)}, "state_dict_after": enc_sd(m.state_dict())})

    add("emb_10x4", 10, 4, None, [3, 5], 10)
    add("emb_10x4_pad2", 10, 4, 2, [2, 6], 20)
    add("emb_8x3_pad_neg1_maxnorm", 8, 3, -1, [7], 30, max_norm=0.5)
    return cases


def layernorm_cases():
    cases = []

    def add(name, shape, normalized, seed, eps=1e-5, affine=True, dtype=torch.float32):
        m = nn.LayerNorm(normalized, eps=eps, elementwise_affine=affine).to(dtype)
        if affine:
            with torch.no_grad():
                m.weight.copy_(1 + 0.3 * randn(list(m.weight.shape), seed, dtype))
                m.bias.copy_(0.3 * randn(list(m.bias.shape), seed + 1, dtype))
        x = randn(shape, seed + 2, dtype).requires_grad_(True)
        y = m(x)
        go = randn(list(y.shape), seed + 3, dtype)
        (y * go).sum().backward()
        cases.append({"name": name, "normalized_shape": list(normalized), "eps": eps, "affine": affine,
                      "state_dict": enc_sd(m.state_dict()), "input": enc(x), "output": enc(y),
                      "grad_output": enc(go), "grads": grads_of(m, {"input": x})})

    add("ln_last4", [2, 3, 4], [4], 100)
    add("ln_last2dims_eps1e-3", [2, 3, 4], [3, 4], 110, eps=1e-3)
    add("ln_no_affine", [5, 6], [6], 120, affine=False)
    add("ln_float64", [3, 5], [5], 130, dtype=torch.float64)
    return cases


# ------------------------------------------------------------------ MultiheadAttention

def mask(kind, shape, seed):
    """A bool mask (True = masked) or a float mask, never masking a whole row."""
    g = torch.Generator()
    g.manual_seed(seed)
    m = torch.rand(*shape, generator=g) < 0.3
    m[..., 0] = False
    if kind == "bool":
        return m
    return torch.where(m, torch.tensor(-1e4), randn(list(shape), seed + 1) * 0.5)


def mha_cases():
    cases = []

    def add(name, E, H, L, S, N, seed, batch_first=False, need_weights=True, average=True, kpm=None, am=None,
            am3d=False, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, bias=True, self_attn=False,
            unbatched=False):
        m = nn.MultiheadAttention(E, H, bias=bias, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, kdim=kdim,
                                  vdim=vdim, batch_first=batch_first)
        keys = [[k, list(v.shape)] for k, v in m.state_dict().items()]
        randomise(m, seed)
        sd = enc_sd(m.state_dict())
        kd = kdim or E
        vd = vdim or E

        def shp(T, F_):
            if unbatched:
                return [T, F_]
            return [N, T, F_] if batch_first else [T, N, F_]

        q = randn(shp(L, E), seed + 100).requires_grad_(True)
        if self_attn:
            k = v = q
        else:
            k = randn(shp(S, kd), seed + 101).requires_grad_(True)
            v = randn(shp(S, vd), seed + 102).requires_grad_(True)
        kpm_t = None if kpm is None else mask(kpm, [S] if unbatched else [N, S], seed + 103)
        am_t = None
        if am is not None:
            am_t = mask(am, [(1 if unbatched else N) * H, L, S] if am3d else [L, S], seed + 105)
        out, w = m(q, k, v, key_padding_mask=kpm_t, need_weights=need_weights, attn_mask=am_t,
                   average_attn_weights=average)
        go = randn(list(out.shape), seed + 107)
        (out * go).sum().backward()
        c = {"name": name, "embed_dim": E, "num_heads": H, "batch_first": batch_first, "need_weights": need_weights,
             "average_attn_weights": average, "add_bias_kv": add_bias_kv, "add_zero_attn": add_zero_attn,
             "kdim": kdim, "vdim": vdim, "bias": bias, "self_attention": self_attn, "keys": keys,
             "state_dict": sd, "query": enc(q), "output": enc(out), "grad_output": enc(go),
             "grads": grads_of(m, {"query": q} if self_attn else {"query": q, "key": k, "value": v})}
        if not self_attn:
            c["key"] = enc(k)
            c["value"] = enc(v)
        if kpm_t is not None:
            c["key_padding_mask"] = enc(kpm_t)
        if am_t is not None:
            c["attn_mask"] = enc(am_t)
        if w is not None:
            c["weights"] = enc(w)
        cases.append(c)

    add("self_seq_first_weights", 8, 2, 5, 5, 3, 1000, self_attn=True)
    add("self_seq_first_no_weights", 8, 2, 5, 5, 3, 1100, self_attn=True, need_weights=False)
    add("cross_kpm_bool_weights", 8, 4, 4, 6, 2, 1200, kpm="bool")
    add("cross_kpm_bool_no_weights", 8, 4, 4, 6, 2, 1250, kpm="bool", need_weights=False)
    add("batch_first_attn_mask_bool_2d_no_weights", 8, 2, 5, 6, 3, 1300, batch_first=True, am="bool",
        need_weights=False)
    add("batch_first_attn_mask_bool_2d_weights", 8, 2, 5, 6, 3, 1350, batch_first=True, am="bool")
    add("batch_first_float_masks_3d_per_head_weights", 8, 2, 4, 5, 2, 1400, batch_first=True, am="float", am3d=True,
        kpm="bool", average=False)
    add("batch_first_float_masks_3d_no_weights", 8, 2, 4, 5, 2, 1450, batch_first=True, am="float", am3d=True,
        kpm="bool", need_weights=False)
    # PyTorch 1.13 merges a float key_padding_mask with masked_fill, so it is only tested alone.
    add("float_kpm_weights", 8, 2, 4, 5, 2, 1480, kpm="float")
    add("bias_kv_zero_attn_masks_weights", 8, 2, 4, 5, 2, 1500, add_bias_kv=True, add_zero_attn=True, kpm="bool",
        am="bool")
    add("bias_kv_no_weights", 8, 2, 4, 5, 2, 1550, add_bias_kv=True, kpm="bool", need_weights=False)
    add("kdim_vdim_weights", 8, 2, 3, 4, 2, 1600, kdim=5, vdim=3)
    add("kdim_vdim_batch_first_no_weights", 8, 2, 3, 4, 2, 1650, kdim=5, vdim=3, batch_first=True, kpm="bool",
        need_weights=False)
    add("no_bias_weights", 6, 3, 4, 4, 2, 1700, bias=False, am="float")
    add("unbatched_kpm_weights", 8, 2, 4, 5, 1, 1800, unbatched=True, kpm="bool", am="bool", am3d=True)
    add("unbatched_no_weights", 8, 2, 4, 5, 1, 1850, unbatched=True, kpm="bool", need_weights=False)
    return cases


# ------------------------------------------------------------------ Transformer layers

def causal(T):
    return torch.triu(torch.full((T, T), float("-inf")), diagonal=1)


def encoder_cases():
    cases = []

    def add(name, kind, seed, d=8, nhead=2, ff=16, activation="relu", norm_first=False, batch_first=False, S=5, N=3,
            mask_kind=None, kpm=False, is_causal=False, num_layers=2, final_norm=False, eps=1e-5):
        layer = nn.TransformerEncoderLayer(d, nhead, ff, 0.0, activation, eps, batch_first, norm_first)
        if kind == "layer":
            m = layer
        else:
            m = nn.TransformerEncoder(layer, num_layers, nn.LayerNorm(d) if final_norm else None,
                                      enable_nested_tensor=False)
        keys = [[k, list(v.shape)] for k, v in m.state_dict().items()]
        randomise(m, seed)
        sd = enc_sd(m.state_dict())
        x = randn([N, S, d] if batch_first else [S, N, d], seed + 100).requires_grad_(True)
        src_mask = causal(S) if is_causal else (None if mask_kind is None else mask(mask_kind, [S, S], seed + 101))
        kpm_t = mask("bool", [N, S], seed + 103) if kpm else None
        if kind == "layer":
            y = m(x, src_mask=src_mask, src_key_padding_mask=kpm_t)
        else:
            y = m(x, mask=src_mask, src_key_padding_mask=kpm_t)
        go = randn(list(y.shape), seed + 105)
        (y * go).sum().backward()
        c = {"name": name, "kind": kind, "d_model": d, "nhead": nhead, "dim_feedforward": ff, "activation": activation,
             "norm_first": norm_first, "batch_first": batch_first, "num_layers": num_layers, "final_norm": final_norm,
             "layer_norm_eps": eps, "is_causal": is_causal, "keys": keys, "state_dict": sd, "input": enc(x),
             "output": enc(y), "grad_output": enc(go), "grads": grads_of(m, {"input": x})}
        if src_mask is not None and not is_causal:
            c["src_mask"] = enc(src_mask)
        if kpm_t is not None:
            c["src_key_padding_mask"] = enc(kpm_t)
        cases.append(c)

    add("layer_post_norm_relu", "layer", 2000)
    add("layer_norm_first_gelu_batch_first_masks", "layer", 2100, activation="gelu", norm_first=True,
        batch_first=True, mask_kind="bool", kpm=True)
    add("layer_float_mask_eps1e-3", "layer", 2200, mask_kind="float", eps=1e-3)
    add("layer_causal", "layer", 2250, is_causal=True, batch_first=True)
    add("encoder_2_layers_norm_kpm", "encoder", 2300, batch_first=True, kpm=True, final_norm=True)
    add("encoder_3_layers_norm_first_causal", "encoder", 2400, norm_first=True, is_causal=True, num_layers=3)
    return cases


def padding_at_end(N, S, lengths):
    m = torch.zeros(N, S, dtype=torch.bool)
    for i, n in enumerate(lengths):
        m[i, n:] = True
    return m


def encoder_eval_cases():
    """Eval-mode outputs under no_grad: PyTorch's inference fast paths, where its conditions hold."""
    cases = []

    def add(name, kind, seed, d=8, nhead=2, ff=16, activation="relu", norm_first=False, S=6, N=3, kpm=None,
            num_layers=2, final_norm=False, nested=True):
        layer = nn.TransformerEncoderLayer(d, nhead, ff, 0.0, activation, 1e-5, True, norm_first)
        if kind == "layer":
            m = layer
        else:
            m = nn.TransformerEncoder(layer, num_layers, nn.LayerNorm(d) if final_norm else None,
                                      enable_nested_tensor=nested)
        randomise(m, seed)
        m.eval()
        x = randn([N, S, d], seed + 100)
        with torch.no_grad():
            y = m(x, src_key_padding_mask=kpm)
        c = {"name": name, "kind": kind, "d_model": d, "nhead": nhead, "dim_feedforward": ff, "activation": activation,
             "norm_first": norm_first, "batch_first": True, "num_layers": num_layers, "final_norm": final_norm,
             "enable_nested_tensor": nested, "layer_norm_eps": 1e-5, "is_causal": False,
             "state_dict": enc_sd(m.state_dict()), "input": enc(x), "output": enc(y)}
        if kpm is not None:
            c["src_key_padding_mask"] = enc(kpm)
        cases.append(c)

    ends = padding_at_end(3, 6, [6, 4, 2])
    add("layer_kpm", "layer", 2600, kpm=ends)
    add("layer_gelu_norm_first", "layer", 2610, activation="gelu", norm_first=True)
    add("encoder_nested_final_norm", "encoder", 2620, kpm=ends, final_norm=True)
    add("encoder_float_kpm_nested", "encoder", 2630,
        kpm=torch.zeros(3, 6).masked_fill(ends, float("-inf")))
    add("encoder_padding_at_start", "encoder", 2640, kpm=ends.flip(1))
    add("encoder_nested_off", "encoder", 2650, kpm=ends, nested=False)
    add("encoder_norm_first_kpm", "encoder", 2660, norm_first=True, kpm=ends)
    add("encoder_odd_heads", "encoder", 2670, nhead=1, kpm=ends)
    add("encoder_no_mask", "encoder", 2680, num_layers=3)
    return cases


def decoder_cases():
    cases = []

    def add(name, kind, seed, d=8, nhead=2, ff=16, activation="relu", norm_first=False, batch_first=False, T=4, S=5,
            N=2, masks=False, num_layers=2, final_norm=False, tgt_causal=False):
        layer = nn.TransformerDecoderLayer(d, nhead, ff, 0.0, activation, 1e-5, batch_first, norm_first)
        if kind == "layer":
            m = layer
        else:
            m = nn.TransformerDecoder(layer, num_layers, nn.LayerNorm(d) if final_norm else None)
        keys = [[k, list(v.shape)] for k, v in m.state_dict().items()]
        randomise(m, seed)
        sd = enc_sd(m.state_dict())
        tgt = randn([N, T, d] if batch_first else [T, N, d], seed + 100).requires_grad_(True)
        mem = randn([N, S, d] if batch_first else [S, N, d], seed + 101).requires_grad_(True)
        tgt_mask = causal(T) if tgt_causal else (mask("bool", [T, T], seed + 102) if masks else None)
        mem_mask = mask("float", [T, S], seed + 104) if masks else None
        tkpm = mask("bool", [N, T], seed + 106) if masks else None
        mkpm = mask("bool", [N, S], seed + 108) if masks else None
        y = m(tgt, mem, tgt_mask=tgt_mask, memory_mask=mem_mask, tgt_key_padding_mask=tkpm,
              memory_key_padding_mask=mkpm)
        go = randn(list(y.shape), seed + 110)
        (y * go).sum().backward()
        c = {"name": name, "kind": kind, "d_model": d, "nhead": nhead, "dim_feedforward": ff, "activation": activation,
             "norm_first": norm_first, "batch_first": batch_first, "num_layers": num_layers, "final_norm": final_norm,
             "tgt_is_causal": tgt_causal, "keys": keys, "state_dict": sd, "tgt": enc(tgt), "memory": enc(mem),
             "output": enc(y), "grad_output": enc(go), "grads": grads_of(m, {"tgt": tgt, "memory": mem})}
        if masks:
            if not tgt_causal:
                c["tgt_mask"] = enc(tgt_mask)
            c["memory_mask"] = enc(mem_mask)
            c["tgt_key_padding_mask"] = enc(tkpm)
            c["memory_key_padding_mask"] = enc(mkpm)
        cases.append(c)

    add("dec_layer_post_norm", "layer", 3000)
    add("dec_layer_norm_first_gelu_batch_first_masks", "layer", 3100, activation="gelu", norm_first=True,
        batch_first=True, masks=True)
    add("decoder_2_layers_norm_causal", "decoder", 3200, final_norm=True, tgt_causal=True)
    return cases


# ------------------------------------------------------------------ Transformer classifier

VOCAB, D, NHEAD, FF, B, T, CLASSES, STEPS = 20, 16, 2, 32, 4, 7, 3, 20


class TransformerClassifier(nn.Module):
    """Token + learned position embeddings, a 2-layer encoder with a padding mask, masked mean-pool, linear head."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D, padding_idx=0)
        self.pos = nn.Embedding(T, D)
        layer = nn.TransformerEncoderLayer(D, NHEAD, FF, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(D, CLASSES)

    def forward(self, tokens):
        pad = tokens == 0
        x = self.embed(tokens) + self.pos(torch.arange(tokens.size(1)))
        x = self.encoder(x, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).to(x.dtype)
        x = (x * keep).sum(1) / keep.sum(1)
        return self.head(x)


def classifier_fixture():
    torch.manual_seed(0)
    model = TransformerClassifier()
    os.makedirs(os.path.dirname(PT), exist_ok=True)
    torch.save(model.state_dict(), PT)
    g = torch.Generator()
    g.manual_seed(4242)
    tokens = torch.randint(1, VOCAB, (STEPS, B, T), generator=g)
    lengths = torch.randint(2, T + 1, (STEPS, B), generator=g)
    for s in range(STEPS):
        for b in range(B):
            tokens[s, b, lengths[s, b]:] = 0
    labels = torch.randint(0, CLASSES, (STEPS, B), generator=g)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for s in range(STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(model(tokens[s]), labels[s])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"vocab": VOCAB, "d_model": D, "nhead": NHEAD, "dim_feedforward": FF, "batch": B, "seq": T,
            "classes": CLASSES, "steps": STEPS, "lr": 1e-2, "keys": list(model.state_dict().keys()),
            "tokens": enc(tokens), "labels": enc(labels), "losses": losses,
            "state_dict_after": enc_sd(model.state_dict())}


def main():
    out = {
        "torch_version": torch.__version__,
        "embedding": embedding_cases(),
        "layernorm": layernorm_cases(),
        "mha": mha_cases(),
        "encoder": encoder_cases(),
        "encoder_eval": encoder_eval_cases(),
        "decoder": decoder_cases(),
        "classifier": classifier_fixture(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes), %s" % (os.path.relpath(OUT, ROOT), os.path.getsize(OUT), os.path.relpath(PT, ROOT)))


if __name__ == "__main__":
    main()
