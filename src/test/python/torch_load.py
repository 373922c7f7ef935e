#!/usr/bin/env python3
"""Loads a model file written by lstm-flink into PyTorch and runs it.

Used by PyTorchInteropTest. The safetensors package is not in Debian, so the file is parsed here with the format's
own definition (8-byte little-endian header length, JSON header, raw little-endian data); the point of the test is
that `load_state_dict(strict=True)` of an nn.Module with children `lstm` (nn.LSTM built from the file's
`lstm_config` metadata) and `head` (nn.Linear) takes the tensors as they are.

usage: torch_load.py MODEL.safetensors INPUT.csv   (prints the output [T, D*Hout] as CSV, batch 1)
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        arr = np.frombuffer(body[begin:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return meta, tensors


class Model(torch.nn.Module):
    def __init__(self, cfg, head_shape):
        super().__init__()
        self.lstm = torch.nn.LSTM(**cfg)
        self.head = torch.nn.Linear(head_shape[1], head_shape[0])


def main():
    meta, tensors = read_safetensors(sys.argv[1])
    cfg = json.loads(meta["lstm_config"])
    model = Model(cfg, list(tensors["head.weight"].shape))
    if tensors["lstm.weight_ih_l0"].dtype == torch.float64:
        model = model.double()
    model.load_state_dict(tensors, strict=True)
    x = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
    xt = torch.tensor(x, dtype=tensors["lstm.weight_ih_l0"].dtype).unsqueeze(0 if cfg.get("batch_first") else 1)
    with torch.no_grad():
        out, _ = model.lstm(xt)
    out = out.squeeze(0 if cfg.get("batch_first") else 1).double().numpy()
    for row in out:
        print(",".join(repr(float(v)) for v in row))


if __name__ == "__main__":
    main()
