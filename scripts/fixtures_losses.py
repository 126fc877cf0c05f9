#!/usr/bin/env python3
"""Golden fixtures for jtorch's loss options, nll_loss and clip_grad_norm_ (writes losses.json).

Run from the repository root with Debian's PyTorch: /usr/bin/python3 scripts/fixtures_losses.py
CI never runs it; the JSON it writes is committed. Encoding as in scripts/make_fixtures.py.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import enc, write, randn  # noqa: E402


def ce_case(name, logits, target, **kw):
    x = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(x, target, **kw)
    loss.sum().backward()
    opts = {"reduction": kw.get("reduction", "mean"),
            "ignore_index": kw.get("ignore_index", -100),
            "label_smoothing": kw.get("label_smoothing", 0.0)}
    case = {"name": name, "logits": enc(logits), "target": enc(target), "options": opts,
            "loss": enc(loss.detach()), "grad": enc(x.grad)}
    if kw.get("weight") is not None:
        case["weight"] = enc(kw["weight"])
    return case


def main():
    torch.set_num_threads(1)
    logits = randn((6, 4), 11)
    target = torch.tensor([0, 3, 1, 1, 2, 3])
    weight = torch.tensor([0.2, 1.0, 2.5, 0.7])
    ignored = torch.tensor([0, -100, 1, 1, -100, 3])
    ignored2 = torch.tensor([0, 2, 1, 2, 2, 3])
    probs = torch.softmax(randn((6, 4), 12), dim=1)
    logits3d = randn((2, 3, 4), 13)  # N, C, d
    target3d = torch.tensor([[0, 1, 2, 1], [2, 2, 0, 1]])
    cases = []
    for red in ("mean", "sum", "none"):
        cases.append(ce_case(f"weight_{red}", logits, target, weight=weight, reduction=red))
        cases.append(ce_case(f"ignore_default_{red}", logits, ignored, reduction=red))
        cases.append(ce_case(f"ignore_index2_{red}", logits, ignored2, ignore_index=2, reduction=red))
        cases.append(ce_case(f"smoothing01_{red}", logits, target, label_smoothing=0.1, reduction=red))
        cases.append(ce_case(f"weight_smoothing_ignore_{red}", logits, ignored, weight=weight,
                             label_smoothing=0.3, reduction=red))
        cases.append(ce_case(f"prob_targets_{red}", logits, probs, reduction=red))
        cases.append(ce_case(f"prob_targets_smoothing_weight_{red}", logits, probs, weight=weight,
                             label_smoothing=0.2, reduction=red))
        cases.append(ce_case(f"spatial_{red}", logits3d, target3d, reduction=red))
    cases.append(ce_case("float64_weight_smoothing_mean", logits.double(), target, weight=weight.double(),
                         label_smoothing=0.25))

    nll = []
    logp = torch.log_softmax(randn((5, 3), 14), dim=1)
    t = torch.tensor([0, 2, 1, 2, 0])
    for red in ("mean", "sum", "none"):
        for w in (None, torch.tensor([1.0, 0.5, 3.0])):
            for ii in (-100, 2):
                x = logp.clone().requires_grad_(True)
                loss = F.nll_loss(x, t, weight=w, ignore_index=ii, reduction=red)
                loss.sum().backward()
                c = {"name": f"nll_{red}_{'w' if w is not None else 'now'}_{ii}", "input": enc(logp),
                     "target": enc(t), "reduction": red, "ignore_index": ii,
                     "loss": enc(loss.detach()), "grad": enc(x.grad)}
                if w is not None:
                    c["weight"] = enc(w)
                nll.append(c)

    clip = []
    for norm_type in (2.0, 1.0, math.inf):
        for max_norm in (0.5, 100.0):
            a = torch.zeros(3, 2, dtype=torch.float64, requires_grad=True)
            b = torch.zeros(4, dtype=torch.float64, requires_grad=True)
            a.grad = randn((3, 2), 15, torch.float64)
            b.grad = randn((4,), 16, torch.float64)
            ga, gb = a.grad.clone(), b.grad.clone()
            total = torch.nn.utils.clip_grad_norm_([a, b], max_norm, norm_type=norm_type)
            clip.append({"name": f"clip_{norm_type}_{max_norm}", "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                         "max_norm": max_norm, "grads": [enc(ga), enc(gb)], "total_norm": float(total),
                         "clipped": [enc(a.grad), enc(b.grad)]})

    write("losses.json", {"cross_entropy": cases, "nll_loss": nll, "clip_grad_norm": clip})


if __name__ == "__main__":
    main()
