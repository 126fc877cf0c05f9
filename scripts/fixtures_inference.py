"""Writes the TorchScript fixtures of the tensor inference tests (run with /usr/bin/python3).

src/test/resources/torchscript/token_transformer.pt: int64 token ids [B, T] -> class scores [B, 3]
through an embedding, one Transformer encoder layer and a mean; token_transformer.json holds two
inputs and PyTorch's outputs for them.
"""
import json
import os

import torch
from torch import nn

torch.manual_seed(0)


class TokenTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 16)
        self.enc = nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.fc = nn.Linear(16, 3)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.fc(self.enc(self.emb(tokens)).mean(1))


root = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "torchscript")
m = TokenTransformer().eval()
scripted = torch.jit.script(m)
scripted.save(os.path.join(root, "token_transformer.pt"))
tokens = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8], [49, 7, 0, 5, 4, 3, 2, 1]], dtype=torch.int64)
with torch.no_grad():
    out = m(tokens)
with open(os.path.join(root, "token_transformer.json"), "w") as f:
    json.dump({"tokens": tokens.tolist(), "shape": list(tokens.shape), "output": out.tolist()}, f, indent=1)
print("wrote token_transformer.pt/.json", out.shape)
