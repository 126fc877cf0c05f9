#!/usr/bin/python3
"""Golden fixtures for jtorch's TorchScript and safetensors readers (run with Debian's torch 1.13).

Writes under src/test/resources/torchscript/:
  simple_scripted.pt   torch.jit.script(SimpleNN).save   (a few SGD steps on Fashion-MNIST)
  simple_traced.pt     torch.jit.trace(SimpleNN, [1,1,28,28]).save
  simple.safetensors   the same weights, safetensors written by hand (struct + json)
  cnn_scripted.pt      torch.jit.script of jtorch's MNIST CNN (a few SGD steps)
  dtypes.safetensors   one small tensor per safetensors dtype jtorch supports
  expected.json        4 test images (uint8 pixels), PyTorch's softmax for them, labels, the
                       accuracy on the whole test split, and
                       the values of dtypes.safetensors
Usage: /usr/bin/python3 scripts/fixtures_torchscript.py
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import CNN  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "src", "test", "resources", "torchscript")
DATA = "/usr/share/datasets/fashion-mnist"


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


DTYPES = {
    torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def raw(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: the bits are the top half of float32's
        return (t.float().numpy().view(np.uint32) >> 16).astype("<u2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save_safetensors(tensors, path, metadata=None):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):  # the reference implementation sorts by key
        b = raw(tensors[name])
        header[name] = {"dtype": DTYPES[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    xs = idx(f"{DATA}/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    ys = idx(f"{DATA}/train-labels-idx1-ubyte.gz", 8)
    model = SimpleNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(20):
        x = torch.from_numpy(xs[step * 64:(step + 1) * 64].astype(np.float32) / 255.0)
        y = torch.from_numpy(ys[step * 64:(step + 1) * 64].astype(np.int64))
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()

    torch.jit.script(model).save(os.path.join(OUT, "simple_scripted.pt"))
    torch.jit.trace(model, torch.zeros(1, 1, 28, 28)).save(os.path.join(OUT, "simple_traced.pt"))
    save_safetensors(dict(model.state_dict()), os.path.join(OUT, "simple.safetensors"),
                     {"format": "pt", "source": "fixtures_torchscript.py"})

    g = torch.Generator().manual_seed(1)
    dt = {
        "f32": torch.tensor([[1.5, -2.25, 3.0e-7], [float("inf"), -0.0, 1e30]], dtype=torch.float32),
        "f64": torch.tensor([1.0 / 3.0, -1e-300, 2.5], dtype=torch.float64),
        "f16": torch.tensor([0.5, -1.25, 65504.0, 6e-5], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.5, 1e20, 0.0078125], dtype=torch.bfloat16),
        "i64": torch.tensor([[-(2 ** 62), 7], [0, 2 ** 40]], dtype=torch.int64),
        "i32": torch.tensor([-2 ** 31, 2 ** 31 - 1, 5], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, -1], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0, -5], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "scalar": torch.tensor(4.0),
        "empty": torch.zeros(0, 3),
        "randn": torch.randn(2, 3, generator=g),
    }
    save_safetensors(dt, os.path.join(OUT, "dtypes.safetensors"))

    all_x = idx(f"{DATA}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    all_y = idx(f"{DATA}/t10k-labels-idx1-ubyte.gz", 8)
    with torch.no_grad():
        pred = model(torch.from_numpy(all_x.astype(np.float32) / 255.0)).argmax(1).numpy()
    test_accuracy = float((pred == all_y).mean())
    tx, ty = all_x[:4], all_y[:4]
    with torch.no_grad():
        probs = F.softmax(model(torch.from_numpy(tx.astype(np.float32) / 255.0)).double(), dim=1)

    def values(t):
        v = t.float().flatten().tolist() if t.dtype in (torch.float16, torch.bfloat16) else t.flatten().tolist()
        return [str(a) if isinstance(a, float) and (a != a or a in (float("inf"), float("-inf"))) else a for a in v]

    expected = {
        "pixels": tx.reshape(4, 784).astype(int).tolist(),
        "labels": ty.astype(int).tolist(),
        "test_accuracy": test_accuracy,
        "probabilities": probs.tolist(),
        "dtypes": {k: {"dtype": DTYPES[v.dtype], "shape": list(v.shape), "values": values(v)} for k, v in dt.items()},
    }
    # the DESIGN CNN, trained a few steps, as TorchScript: its probabilities on the same images
    torch.manual_seed(1)
    cnn = CNN()
    copt = torch.optim.SGD(cnn.parameters(), lr=0.05, momentum=0.9)
    for step in range(10):
        x = torch.from_numpy(xs[step * 64:(step + 1) * 64].astype(np.float32) / 255.0)
        y = torch.from_numpy(ys[step * 64:(step + 1) * 64].astype(np.int64))
        copt.zero_grad()
        F.cross_entropy(cnn(x), y).backward()
        copt.step()
    cnn.eval()
    torch.jit.script(cnn).save(os.path.join(OUT, "cnn_scripted.pt"))
    with torch.no_grad():
        expected["cnn_probabilities"] = F.softmax(cnn(torch.from_numpy(tx.astype(np.float32) / 255.0)).double(),
                                                  dim=1).tolist()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
