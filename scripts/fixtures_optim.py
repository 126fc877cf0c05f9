#!/usr/bin/env python3
"""Generate src/test/resources/fixtures/optim2.json: AdamW steps and LR schedules from PyTorch.

HOW TO REGENERATE
-----------------
From the repository root, with Debian's python3-torch (1.13, CPU):

    /usr/bin/python3 scripts/fixtures_optim.py

Deterministic (fixed generator seeds). CI never runs it; the JSON is committed. The tensor
encoding and helpers are those of scripts/make_fixtures.py (imported from it).

CONTENTS
--------
{
  "adamw": {p0, grads: [4], cases: [{options, params_after: [4]}]}   -- same layout as adam.json;
           options use PyTorch names (lr, betas, eps, weight_decay, amsgrad); a missing key
           means PyTorch's AdamW default (weight_decay 1e-2).
  "schedules": [{name, base_lr, pytorch, args, epochs, lrs, closed_form}]
           lrs[e] = optimizer lr while epoch e runs, i.e. after construction (e = 0) and after
           e calls of scheduler.step(): PyTorch's usual (chainable, recursive) computation.
           closed_form[e] = the scheduler's _get_closed_form_lr() at epoch e; for SequentialLR
           (which has none) the closed form of the child active at e, evaluated at e minus
           that child's milestone. The two agree to rounding.
}
"""

import bisect
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

import torch  # noqa: E402
from torch.optim import lr_scheduler as sched  # noqa: E402

EPOCHS = 12
BASE_LR = 0.1


def make_adamw():
    option_sets = [
        {"lr": 0.01},                                   # default weight_decay 1e-2
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05},
        {"lr": 0.01, "weight_decay": 0.0},
        {"lr": 0.01, "amsgrad": True, "weight_decay": 0.02},
    ]
    seed = 80
    p0 = mf.randn([3, 2], seed, torch.float64)
    grads = [mf.randn([3, 2], seed + 1 + k, torch.float64) for k in range(4)]
    cases = [{"options": o, "params_after": mf.run_optimizer(torch.optim.AdamW, p0, grads, o)}
             for o in option_sets]
    return {"p0": mf.enc(p0), "grads": [mf.enc(g) for g in grads], "cases": cases}


def lr_sequence(build):
    """Runs a schedule for EPOCHS epochs on a fresh SGD(lr=BASE_LR); returns (lrs, closed)."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=BASE_LR)
    s = build(opt)
    lrs, closed = [], []

    def record():
        lrs.append(opt.param_groups[0]["lr"])
        if hasattr(s, "_get_closed_form_lr"):
            closed.append(s._get_closed_form_lr()[0])

    record()
    for _ in range(EPOCHS):
        opt.step()  # PyTorch warns when the scheduler steps before the optimizer
        s.step()
        record()
    if isinstance(s, sched.SequentialLR):
        # No closed form in PyTorch: compose the children's closed forms the way SequentialLR
        # switches between them (child idx runs from its milestone, restarted at 0 there).
        closed = [sequential_closed_form(s, e) for e in range(EPOCHS + 1)]
    return lrs, closed


def sequential_closed_form(s, epoch):
    idx = bisect.bisect_right(s._milestones, epoch)
    child = s._schedulers[idx]
    saved = child.last_epoch
    child.last_epoch = epoch - (s._milestones[idx - 1] if idx > 0 else 0)
    try:
        return child._get_closed_form_lr()[0]
    finally:
        child.last_epoch = saved


def make_schedules():
    W = 3  # warm-up epochs of the chain
    specs = [
        ("StepLR", "StepLR(step_size=3, gamma=0.5)", {"step_size": 3, "gamma": 0.5},
         lambda o: sched.StepLR(o, step_size=3, gamma=0.5)),
        ("CosineAnnealingLR", "CosineAnnealingLR(T_max=10, eta_min=0.001)", {"T_max": 10, "eta_min": 0.001},
         lambda o: sched.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
        ("LinearLR", "LinearLR(start_factor=0.1, total_iters=4)", {"start_factor": 0.1, "total_iters": 4},
         lambda o: sched.LinearLR(o, start_factor=0.1, total_iters=4)),
        ("WarmupCosine",
         "SequentialLR([LinearLR(start_factor=0.1, total_iters=3), CosineAnnealingLR(T_max=8, eta_min=0.001)],"
         " milestones=[3])",
         {"warmup_steps": W, "start_factor": 0.1, "T_max": 8, "eta_min": 0.001},
         lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.1, total_iters=W),
                                          sched.CosineAnnealingLR(o, T_max=8, eta_min=0.001)],
                                      milestones=[W])),
    ]
    out = []
    for name, pytorch, args, build in specs:
        lrs, closed = lr_sequence(build)
        out.append({"name": name, "base_lr": BASE_LR, "pytorch": pytorch, "args": args,
                    "epochs": EPOCHS, "lrs": lrs, "closed_form": closed})
    return out


def main():
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    print("torch", torch.__version__, file=sys.stderr)
    os.makedirs(mf.OUT_DIR, exist_ok=True)
    mf.write("optim2.json", {"adamw": make_adamw(), "schedules": make_schedules()})


if __name__ == "__main__":
    main()
