"""The PyTorch twins of jtorch's `mlp` and `cnn` (the CLI's models, dev.jtorch.models), shared by the fixture and
check scripts so that every script builds the same layers under the same state-dict keys."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleNN(nn.Module):
    """fc1 = Linear(784, 128) -> ReLU -> fc2 = Linear(128, 10); returns logits."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.view(-1, 784))))


class CNN(nn.Module):
    """conv1 Conv2d(1,32,3), conv2 Conv2d(32,64,3), fc1 Linear(1600,128), fc2 Linear(128,10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(64 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x.view(-1, 1, 28, 28))), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))
