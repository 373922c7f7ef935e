#!/usr/bin/python3
"""Writes Keras 3 weight files from the golden PyTorch weights, for KerasWeightsTest.

Keras itself is not packaged by Debian, so this writes the files with h5py (Debian's python3-h5py) in the layout
that Keras 3's own `model.save_weights("x.weights.h5")` writes (keras/src/saving/saving_lib.py: `_save_state`,
`_save_container_state`, `H5IOStore`):

  /vars                         attrs {name: "sequential"}   the model's own variables (none)
  /layers/lstm/vars             attrs {name: <layer name>}   the LSTM layer's own variables (none)
  /layers/lstm/cell/vars/0      kernel            [I, 4H]   columns [i | f | c | o]
  /layers/lstm/cell/vars/1      recurrent_kernel  [H, 4H]
  /layers/lstm/cell/vars/2      bias              [4H]      only if use_bias
  /layers/lstm_1/cell/vars/...  the second LSTM of the Sequential (names come from the class, not the layer name)
  /layers/dense/vars/0, 1       kernel [Hout, K], bias [K]

Each group's `vars` gets the `name` attribute that Keras >= 3.6 writes; older Keras 3 writes the same groups without
it. `x.config.json` beside each file is what `model.to_json()` gives (the `config.json` of a `.keras` archive), and
`sine_next_step.keras` is a whole `.keras` archive (a zip of config.json, metadata.json and model.weights.h5).

PyTorch -> Keras: kernel = weight_ih.T, recurrent_kernel = weight_hh.T (same gate order i, f, g/c, o),
bias = bias_ih + bias_hh (Keras has one bias), Dense kernel = head.weight.T.

Run from the repository root: /usr/bin/python3 src/test/resources/models/keras/make_keras_models.py
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

GOLDEN = "src/test/resources/golden"
OUT = os.path.dirname(os.path.abspath(__file__))


def lstm_layer_config(name, units, use_bias, return_sequences, activation="tanh", recurrent_activation="sigmoid"):
    return {
        "module": "keras.layers",
        "class_name": "LSTM",
        "config": {
            "name": name, "trainable": True, "dtype": "float32",
            "return_sequences": return_sequences, "return_state": False, "go_backwards": False,
            "stateful": False, "unroll": False, "zero_output_for_mask": False,
            "units": units, "activation": activation, "recurrent_activation": recurrent_activation,
            "use_bias": use_bias, "unit_forget_bias": True,
            "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                   "config": {"seed": None}, "registered_name": None},
            "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None,
        },
        "registered_name": None,
    }


def dense_layer_config(name, units):
    return {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {"name": name, "trainable": True, "dtype": "float32", "units": units, "activation": "linear",
                   "use_bias": True},
        "registered_name": None,
    }


def model_config(input_size, layers):
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential", "trainable": True, "dtype": "float32",
            "layers": [{"module": "keras.layers", "class_name": "InputLayer",
                        "config": {"batch_shape": [None, None, input_size], "dtype": "float32", "sparse": False,
                                   "name": "input_layer"}, "registered_name": None}] + layers,
        },
        "registered_name": None,
        "build_config": {"input_shape": [None, None, input_size]},
    }


def vars_group(f, path, name):
    g = f.create_group(path + "/vars" if path else "vars")
    g.attrs["name"] = name
    return g


def write_h5(target, lstm_layers, dense=None, optimizer_vars=0):
    """lstm_layers: list of (name, kernel, recurrent_kernel, bias or None); dense: (name, kernel, bias) or None."""
    with h5py.File(target, "w") as f:
        vars_group(f, "", "sequential")
        for k, (name, kernel, rec, bias) in enumerate(lstm_layers):
            path = "layers/lstm" if k == 0 else "layers/lstm_%d" % k
            vars_group(f, path, name)
            cell = vars_group(f, path + "/cell", "lstm_cell")
            cell["0"] = kernel
            cell["1"] = rec
            if bias is not None:
                cell["2"] = bias
        if dense is not None:
            name, kernel, bias = dense
            g = vars_group(f, "layers/dense", name)
            g["0"] = kernel
            g["1"] = bias
        if optimizer_vars:
            # a compiled model's Adam state: iterations, learning rate, moments; the reader must skip it
            g = vars_group(f, "optimizer", "adam")
            g["0"] = np.array(5, dtype=np.int64)
            for i in range(1, optimizer_vars + 1):
                g[str(i)] = np.zeros((3,), dtype=np.float32)


def f32(t):
    return np.array(t["data"], dtype=np.float32).reshape(t["shape"])


def lstm_from_params(params, layers, prefix="", names=None):
    out = []
    for l in range(layers):
        w_ih = f32(params[prefix + "weight_ih_l%d" % l])
        w_hh = f32(params[prefix + "weight_hh_l%d" % l])
        bias = None
        if prefix + "bias_ih_l%d" % l in params:
            bias = f32(params[prefix + "bias_ih_l%d" % l]) + f32(params[prefix + "bias_hh_l%d" % l])
        name = names[l] if names else ("lstm" if l == 0 else "lstm_%d" % l)
        out.append((name, np.ascontiguousarray(w_ih.T), np.ascontiguousarray(w_hh.T), bias))
    return out


def golden_case(case):
    with open(os.path.join(GOLDEN, "lstm", case + ".json")) as fh:
        c = json.load(fh)
    cfg = c["config"]
    layers = lstm_from_params(c["params"], cfg["num_layers"])
    h5 = os.path.join(OUT, case + ".weights.h5")
    write_h5(h5, layers)
    conf = model_config(cfg["input_size"], [
        lstm_layer_config(layers[l][0], cfg["hidden_size"], cfg["bias"], True) for l in range(cfg["num_layers"])])
    with open(os.path.join(OUT, case + ".config.json"), "w") as fh:
        json.dump(conf, fh, indent=1)


def sine():
    with open(os.path.join(GOLDEN, "train", "sine_next_step.json")) as fh:
        c = json.load(fh)
    p = c["params"]
    layers = lstm_from_params(p, 1, prefix="lstm.", names=["encoder"])
    dense = ("head", np.ascontiguousarray(f32(p["head.weight"]).T), f32(p["head.bias"]))
    conf = model_config(1, [lstm_layer_config("encoder", 8, True, True), dense_layer_config("head", 1)])
    h5 = os.path.join(OUT, "sine_next_step.weights.h5")
    write_h5(h5, layers, dense, optimizer_vars=4)
    with open(os.path.join(OUT, "sine_next_step.config.json"), "w") as fh:
        json.dump(conf, fh, indent=1)
    # The .keras archive, as saving_lib.save_model writes it: metadata.json, config.json, model.weights.h5
    buf = io.BytesIO()
    write_h5(buf, layers, dense)
    with zipfile.ZipFile(os.path.join(OUT, "sine_next_step.keras"), "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.x (layout from saving_lib.py)",
                                                "date_saved": "generated"}))
        z.writestr("config.json", json.dumps(conf))
        z.writestr("model.weights.h5", buf.getvalue())


def mixed_units():
    """Two stacked LSTMs of different sizes, which this project's LstmConfig cannot hold (one hidden size)."""
    rng = np.random.default_rng(7)
    a = ("lstm", rng.standard_normal((3, 20), dtype=np.float32), rng.standard_normal((5, 20), dtype=np.float32),
         np.zeros(20, np.float32))
    b = ("lstm_1", rng.standard_normal((5, 16), dtype=np.float32), rng.standard_normal((4, 16), dtype=np.float32),
         np.zeros(16, np.float32))
    write_h5(os.path.join(OUT, "mixed_units.weights.h5"), [a, b])


if __name__ == "__main__":
    for case in ["a_single_layer", "b_initial_state", "c_no_bias", "d_three_layers", "i2_streaming_2layer",
                 "k_extreme_inputs"]:
        golden_case(case)
    sine()
    mixed_units()
