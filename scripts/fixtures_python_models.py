#!/usr/bin/python3
"""Makes the fixtures of src/test/resources/python: state dicts saved by Python's torch.save.

Usage: /usr/bin/python3 scripts/fixtures_python_models.py [OUT_DIR]   (Debian python3-torch 1.13)

PythonStateDictTest reads them with jtorch's own pickle reader (io/PyTorchPickle) and checks that
jtorch's models compute PyTorch's softmax probabilities. CI only reads the files.

  simple_nn.pt            SimpleNN (fc1 784->128, relu, fc2 128->10) after 60 SGD steps, float32
  cnn_fp16.pt             DESIGN's CNN after 30 SGD steps, saved as float16 (keeps the file small)
  expected.json           4 Fashion-MNIST test images (raw pixels), labels, the models' softmax
                          probabilities (inputs = pixel / 255); the CNN's computed with the float16
                          weights widened back to float32, as jtorch loads them into a float32 model
  simple_nn_float64.pt    simple_nn.pt's weights as float64 (same probabilities to ~1e-7)
  wrong_shape.pt          fc1.weight is [784, 64] (all three: zeros, which git compresses)
  missing_key.pt          no fc2.bias
  extra_key.pt            an additional "fc3.weight"
  views.pt                tensors that are views (offset, transposed strides, shared storage) and
                          of every dtype, with their values in views.json
  foreign_global.pt       an OrderedDict holding a pickled reference to os.system (never executed)
  custom_class.pt         a dict holding an instance of a class defined in this script
  legacy.pt               the pre-1.6 non-zip format (_use_new_zipfile_serialization=False)
"""
import collections
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import CNN, SimpleNN  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


class Custom:
    """A class only this script knows: unpickling it would import and run this module."""

    def __init__(self):
        self.x = 1


class SystemCall:
    """Pickles as os.system("echo pwned"): the classic malicious pickle."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def images(kind):
    with gzip.open(f"{DATA}/{kind}-images-idx3-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)


def labels(kind):
    with gzip.open(f"{DATA}/{kind}-labels-idx1-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


def train(model, x, y, steps, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    for i in range(steps):
        xb = x[(i * 64) % 6000:(i * 64) % 6000 + 64]
        yb = y[(i * 64) % 6000:(i * 64) % 6000 + 64]
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    model.eval()


def probs(model, x):
    with torch.no_grad():
        return torch.softmax(model(x), dim=1)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    xtr = torch.from_numpy(images("train")[:6000].astype(np.float32) / 255.0).unsqueeze(1)
    ytr = torch.from_numpy(labels("train")[:6000].astype(np.int64))
    test_px = images("t10k")[:4]
    test_y = labels("t10k")[:4]
    x = torch.from_numpy(test_px.astype(np.float32) / 255.0).unsqueeze(1)

    mlp = SimpleNN()
    train(mlp, xtr, ytr, 60, 0.05)
    torch.save(mlp.state_dict(), f"{out}/simple_nn.pt")

    cnn = CNN()
    train(cnn, xtr, ytr, 30, 0.05)
    half = collections.OrderedDict((k, v.half()) for k, v in cnn.state_dict().items())
    half._metadata = cnn.state_dict()._metadata
    torch.save(half, f"{out}/cnn_fp16.pt")
    cnn.load_state_dict({k: v.float() for k, v in half.items()})

    json.dump({
        "input_scale": "pixel / 255, float32, shape [N, 1, 28, 28]",
        "pixels": test_px.reshape(4, -1).tolist(),
        "labels": test_y.tolist(),
        "simple_nn": probs(mlp, x).tolist(),
        "cnn": probs(cnn, x).tolist(),
    }, open(f"{out}/expected.json", "w"))

    sd = mlp.state_dict()
    torch.save(collections.OrderedDict((k, v.double()) for k, v in sd.items()), f"{out}/simple_nn_float64.pt")
    # zeros: only names and shapes matter below, and git stores zeros in a few bytes
    small = collections.OrderedDict((k, torch.zeros_like(v)) for k, v in sd.items())
    wrong = collections.OrderedDict(small)
    wrong["fc1.weight"] = torch.zeros(784, 64)
    torch.save(wrong, f"{out}/wrong_shape.pt")
    missing = collections.OrderedDict(small)
    del missing["fc2.bias"]
    torch.save(missing, f"{out}/missing_key.pt")
    extra = collections.OrderedDict(small)
    extra["fc3.weight"] = torch.zeros(2, 2)
    torch.save(extra, f"{out}/extra_key.pt")

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = collections.OrderedDict()
    views["transposed"] = base.t()                    # strides (1, 6)
    views["row"] = base[2]                            # offset 12 in the shared storage
    views["strided"] = base[1:, ::2]                  # offset 6, strides (6, 2)
    views["scalar"] = torch.tensor(2.5, dtype=torch.float64)
    views["empty"] = torch.zeros(0, 3)
    views["half"] = torch.tensor([1.5, -2.25, 65504.0, 6.1e-5], dtype=torch.float16)
    views["bfloat16"] = torch.tensor([1.5, -2.25, 3.0e38], dtype=torch.bfloat16)
    views["int64"] = torch.tensor([-(2 ** 40), 7])
    views["int32"] = torch.tensor([-5, 2 ** 30], dtype=torch.int32)
    views["int16"] = torch.tensor([-300, 300], dtype=torch.int16)
    views["int8"] = torch.tensor([-128, 127], dtype=torch.int8)
    views["uint8"] = torch.tensor([0, 255], dtype=torch.uint8)
    views["bool"] = torch.tensor([True, False, True])
    torch.save(views, f"{out}/views.pt")
    json.dump({k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                   "values": v.double().flatten().tolist()} for k, v in views.items()},
              open(f"{out}/views.json", "w"))

    bad = collections.OrderedDict(w=torch.ones(2))
    bad["payload"] = SystemCall()
    torch.save(bad, f"{out}/foreign_global.pt")
    torch.save({"w": torch.ones(2), "obj": Custom()}, f"{out}/custom_class.pt")
    torch.save(collections.OrderedDict(bias=torch.ones(2)), f"{out}/legacy.pt", _use_new_zipfile_serialization=False)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src/test/resources/python"))
