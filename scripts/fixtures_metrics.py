#!/usr/bin/env python3
"""Golden fixtures for dev.jtorch.metrics (writes src/test/resources/fixtures/metrics.json).

Run from the repository root with Debian's PyTorch and scikit-learn:
    /usr/bin/python3 scripts/fixtures_metrics.py
CI never runs it; the JSON it writes is committed.

Contents:
- "classification": (y_true, y_pred, num_classes) cases, including a class that is never
  predicted, one that never occurs in y_true and one that does neither, with scikit-learn's
  confusion_matrix(labels=range(C)), accuracy_score and
  precision_recall_fscore_support(labels=range(C), zero_division=0) per class and for the
  macro, weighted and micro averages.
- "logits": validation and test logits/labels of an overconfident classifier with the test set's
  mean NLL, top-5 accuracy, ECE (15 bins, written out below), classification metrics, and the
  temperature fitted on the validation set (LBFGS on log T in float64, then polished by Newton
  steps on 1/T; both are recorded) with the test NLL/ECE before and after dividing the logits by it.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

ECE_BINS = 15


def prf(y_true, y_pred, c):
    labels = list(range(c))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None,
                                                 zero_division=0)
    out = {
        "num_classes": c,
        "y_true": [int(v) for v in y_true],
        "y_pred": [int(v) for v in y_pred],
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "per_class": {"precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(),
                      "support": [int(v) for v in s]},
    }
    for avg in ("macro", "weighted", "micro"):
        ap, ar, af, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg,
                                                        zero_division=0)
        out[avg] = {"precision": float(ap), "recall": float(ar), "f1": float(af)}
    return out


def ece(confidence, correct):
    """Expected calibration error with 15 equal-width bins (b/15, (b+1)/15] of top-1 confidence.

    A sample goes to the first bin b (0..14) whose upper edge (b+1)/15 (a float64 division) is
    >= its confidence: bin 0 also takes confidence 0 and the last bin is closed at 1.0 (anything
    above 1.0 from rounding goes there too). ECE = sum over non-empty bins of
    (n_b / N) * |mean(correct in b) - mean(confidence in b)|.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    uppers = np.array([(b + 1) / ECE_BINS for b in range(ECE_BINS)], dtype=np.float64)
    bins = np.minimum(np.searchsorted(uppers, confidence, side="left"), ECE_BINS - 1)
    n = len(confidence)
    total = 0.0
    for b in range(ECE_BINS):
        m = bins == b
        nb = int(m.sum())
        if nb == 0:
            continue
        total += (nb / n) * abs(correct[m].mean() - confidence[m].mean())
    return float(total)


def logit_stats(logits, labels, temperature=1.0):
    z = logits.double() / temperature
    nll = F.cross_entropy(z, labels).item()
    conf = torch.softmax(z, dim=1).max(dim=1).values.numpy()
    correct = (logits.argmax(dim=1) == labels).numpy()
    return nll, ece(conf, correct)


def fit_temperature(logits, labels):
    z = logits.double()
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=1.0, max_iter=500, tolerance_grad=1e-14,
                            tolerance_change=1e-16, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(z / log_t.exp(), labels)
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    t_lbfgs = math.exp(log_t.item())
    # polish with Newton steps on s = 1/T, where the NLL is convex: dNLL/ds = mean(E_p[z] - z_y),
    # d2NLL/ds2 = mean(Var_p[z]); LBFGS stops at ~1e-10 relative, Newton gets to float64 rounding
    zy = z.gather(1, labels[:, None])[:, 0]
    s = 1.0 / t_lbfgs
    for _ in range(20):
        p = torch.softmax(z * s, dim=1)
        mean = (p * z).sum(1)
        g = (mean - zy).mean().item()
        h = ((p * z * z).sum(1) - mean * mean).mean().item()
        step = g / h
        s -= step
        if abs(step) <= 1e-15 * s:
            break
    t = 1.0 / s
    assert abs(t - t_lbfgs) < 1e-8 * t, (t, t_lbfgs)
    return t, t_lbfgs


def overconfident(n, c, gen, sharpness):
    labels = torch.randint(0, c, (n,), generator=gen)
    logits = torch.randn(n, c, generator=gen, dtype=torch.float32) * 1.5
    # the true class gets a boost often, a random class otherwise: about 70% accuracy
    boost = torch.where(torch.rand(n, generator=gen) < 0.7, labels, torch.randint(0, c, (n,), generator=gen))
    logits[torch.arange(n), boost] += 2.0
    return (logits * sharpness).float(), labels


