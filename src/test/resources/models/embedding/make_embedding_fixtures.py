#!/usr/bin/python3
"""Makes the embedding front-end fixtures of EmbeddingModelFileTest and LstmCliTest with PyTorch's own modules.

Needs Debian's python3-torch (1.13) only: the safetensors layout is written here by hand (8-byte little-endian header
length, the JSON header padded with spaces to a multiple of 8, then the raw little-endian float32 data in sorted-name
order), since Debian has no `safetensors` package.

Each case is the module of the embedding design (children named so that state_dict keys are embedding.weight,
lstm.*, head.*), in eval mode:

    class M(nn.Module):
        def __init__(s, n, d, numeric, k, hidden, layers, out, padding_idx, max_norm, norm_type):
            s.embedding = nn.Embedding(n, d, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type)
            s.lstm = nn.LSTM(numeric + k*d, hidden, num_layers=layers, batch_first=True)
            s.head = nn.Linear(hidden, out)
        def forward(s, v, ids):            # v [B,T,numeric] float, ids [B,T,k] long
            x = torch.cat([v, s.embedding(ids).flatten(-2)], dim=-1)
            y, (h, c) = s.lstm(x)
            return s.head(y), y, h, c

For each case NAME: NAME.safetensors (float32; metadata lstm_config, embedding_config as the case writes it, e.g.
padding_idx -1 in its negative form) and NAME.expected.json = {case, embedding_config, numeric, ids_per_step,
values [B,T,numeric], ids [B,T,k] (integers), head_output [B,T,out], lstm_output [B,T,hidden], h_n [L,B,hidden],
c_n [L,B,hidden]}, tensors as {"shape", "data"} (flat, row-major) like the golden files (golden/FORMAT.md). The expected
values are computed in float64 (model.double()) from the stored float32 weights (exact in float64) with zero initial
state. The file is written BEFORE the forward pass: with max_norm, nn.Embedding rescales the looked-up rows of its
weight in place (embedding_renorm_), and the fixture must hold the weights as they were, rows over max_norm included,
so that the reader's rescale-on-read is what is tested.

Run from the repository root: /usr/bin/python3 src/test/resources/models/embedding/make_embedding_fixtures.py
"""
import json
import os
import struct

import torch
from torch import nn

OUT = os.path.dirname(os.path.abspath(__file__))
B, T = 2, 5


class M(nn.Module):
    def __init__(s, n, d, numeric, k, hidden, layers, out, padding_idx=None, max_norm=None, norm_type=2.0):
        super().__init__()
        s.embedding = nn.Embedding(n, d, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type)
        s.lstm = nn.LSTM(numeric + k * d, hidden, num_layers=layers, batch_first=True)
        s.head = nn.Linear(hidden, out)

    def forward(s, v, ids):
        x = torch.cat([v, s.embedding(ids).flatten(-2)], dim=-1)
        y, (h, c) = s.lstm(x)
        return s.head(y), y, h, c


def save_safetensors(path, tensors, meta):
    header = {"__metadata__": meta}
    blobs, offset = [], 0
    for name in sorted(tensors):   # one dtype: the reference writer's order is by name
        raw = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def tensor(t):
    return {"shape": list(t.shape), "data": t.detach().flatten().tolist()}


def make(name, seed, n, d, numeric, k, hidden=4, layers=1, out=None, padding_idx=None, max_norm=None, norm_type=2.0,
         table=None, ids=None):
    """table(weight) may edit the initial table in place (under no_grad); ids, when given, are the [B,T,k] ids."""
    torch.manual_seed(seed)
    out = out if out is not None else max(numeric, 1)
    m = M(n, d, numeric, k, hidden, layers, out, padding_idx, max_norm, norm_type).eval()
    with torch.no_grad():
        if table is not None:
            table(m.embedding.weight)
    emb_cfg = {"num_embeddings": n, "embedding_dim": d, "padding_idx": padding_idx, "max_norm": max_norm,
               "norm_type": norm_type, "ids_per_step": k}
    lstm_cfg = {"input_size": numeric + k * d, "hidden_size": hidden, "num_layers": layers, "bias": True,
                "batch_first": True, "dropout": 0.0, "bidirectional": False, "proj_size": 0}
    state = {key: v.clone() for key, v in m.state_dict().items()}   # before any forward: renorm changes the table
    save_safetensors(os.path.join(OUT, name + ".safetensors"), state,
                     {"format": "pt", "lstm_config": json.dumps(lstm_cfg), "embedding_config": json.dumps(emb_cfg),
                      "source": "make_embedding_fixtures.py"})
    v = torch.randn(B, T, numeric)
    if ids is None:
        ids = torch.randint(0, n, (B, T, k))
    ids = torch.as_tensor(ids, dtype=torch.long).reshape(B, T, k)
    ref = m.double()
    with torch.no_grad():
        head, y, h, c = ref(v.double(), ids)
    expected = {"case": name, "embedding_config": emb_cfg, "numeric": numeric, "ids_per_step": k,
                "values": tensor(v.double()), "ids": tensor(ids), "head_output": tensor(head),
                "lstm_output": tensor(y), "h_n": tensor(h), "c_n": tensor(c)}
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f)
    return state


def every_id(n, k):
    """[B,T,k] ids that visit every row (cyclically), so a wrong row anywhere shows."""
    return torch.arange(B * T * k).remainder(n).reshape(B, T, k)


def main():
    make("plain", 1, n=7, d=3, numeric=2, k=1, ids=every_id(7, 1))

    def nonzero_last_row(w):
        w[-1] = torch.tensor([0.75, -1.25, 0.5])   # the padding row as a trained file may hold it: used as stored
    make("padding_negative", 2, n=6, d=3, numeric=2, k=1, padding_idx=-1, table=nonzero_last_row,
         ids=[5, 0, 5, 1, 2, 5, 3, 4, 5, 5])

    def nonzero_first_row(w):
        w[0] = torch.tensor([-0.5, 1.0, 0.25])
    make("padding_zero", 3, n=6, d=3, numeric=1, k=1, padding_idx=0, table=nonzero_first_row,
         ids=[0, 1, 0, 2, 3, 0, 4, 5, 0, 0])

    def mixed_norms_p2(w):   # rows 0-3 over max_norm 1, rows 4-5 below, row 6 exactly at it
        w.mul_(1.5)
        w[4] = torch.tensor([0.25, -0.5, 0.125, 0.25])
        w[5] = torch.tensor([-0.1, 0.2, 0.3, -0.4])
        w[6] = torch.tensor([0.0, -1.0, 0.0, 0.0])
    make("max_norm_p2", 4, n=7, d=4, numeric=2, k=1, max_norm=1.0, norm_type=2.0, table=mixed_norms_p2,
         ids=every_id(7, 1))

    def mixed_norms_p1(w):   # L1 norms mostly over 1.5; row 5 below; row 6 exactly at it
        w[5] = torch.tensor([0.25, -0.25, 0.5])
        w[6] = torch.tensor([0.5, -0.75, 0.25])
    make("max_norm_p1", 5, n=7, d=3, numeric=2, k=1, max_norm=1.5, norm_type=1.0, table=mixed_norms_p1,
         ids=every_id(7, 1))
    make("two_ids", 6, n=9, d=2, numeric=3, k=2, ids=every_id(9, 2))
    make("ids_only", 7, n=8, d=4, numeric=0, k=2, out=1, ids=every_id(8, 2))
    make("two_layers", 8, n=5, d=3, numeric=1, k=1, hidden=3, layers=2, padding_idx=0, max_norm=2.0,
         ids=every_id(5, 1))


if __name__ == "__main__":
    main()
