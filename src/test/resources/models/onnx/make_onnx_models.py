#!/usr/bin/python3
"""Exports small torch.nn.LSTM models with torch.onnx.export, for OnnxLstmTest, with PyTorch's outputs beside them.

Needs Debian's python3-torch (1.13; its exporter writes the protobuf itself) and python3-onnx (1.12, only to make the
edited variants that the reader must refuse or accept: other activations, clip, input_forget, peepholes, layout=1,
float_data instead of raw_data).

For each model NAME: NAME.onnx and NAME.expected.json = {config, input [T,B,I], output, h_n, c_n}, computed by the same
module in float64 (the exported weights are float32, so float64 of them is exact), with zero initial state.

Run from the repository root: /usr/bin/python3 src/test/resources/models/onnx/make_onnx_models.py
"""
import io
import json
import os

import numpy as np
import onnx
from onnx import numpy_helper
import torch

OUT = os.path.dirname(os.path.abspath(__file__))


def export(name, module, seq_len=6, batch=2, seed=0):
    torch.manual_seed(seed)
    cfg = dict(input_size=module.input_size, hidden_size=module.hidden_size, num_layers=module.num_layers,
               bias=module.bias, bidirectional=module.bidirectional)
    x = torch.randn(seq_len, batch, module.input_size)
    buf = io.BytesIO()
    module.eval()
    torch.onnx.export(module, (x,), buf, input_names=["input"], output_names=["output", "h_n", "c_n"],
                      opset_version=14)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as fh:
        fh.write(buf.getvalue())
    with torch.no_grad():
        out, (h, c) = module.double()(x.double())
    expected = {"config": cfg, "input": {"shape": list(x.shape), "data": x.double().flatten().tolist()},
                "output": {"shape": list(out.shape), "data": out.flatten().tolist()},
                "h_n": {"shape": list(h.shape), "data": h.flatten().tolist()},
                "c_n": {"shape": list(c.shape), "data": c.flatten().tolist()}}
    with open(os.path.join(OUT, name + ".expected.json"), "w") as fh:
        json.dump(expected, fh)
    return onnx.load_from_string(buf.getvalue())


def lstm_nodes(model):
    return [n for n in model.graph.node if n.op_type == "LSTM"]


def set_attr(node, name, value):
    for a in list(node.attribute):
        if a.name == name:
            node.attribute.remove(a)
    node.attribute.append(onnx.helper.make_attribute(name, value))


def save(model, name):
    with open(os.path.join(OUT, name + ".onnx"), "wb") as fh:
        fh.write(model.SerializeToString())


def main():
    torch.manual_seed(1)
    single = export("single_layer", torch.nn.LSTM(3, 5))
    torch.manual_seed(2)
    export("bidir_2layer", torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True))
    torch.manual_seed(3)
    export("no_bias_3layer", torch.nn.LSTM(2, 6, num_layers=3, bias=False))

    # Variants of single_layer (same weights, same expected outputs where they are accepted)
    m = onnx.ModelProto()
    m.CopyFrom(single)
    for t in m.graph.initializer:
        if t.data_type == onnx.TensorProto.FLOAT and t.raw_data:
            values = np.frombuffer(t.raw_data, dtype="<f4")
            t.ClearField("raw_data")
            t.float_data.extend(values.tolist())
    save(m, "single_layer_float_data")

    m = onnx.ModelProto()
    m.CopyFrom(single)
    set_attr(lstm_nodes(m)[0], "layout", 1)
    save(m, "single_layer_layout1")

    refused = {
        "refused_activations": lambda n: set_attr(n, "activations", [b"Sigmoid", b"Relu", b"Tanh"]),
        "refused_clip": lambda n: set_attr(n, "clip", 3.0),
        "refused_input_forget": lambda n: set_attr(n, "input_forget", 1),
    }
    for name, edit in refused.items():
        m = onnx.ModelProto()
        m.CopyFrom(single)
        edit(lstm_nodes(m)[0])
        save(m, name)

    # activations the core has: f = gates (recurrent_activation), g = h = cell (activation); HardSigmoid only with
    # Keras 3's alpha = 1/6, beta = 0.5 (ONNX's default 0.2 is Keras 2's), Affine(1, 0) = linear
    accepted = {
        "activations_relu_cell": lambda n: set_attr(n, "activations", [b"Sigmoid", b"Relu", b"Relu"]),
        "activations_hard_sigmoid_gates": lambda n: (
            set_attr(n, "activations", [b"HardSigmoid", b"Tanh", b"Tanh"]),
            set_attr(n, "activation_alpha", [1.0 / 6.0]), set_attr(n, "activation_beta", [0.5])),
        "activations_linear_cell": lambda n: (
            set_attr(n, "activations", [b"Sigmoid", b"Affine", b"Affine"]),
            set_attr(n, "activation_alpha", [1.0, 1.0]), set_attr(n, "activation_beta", [0.0, 0.0])),
        "refused_hard_sigmoid_onnx_default": lambda n: set_attr(n, "activations", [b"HardSigmoid", b"Tanh", b"Tanh"]),
    }
    for name, edit in accepted.items():
        m = onnx.ModelProto()
        m.CopyFrom(single)
        edit(lstm_nodes(m)[0])
        save(m, name)

    # peepholes: P [1, 3H] as the 8th input
    m = onnx.ModelProto()
    m.CopyFrom(single)
    node = lstm_nodes(m)[0]
    while len(node.input) < 7:
        node.input.append("")
    m.graph.initializer.append(numpy_helper.from_array(np.zeros((1, 15), np.float32), "peepholes"))
    node.input.append("peepholes")
    save(m, "refused_peepholes")


if __name__ == "__main__":
    main()
