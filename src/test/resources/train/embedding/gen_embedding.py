#!/usr/bin/env python3
"""Writes embedding.json: one loss, its gradients and one Adam step of a tiny model with an nn.Embedding front end,
computed by PyTorch in float64.

  x = cat([v, embedding(ids).flatten(-2)], -1)   v [T,B,m] numeric, ids [T,B,k]
  loss = MSE(head(lstm(x)[0]), y)                y [T,B,m]
nn.Embedding(6, 3, padding_idx=1, max_norm=1.5): rows looked up in the batch whose 2-norm exceeds 1.5 are renormed
in place before the lookup (not differentiated); the padding row gets no gradient. The ids include the padding row
and an id that repeats, so the scatter-add and the padding rule both show. "weight_before" is the table as given,
"state" the module after the forward (renormed rows), "grads" the autograd gradients, "after_step" one
torch.optim.Adam(lr=0.01) step.

Run from the repository root:  /usr/bin/python3 src/test/resources/train/embedding/gen_embedding.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)


class M(torch.nn.Module):
    def __init__(s, n, d, numeric, k, hidden):
        super().__init__()
        s.embedding = torch.nn.Embedding(n, d, padding_idx=1, max_norm=1.5)
        s.lstm = torch.nn.LSTM(numeric + k * d, hidden)
        s.head = torch.nn.Linear(hidden, numeric)

    def forward(s, v, ids):
        x = torch.cat([v, s.embedding(ids).flatten(-2)], dim=-1)
        return s.head(s.lstm(x)[0])


def main():
    torch.manual_seed(3)
    n, d, m, k, h, t, b = 6, 3, 2, 2, 4, 4, 2
    model = M(n, d, m, k, h)
    with torch.no_grad():
        model.embedding.weight[1] = torch.tensor([0.3, -0.2, 0.1])  # a non-zero padding row: it must not move
    before = model.embedding.weight.detach().clone().reshape(-1).tolist()
    v = torch.randn(t, b, m)
    y = torch.randn(t, b, m)
    ids = torch.tensor([[[0, 1], [2, 3]], [[1, 1], [4, 2]], [[0, 5], [2, 2]], [[3, 1], [0, 4]]])
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(v, ids), y)
    loss.backward()
    state = {name: p.detach().clone().reshape(-1).tolist() for name, p in model.named_parameters()}
    grads = {name: p.grad.detach().clone().reshape(-1).tolist() for name, p in model.named_parameters()}
    opt.step()
    after = {name: p.detach().clone().reshape(-1).tolist() for name, p in model.named_parameters()}
    out = {"generator": "gen_embedding.py", "torch": torch.__version__,
           "num_embeddings": n, "embedding_dim": d, "padding_idx": 1, "max_norm": 1.5, "norm_type": 2.0,
           "numeric": m, "ids_per_step": k, "hidden_size": h, "seq_len": t, "batch": b, "lr": 0.01,
           "weight_before": before, "v": v.reshape(-1).tolist(), "y": y.reshape(-1).tolist(),
           "ids": ids.reshape(-1).tolist(), "loss": loss.item(), "state": state, "grads": grads,
           "after_step": after}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "embedding.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
