#!/usr/bin/python3
"""PyTorch side of the Transformer benchmark (TransformerBench.java is the jtorch side): the README's
encoder classifier (token + learned position embeddings, 2-layer TransformerEncoder, batch_first, a
padding mask, mean-pool over the real tokens, linear head) at B x T tokens.

Prints one JSON line: training steps/s (forward, cross-entropy, backward, Adam) and inference
forward ms (eval, inference_mode). Usage: bench_transformer.py [--threads N] [--rounds R]"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, MAXLEN, D, HEADS, FF, CLASSES, LAYERS = 1000, 64, 128, 4, 512, 4, 2
B, T = 32, 64


class TransformerClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D, padding_idx=0)
        self.pos = nn.Embedding(MAXLEN, D)
        layer = nn.TransformerEncoderLayer(D, HEADS, FF, 0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, LAYERS)
        self.head = nn.Linear(D, CLASSES)

    def forward(self, tokens):
        pad = tokens.eq(0)
        x = self.embed(tokens) + self.pos(torch.arange(tokens.size(1)))
        x = self.encoder(x, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).to(x.dtype)
        return self.head((x * keep).sum(1) / keep.sum(1))


def tokens_and_labels():
    # deterministic: the same batch as TransformerBench.java; every other row padded after T/2
    ids = [[1 + (b * 131 + t * 17) % (VOCAB - 1) for t in range(T)] for b in range(B)]
    for b in range(0, B, 2):
        for t in range(T // 2, T):
            ids[b][t] = 0
    return torch.tensor(ids, dtype=torch.int64), torch.tensor([b % CLASSES for b in range(B)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = TransformerClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = tokens_and_labels()

    def train(n):
        model.train()
        for _ in range(n):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

    def infer(n):
        model.eval()
        with torch.inference_mode():
            for _ in range(n):
                model(x)

    train(5)
    infer(5)
    tr, inf = [], []
    for _ in range(a.rounds):
        t0 = time.perf_counter(); train(a.steps); tr.append(a.steps / (time.perf_counter() - t0))
        t0 = time.perf_counter(); infer(a.steps); inf.append((time.perf_counter() - t0) * 1e3 / a.steps)
    tr.sort(); inf.sort()
    print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "threads": a.threads, "batch": B, "tokens": T,
                      "train_steps_per_s": tr[len(tr) // 2], "infer_ms": inf[len(inf) // 2]}))


if __name__ == "__main__":
    main()
