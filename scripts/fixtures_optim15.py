#!/usr/bin/env python3
"""Generate src/test/resources/fixtures/optim15.json: RMSprop, Adagrad and the schedules of
issue 15 (MultiStepLR, LinearLR, OneCycleLR, ReduceLROnPlateau) from PyTorch.

HOW TO REGENERATE
-----------------
From the repository root, with Debian's python3-torch (1.13, CPU):

    /usr/bin/python3 scripts/fixtures_optim15.py

Deterministic (fixed generator seeds). CI never runs it; the JSON is committed. The tensor
encoding and helpers are those of scripts/make_fixtures.py (imported from it).

CONTENTS
--------
{
  "rmsprop", "adagrad": [{dtype, p0, grads: [STEPS], cases: [{options, params_after: [STEPS]}]}]
           one entry per dtype (float64, float32). options use PyTorch names (lr, alpha, eps,
           weight_decay, momentum, centered / lr, lr_decay, weight_decay,
           initial_accumulator_value, eps); a missing key means PyTorch's default. The
           single-tensor (for-loop) implementations, foreach=False.
  "schedules": [{name, pytorch, optimizer, base_lr, args, steps, lrs, closed_form?, momenta?}]
           lrs[e] = optimizer lr after construction (e = 0) and after e calls of step();
           closed_form[e] = _get_closed_form_lr() where PyTorch has one; momenta[e] = the
           optimizer's momentum (SGD) or betas[0] (Adam) for OneCycleLR with cycle_momentum.
           optimizer: "sgd" (SGD(lr=base_lr), momentum 0), "adam" (Adam(lr=base_lr)),
           "adagrad" (Adagrad(lr=base_lr)).
  "plateau": [{pytorch, base_lr, args, metrics, lrs, best, num_bad_epochs, cooldown_counter}]
           ReduceLROnPlateau on SGD(lr=base_lr); lrs[i], best[i], ... after step(metrics[i]).
}
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402

import torch  # noqa: E402
from torch.optim import lr_scheduler as sched  # noqa: E402

STEPS = 10
BASE_LR = 0.1


def optimizer_cases(opt_cls, option_sets, seed):
    out = []
    for dtype in (torch.float64, torch.float32):
        p0 = mf.randn([3, 2], seed, dtype)
        grads = [mf.randn([3, 2], seed + 1 + k, dtype) for k in range(STEPS)]
        cases = [{"options": o, "params_after": mf.run_optimizer(opt_cls, p0, grads, o)} for o in option_sets]
        out.append({"dtype": mf.DTYPE_NAMES[dtype], "p0": mf.enc(p0), "grads": [mf.enc(g) for g in grads],
                    "cases": cases})
    return out


def make_rmsprop():
    return optimizer_cases(torch.optim.RMSprop, [
        {},                                                     # all defaults, lr 0.01
        {"lr": 0.05, "alpha": 0.9},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "centered": True},
        {"lr": 0.02, "momentum": 0.8, "centered": True, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.05, "eps": 1e-4},
    ], 150)


def make_adagrad():
    return optimizer_cases(torch.optim.Adagrad, [
        {},                                                     # all defaults, lr 0.01
        {"lr": 0.1},
        {"lr": 0.1, "lr_decay": 0.05},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
        {"lr": 0.2, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.1},
    ], 170)


def make_optimizer(kind):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    if kind == "sgd":
        return torch.optim.SGD([p], lr=BASE_LR)
    if kind == "adam":
        return torch.optim.Adam([p], lr=BASE_LR)
    if kind == "adagrad":
        return torch.optim.Adagrad([p], lr=BASE_LR)
    raise ValueError(kind)


def momentum_of(opt):
    g = opt.param_groups[0]
    return g["betas"][0] if "betas" in g else g["momentum"]


def run_schedule(kind, build, steps, momenta):
    opt = make_optimizer(kind)
    s = build(opt)
    lrs, closed, moms = [], [], []

    def record():
        lrs.append(opt.param_groups[0]["lr"])
        if hasattr(s, "_get_closed_form_lr"):
            closed.append(s._get_closed_form_lr()[0])
        if momenta:
            moms.append(momentum_of(opt))

    record()
    for _ in range(steps):
        opt.step()
        s.step()
        record()
    return lrs, closed, moms


def make_schedules():
    specs = [
        # name, pytorch, optimizer, args, steps, build, momenta
        ("MultiStepLR", "MultiStepLR(milestones=[2, 5, 9], gamma=0.5)", "sgd",
         {"milestones": [2, 5, 9], "gamma": 0.5}, 12,
         lambda o: sched.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.5), False),
        ("MultiStepLR", "MultiStepLR(milestones=[3], gamma=0.1)", "sgd",
         {"milestones": [3], "gamma": 0.1}, 6,
         lambda o: sched.MultiStepLR(o, milestones=[3]), False),
        ("LinearLR", "LinearLR()", "sgd", {}, 8, lambda o: sched.LinearLR(o), False),
        ("LinearLR", "LinearLR(start_factor=1.0, end_factor=0.2, total_iters=6)", "sgd",
         {"start_factor": 1.0, "end_factor": 0.2, "total_iters": 6}, 9,
         lambda o: sched.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=6), False),
        ("LinearLR", "LinearLR(start_factor=0.25, end_factor=0.75, total_iters=3)", "sgd",
         {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 3}, 6,
         lambda o: sched.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=3), False),
        ("OneCycleLR", "OneCycleLR(max_lr=1.0, total_steps=20) on SGD", "sgd",
         {"max_lr": 1.0, "total_steps": 20}, 20,
         lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=20), True),
        ("OneCycleLR", "OneCycleLR(max_lr=0.01, total_steps=17, anneal_strategy='linear') on Adam", "adam",
         {"max_lr": 0.01, "total_steps": 17, "anneal_strategy": "linear"}, 17,
         lambda o: sched.OneCycleLR(o, max_lr=0.01, total_steps=17, anneal_strategy="linear"), True),
        ("OneCycleLR", "OneCycleLR(max_lr=0.5, total_steps=23, pct_start=0.25, three_phase=True, "
         "base_momentum=0.8, max_momentum=0.9, div_factor=10.0, final_div_factor=100.0) on SGD", "sgd",
         {"max_lr": 0.5, "total_steps": 23, "pct_start": 0.25, "three_phase": True, "base_momentum": 0.8,
          "max_momentum": 0.9, "div_factor": 10.0, "final_div_factor": 100.0}, 23,
         lambda o: sched.OneCycleLR(o, max_lr=0.5, total_steps=23, pct_start=0.25, three_phase=True,
                                    base_momentum=0.8, max_momentum=0.9, div_factor=10.0,
                                    final_div_factor=100.0), True),
        ("OneCycleLR", "OneCycleLR(max_lr=0.2, total_steps=12, cycle_momentum=False, anneal_strategy='linear', "
         "three_phase=True) on Adagrad", "adagrad",
         {"max_lr": 0.2, "total_steps": 12, "cycle_momentum": False, "anneal_strategy": "linear",
          "three_phase": True}, 12,
         lambda o: sched.OneCycleLR(o, max_lr=0.2, total_steps=12, cycle_momentum=False,
                                    anneal_strategy="linear", three_phase=True), False),
        ("OneCycleLR", "OneCycleLR(max_lr=0.3, total_steps=1) on SGD", "sgd",
         {"max_lr": 0.3, "total_steps": 1}, 1,
         lambda o: sched.OneCycleLR(o, max_lr=0.3, total_steps=1), True),
    ]
    out = []
    for name, pytorch, kind, args, steps, build, momenta in specs:
        lrs, closed, moms = run_schedule(kind, build, steps, momenta)
        e = {"name": name, "pytorch": pytorch, "optimizer": kind, "base_lr": BASE_LR, "args": args,
             "steps": steps, "lrs": lrs}
        if closed:
            e["closed_form"] = closed
        if momenta:
            e["momenta"] = moms
        out.append(e)
    # stepping past total_steps is an error in PyTorch; the Java test checks the same
    opt = make_optimizer("sgd")
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        s.step()
    try:
        s.step()
        raise AssertionError("OneCycleLR stepped past total_steps")
    except ValueError:
        pass
    return out


def make_plateau():
    down = [1.0, 0.9, 0.8, 0.8, 0.8, 0.79999, 0.85, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.7, 0.7,
            0.7, 0.7, 0.7, 0.7]
    up = [0.1, 0.2, 0.25, 0.25, 0.24, 0.26, 0.26, 0.26, 0.26, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
    specs = [
        ("ReduceLROnPlateau(patience=2)", {"patience": 2}, down),
        ("ReduceLROnPlateau()", {}, down + down),
        ("ReduceLROnPlateau(mode='max', factor=0.5, patience=1, threshold=0.01, threshold_mode='abs', "
         "cooldown=2)",
         {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 2},
         up),
        ("ReduceLROnPlateau(mode='max', patience=0, threshold=0.1)",
         {"mode": "max", "patience": 0, "threshold": 0.1}, up),
        ("ReduceLROnPlateau(patience=0, factor=0.5, min_lr=0.02, threshold_mode='abs')",
         {"patience": 0, "factor": 0.5, "min_lr": 0.02, "threshold_mode": "abs"}, down),
        ("ReduceLROnPlateau(patience=0, factor=0.9, eps=0.005, cooldown=1)",
         {"patience": 0, "factor": 0.9, "eps": 0.005, "cooldown": 1}, [1.0] * 30),
    ]
    out = []
    for pytorch, args, metrics in specs:
        opt = make_optimizer("sgd")
        s = sched.ReduceLROnPlateau(opt, **args)
        lrs, best, bad, cool = [], [], [], []
        for m in metrics:
            opt.step()
            s.step(m)
            lrs.append(opt.param_groups[0]["lr"])
            best.append(s.best)
            bad.append(s.num_bad_epochs)
            cool.append(s.cooldown_counter)
        out.append({"pytorch": pytorch, "base_lr": BASE_LR, "args": args, "metrics": metrics, "lrs": lrs,
                    "best": best, "num_bad_epochs": bad, "cooldown_counter": cool})
    return out


def main():
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    print("torch", torch.__version__, file=sys.stderr)
    os.makedirs(mf.OUT_DIR, exist_ok=True)
    mf.write("optim15.json", {"rmsprop": make_rmsprop(), "adagrad": make_adagrad(),
                              "schedules": make_schedules(), "plateau": make_plateau()})


if __name__ == "__main__":
    main()
