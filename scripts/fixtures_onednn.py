#!/usr/bin/python3
"""Golden fixture for jtorch's oneDNN inference path (run with Debian's torch 1.13: /usr/bin/python3).

Writes under src/test/resources/torchscript/:
  onednn_cnn.pt        torch.jit.script of a small CNN that has every kind of convolution the path treats
                       differently: a 3-channel stem (<= 8 input channels), batch norms (folded by freeze),
                       a depthwise 3x3, 1x1 convolutions, a 3x3 with 32 inputs (multiple of 16), a 3x3 with 24
                       inputs (a partial oneDNN block: must stay on libtorch's kernel), a residual add, a grouped conv,
                       max pools (the copy pools in channels-last layout), one with ceil_mode, and a linear
                       head on flatten(adaptive_avg_pool2d(x, 1), 1), as torchvision's classifiers (the copy
                       may compute it as a transposed product)
  onednn_cnn.json      input [2, 3, 12, 12], PyTorch's output in eval mode, and the gradient of output.sum()
                       with respect to the input
Usage: /usr/bin/python3 scripts/fixtures_onednn.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "torchscript")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.pw = nn.Conv2d(32, 24, 1)
        self.c24 = nn.Conv2d(24, 32, 3, padding=1)      # 24 input channels: oneDNN's forward is wrong here
        self.c32 = nn.Conv2d(32, 32, 3, padding=1)
        self.grouped = nn.Conv2d(32, 32, 3, padding=1, groups=4)
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        x = torch.relu(self.bn1(self.stem(x)))
        x = F.max_pool2d(x, 3, stride=1, padding=1)
        x = torch.relu(self.bn2(self.dw(x)))
        y = self.pw(x)
        x = torch.relu(self.c24(y)) + x
        x = torch.relu(self.c32(x))
        x = F.max_pool2d(self.grouped(x), 2, ceil_mode=True)
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def main():
    torch.manual_seed(0)
    m = Net()
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
    m.eval()
    s = torch.jit.script(m)
    s.save(os.path.join(OUT, "onednn_cnn.pt"))
    x = torch.rand(2, 3, 12, 12)
    xg = x.clone().requires_grad_(True)
    y = s(xg)
    y.sum().backward()
    with open(os.path.join(OUT, "onednn_cnn.json"), "w") as f:
        json.dump({"input": x.flatten().tolist(), "output": y.detach().flatten().tolist(),
                   "output_shape": list(y.shape), "input_grad": xg.grad.flatten().tolist(),
                   "torch": torch.__version__}, f)


if __name__ == "__main__":
    main()
