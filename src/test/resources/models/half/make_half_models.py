#!/usr/bin/python3
"""Makes the half-precision fixtures of HalfPrecisionTest (run from this folder; needs python3-torch, numpy).

An nn.LSTM(3, 4, num_layers=2) with an nn.Linear(4, 2) head, saved three times in the safetensors layout
written here by hand (the `safetensors` package is not needed): as float32, as torch .half() (F16) and as
torch .bfloat16() (BF16). expected.json holds an input and the outputs PyTorch computes in float64 from
each file's weights (the F16/BF16 weights widened exactly with .double()), so the Java loader is checked
against PyTorch's own rounding (f32 -> f16/bf16) and its own forward pass.
"""
import json
import struct

import torch

torch.manual_seed(7)
lstm = torch.nn.LSTM(3, 4, num_layers=2)
head = torch.nn.Linear(4, 2)
state = {"lstm." + k: v.detach() for k, v in lstm.state_dict().items()}
state.update({"head." + k: v.detach() for k, v in head.state_dict().items()})
config = {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bias": True, "batch_first": False,
          "dropout": 0.0, "bidirectional": False, "proj_size": 0}
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def save(path, tensors, meta):
    header = {"__metadata__": meta}
    blobs, offset = [], 0
    for name in sorted(tensors):   # one dtype per file: the reference writer's order is by name
        t = tensors[name].contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.element_size() == 2 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


torch.manual_seed(8)
x = torch.randn(6, 1, 3)
expected = {"input": {"shape": list(x.shape), "data": x.flatten().tolist()}}
for suffix, dtype in (("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)):
    stored = {k: v.to(dtype) for k, v in state.items()}
    save("lstm_%s.safetensors" % suffix, stored,
         {"format": "pt", "lstm_config": json.dumps(config), "source": "make_half_models.py"})
    ref = torch.nn.LSTM(3, 4, num_layers=2).double()
    ref.load_state_dict({k[5:]: v.double() for k, v in stored.items() if k.startswith("lstm.")})
    with torch.no_grad():
        out, (h, c) = ref(x.double())
    expected["output_" + suffix] = {"shape": list(out.shape), "data": out.flatten().tolist()}
with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1)