def main():
    rng = np.random.default_rng(20240611)
    cases = []
    # 1. plain random, C = 4
    t = rng.integers(0, 4, 30)
    p = np.where(rng.random(30) < 0.6, t, rng.integers(0, 4, 30))
    cases.append(("random_c4", t, p, 4))
    # 2. class 2 is never predicted
    t = rng.integers(0, 4, 40)
    p = np.where(rng.random(40) < 0.5, t, rng.integers(0, 4, 40))
    p[p == 2] = 3
    cases.append(("never_predicted_c4", t, p, 4))
    # 3. class 4 never occurs in y_true but is predicted
    t = rng.integers(0, 4, 35)
    p = np.where(rng.random(35) < 0.6, t, rng.integers(0, 5, 35))
    p[:3] = 4
    cases.append(("never_occurs_c5", t, p, 5))
    # 4. class 3 neither occurs nor is predicted; class 1 never predicted
    t = rng.choice([0, 1, 2, 4], 25)
    p = np.where(rng.random(25) < 0.5, t, rng.choice([0, 2, 4], 25))
    p[p == 1] = 0
    cases.append(("absent_and_unpredicted_c5", t, p, 5))
    # 5. perfect
    t = rng.integers(0, 3, 12)
    cases.append(("perfect_c3", t, t.copy(), 3))
    # 6. larger, C = 10 (numpy's pairwise sums kick in at 8 elements)
    t = rng.integers(0, 10, 500)
    p = np.where(rng.random(500) < 0.8, t, rng.integers(0, 10, 500))
    cases.append(("random_c10", t, p, 10))
    # 7. everything predicted as one class
    t = rng.integers(0, 3, 20)
    cases.append(("single_prediction_c3", t, np.zeros(20, dtype=np.int64), 3))

    classification = []
    for name, t, p, c in cases:
        d = prf(t, p, c)
        d["name"] = name
        classification.append(d)

    gen = torch.Generator().manual_seed(7)
    c = 10
    val_logits, val_labels = overconfident(300, c, gen, 3.0)
    test_logits, test_labels = overconfident(257, c, gen, 3.0)
    temperature, temperature_lbfgs = fit_temperature(val_logits, val_labels)
    nll_before, ece_before = logit_stats(test_logits, test_labels)
    nll_after, ece_after = logit_stats(test_logits, test_labels, temperature)
    top5 = test_logits.topk(5, dim=1).indices.eq(test_labels[:, None]).any(dim=1).double().mean().item()
    pred = test_logits.argmax(dim=1)
    logits_case = {
        "num_classes": c,
        "val_logits": val_logits.double().tolist(),
        "val_labels": val_labels.tolist(),
        "test_logits": test_logits.double().tolist(),
        "test_labels": test_labels.tolist(),
        "nll": nll_before,
        "top5_accuracy": top5,
        "top3_accuracy": test_logits.topk(3, dim=1).indices.eq(test_labels[:, None]).any(dim=1)
                         .double().mean().item(),
        "ece": ece_before,
        "temperature": temperature,
        "temperature_lbfgs": temperature_lbfgs,
        "val_nll_at_temperature": F.cross_entropy(val_logits.double() / temperature, val_labels).item(),
        "calibration": {"temperature": temperature, "nll_before": nll_before, "nll_after": nll_after,
                        "ece_before": ece_before, "ece_after": ece_after},
        "report": prf(test_labels.numpy(), pred.numpy(), c),
    }
    assert nll_after < nll_before and ece_after < ece_before, (nll_before, nll_after, ece_before, ece_after)

    # ECE binning edge cases: confidences exactly on bin edges, 0, 1
    edges = [0.0, 1 / 15, 2 / 15, 0.5, 7 / 15, 14 / 15, 1.0, 0.999, 1 / 15 + 1e-12, 0.2]
    edge_correct = [True, False, True, True, False, True, True, False, True, False]
    ece_edges = {"confidence": edges, "correct": edge_correct, "ece": ece(edges, edge_correct),
                 "bins": [int(min(np.searchsorted(np.array([(b + 1) / ECE_BINS for b in range(ECE_BINS)]),
                                                  v, side="left"), ECE_BINS - 1)) for v in edges]}

    out = {"generator": "scripts/fixtures_metrics.py", "torch": torch.__version__,
           "sklearn": __import__("sklearn").__version__, "ece_bins": ECE_BINS,
           "classification": classification, "logits": logits_case, "ece_edges": ece_edges}
    path = os.path.join("src", "test", "resources", "fixtures", "metrics.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=None, separators=(",", ":"))
        fh.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes; T =", temperature,
          "nll", nll_before, "->", nll_after, "ece", ece_before, "->", ece_after, "top5", top5)


if __name__ == "__main__":
    main()
