#!/usr/bin/python3
"""Exports small torch.nn.LSTM models with torch.onnx.export, for OnnxLstmTest and OnnxHeadTest, with PyTorch's
outputs beside them.

Needs Debian's python3-torch (1.13; its exporter writes the protobuf itself) and python3-onnx (1.12, only to make the
edited variants that the reader must refuse or accept: other activations, clip, input_forget, peepholes, layout=1,
float_data instead of raw_data).

For each model NAME: NAME.onnx and NAME.expected.json = {config, input [T,B,I], output, h_n, c_n}, computed by the same
module in float64 (the exported weights are float32, so float64 of them is exact), with zero initial state.

head_*: an nn.LSTM with an nn.Linear on its output sequence, head(lstm(x)[0]), exported with its one output; their
expected.json = {config, input (as the module takes it: [B,T,I] when batch_first, [T,I] unbatched), lstm_output,
head_output}. refused_* files must be refused; initial_state_zero holds constant zero initial_h/initial_c and
initial_h_graph_input takes initial_h from a graph input (both accepted, with single_layer's outputs).

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

    heads()


class LstmHead(torch.nn.Module):
    """head(lstm(x)[0]): a Linear on every step's output of the last layer."""

    def __init__(self, lstm, head):
        super().__init__()
        self.lstm = lstm
        self.head = head

    def forward(self, x):
        return self.head(self.lstm(x)[0])


class HeadOnLastState(LstmHead):
    """head(h_n[-1]): a head on the final state, which the reader refuses (it reads heads on the output sequence)."""

    def forward(self, x):
        return self.head(self.lstm(x)[1][0][-1])


class LearnedInitialState(LstmHead):
    """A learned h0 [num_layers, 1, H], expanded to the batch: a non-zero constant initial_h, refused."""

    def __init__(self, lstm, head):
        super().__init__(lstm, head)
        self.h0 = torch.nn.Parameter(torch.randn(lstm.num_layers, 1, lstm.hidden_size))

    def forward(self, x):
        b = x.size(1)
        h0 = self.h0.expand(-1, b, -1).contiguous()
        return self.head(self.lstm(x, (h0, torch.zeros_like(h0)))[0])


def export_head(name, module, x, expected=True):
    """Exports module(x) with one output; with expected, writes the float64 outputs beside it."""
    module.eval()
    buf = io.BytesIO()
    torch.onnx.export(module, (x,), buf, input_names=["input"], output_names=["output"], opset_version=14)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as fh:
        fh.write(buf.getvalue())
    if expected:
        lstm, head = module.lstm, module.head
        cfg = dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size, num_layers=lstm.num_layers,
                   bias=lstm.bias, bidirectional=lstm.bidirectional, batch_first=lstm.batch_first,
                   head_in=head.in_features, head_out=head.out_features, head_bias=head.bias is not None)
        with torch.no_grad():
            m = module.double()
            y = m.lstm(x.double())[0]
            out = m.head(y)
        doc = {"config": cfg, "input": {"shape": list(x.shape), "data": x.double().flatten().tolist()},
               "lstm_output": {"shape": list(y.shape), "data": y.flatten().tolist()},
               "head_output": {"shape": list(out.shape), "data": out.flatten().tolist()}}
        with open(os.path.join(OUT, name + ".expected.json"), "w") as fh:
            json.dump(doc, fh)
    return onnx.load_from_string(buf.getvalue())


def heads():
    torch.manual_seed(11)
    export_head("head_2layer_batch_first", LstmHead(torch.nn.LSTM(3, 5, num_layers=2, batch_first=True),
                                                    torch.nn.Linear(5, 2)), torch.randn(2, 6, 3))
    torch.manual_seed(12)
    export_head("head_bidir", LstmHead(torch.nn.LSTM(3, 4, bidirectional=True), torch.nn.Linear(8, 3)),
                torch.randn(6, 2, 3))
    torch.manual_seed(13)
    export_head("head_no_bias", LstmHead(torch.nn.LSTM(3, 5, batch_first=True), torch.nn.Linear(5, 2, bias=False)),
                torch.randn(2, 6, 3))
    # an unbatched input [T, I]: the exporter writes the head as one Gemm (transB=1) on a 2-D input
    torch.manual_seed(14)
    gemm = export_head("head_gemm_unbatched", LstmHead(torch.nn.LSTM(3, 5), torch.nn.Linear(5, 2)),
                       torch.randn(6, 3))

    # the same Gemm with transB=0 and the weight stored transposed [Hout, K]: the same head
    m = onnx.ModelProto()
    m.CopyFrom(gemm)
    node = [n for n in m.graph.node if n.op_type == "Gemm"][0]
    set_attr(node, "transB", 0)
    for t in m.graph.initializer:
        if t.name == node.input[1]:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).T.copy(), t.name))
    save(m, "head_gemm_transb0")

    # refused: a Sigmoid after the Linear; a Relu between the LSTM and the Linear; a head on h_n[-1]
    torch.manual_seed(15)
    export_head("refused_head_then_sigmoid", torch.nn.Sequential(
        LstmHead(torch.nn.LSTM(3, 5), torch.nn.Linear(5, 2)), torch.nn.Sigmoid()), torch.randn(6, 2, 3),
        expected=False)
    torch.manual_seed(16)
    export_head("refused_relu_before_head", LstmHead(torch.nn.LSTM(3, 5),
                                                     torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(5, 2))),
                torch.randn(6, 2, 3), expected=False)
    torch.manual_seed(17)
    export_head("refused_head_on_h_n", HeadOnLastState(torch.nn.LSTM(3, 5, num_layers=2), torch.nn.Linear(5, 2)),
                torch.randn(6, 2, 3), expected=False)
    torch.manual_seed(18)
    export_head("refused_learned_h0", LearnedInitialState(torch.nn.LSTM(3, 5, num_layers=2), torch.nn.Linear(5, 2)),
                torch.randn(6, 2, 3), expected=False)

    # initial_h / initial_c of single_layer as constants [1, B, H]: zeros are accepted (same outputs), a non-zero
    # initial_h is refused
    single = onnx.load(os.path.join(OUT, "single_layer.onnx"))
    for name, h0 in (("initial_state_zero", np.zeros((1, 2, 5), np.float32)),
                     ("refused_initial_h_nonzero", np.full((1, 2, 5), 0.25, np.float32))):
        m = onnx.ModelProto()
        m.CopyFrom(single)
        node = lstm_nodes(m)[0]
        m.graph.initializer.append(numpy_helper.from_array(h0, "h0_const"))
        m.graph.initializer.append(numpy_helper.from_array(np.zeros((1, 2, 5), np.float32), "c0_const"))
        node.input[5] = "h0_const"
        node.input[6] = "c0_const"
        save(m, name)

    # initial_h as a graph input the caller feeds (a runtime value): not read, runs start from zero state
    m = onnx.ModelProto()
    m.CopyFrom(single)
    m.graph.input.append(onnx.helper.make_tensor_value_info("h0", onnx.TensorProto.FLOAT, [1, 2, 5]))
    lstm_nodes(m)[0].input[5] = "h0"
    save(m, "initial_h_graph_input")


if __name__ == "__main__":
    main()
