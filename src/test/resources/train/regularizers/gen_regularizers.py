#!/usr/bin/env python3
"""Writes regularizers.json: Keras-style LSTM penalties and constraints computed by PyTorch (float64).

For each case: an nn.LSTM + nn.Linear head with random weights, one batch (x [T,B,I] time-major, y [T,B,K]), and
  loss     = MSE(head(lstm(x)), y) + penalty
  penalty  = sum over layers/directions of  R_k(weight_ih) + R_r(weight_hh) + R_b(bias_ih + bias_hh)
             with R(w) = l1*sum|w| + l2*sum w^2   (Keras 3's L1L2)
  grads    = autograd of loss w.r.t. every state_dict tensor
  after_step = the tensors after one torch.optim.Adam step on that loss, then the Keras constraints (Keras 3's
             formulas written out below, on Keras' layout: kernel = weight_ih.T [I, 4H], recurrent kernel =
             weight_hh.T, bias = bias_ih + bias_hh stored back as bias_ih = c(b) - bias_hh).
A zero weight and a bias pair that sums to exactly zero check that d|w|/dw = 0 at w = 0 (torch's sgn).

Run from the repository root:  /usr/bin/python3 src/test/resources/train/regularizers/gen_regularizers.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
EPS = 1e-7  # keras.backend.epsilon()


def max_norm(w, max_value, axis):
    norms = torch.sqrt(torch.sum(w * w, dim=axis, keepdim=True))
    return w * (torch.clamp(norms, 0, max_value) / (EPS + norms))


def unit_norm(w, axis):
    norms = torch.sqrt(torch.sum(w * w, dim=axis, keepdim=True))
    return w / (EPS + norms)


def non_neg(w):
    return torch.clamp(w, min=0)


def apply(c, w):
    if c is None:
        return w
    if c["kind"] == "max_norm":
        return max_norm(w, c["max_value"], tuple(c["axis"]))
    if c["kind"] == "unit_norm":
        return unit_norm(w, tuple(c["axis"]))
    return non_neg(w)


def reg(r, w):
    if r is None:
        return w.new_zeros(())
    return r["l1"] * w.abs().sum() + r["l2"] * (w * w).sum()


def case(name, seed, inp, hidden, layers, bidirectional, proj, t, b, regs, cons, lr):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(inp, hidden, num_layers=layers, bidirectional=bidirectional, proj_size=proj)
    hout = (proj if proj > 0 else hidden) * (2 if bidirectional else 1)
    head = torch.nn.Linear(hout, inp)
    with torch.no_grad():
        lstm.weight_ih_l0[0, 0] = 0.0            # |w| at 0
        lstm.bias_ih_l0[1] = -lstm.bias_hh_l0[1]  # a bias sum of exactly 0
    x = torch.randn(t, b, inp)
    y = torch.randn(t, b, inp)
    params = dict([("lstm." + k, v) for k, v in lstm.named_parameters()]
                  + [("head." + k, v) for k, v in head.named_parameters()])
    state = {k: v.detach().clone().reshape(-1).tolist() for k, v in params.items()}

    def penalty():
        p = torch.zeros(())
        suffixes = [f"_l{l}{'_reverse' if d else ''}" for l in range(layers) for d in range(2 if bidirectional else 1)]
        for s in suffixes:
            p = p + reg(regs["kernel"], getattr(lstm, "weight_ih" + s))
            p = p + reg(regs["recurrent"], getattr(lstm, "weight_hh" + s))
            p = p + reg(regs["bias"], getattr(lstm, "bias_ih" + s) + getattr(lstm, "bias_hh" + s))
        return p, suffixes

    out = head(lstm(x)[0])
    mse = torch.nn.functional.mse_loss(out, y)
    pen, suffixes = penalty()
    loss = mse + pen
    opt = torch.optim.Adam(list(params.values()), lr=lr)
    opt.zero_grad()
    loss.backward()
    grads = {k: v.grad.detach().clone().reshape(-1).tolist() for k, v in params.items()}
    opt.step()
    with torch.no_grad():
        for s in suffixes:
            wih = getattr(lstm, "weight_ih" + s)
            wih.copy_(apply(cons["kernel"], wih.T).T)
            whh = getattr(lstm, "weight_hh" + s)
            whh.copy_(apply(cons["recurrent"], whh.T).T)
            bih = getattr(lstm, "bias_ih" + s)
            bhh = getattr(lstm, "bias_hh" + s)
            bih.copy_(apply(cons["bias"], bih + bhh) - bhh)
    after = {k: v.detach().clone().reshape(-1).tolist() for k, v in params.items()}
    return {
        "name": name, "input_size": inp, "hidden_size": hidden, "num_layers": layers,
        "bidirectional": bidirectional, "proj_size": proj, "seq_len": t, "batch": b, "lr": lr,
        "regularizers": regs, "constraints": cons,
        "state": state, "x": x.reshape(-1).tolist(), "y": y.reshape(-1).tolist(),
        "mse": mse.item(), "penalty": pen.item(), "loss": loss.item(), "grads": grads, "after_step": after,
    }


def main():
    cases = [
        case("bidirectional-2-layers", 11, 3, 4, 2, True, 0, 5, 2,
             {"kernel": {"l1": 0.01, "l2": 0.02}, "recurrent": {"l1": 0.0, "l2": 0.03},
              "bias": {"l1": 0.05, "l2": 0.0}},
             {"kernel": {"kind": "max_norm", "max_value": 0.5, "axis": [0]},
              "recurrent": {"kind": "unit_norm", "axis": [1]},
              "bias": {"kind": "non_neg"}},
             0.05),
        case("projection", 12, 2, 5, 1, False, 3, 4, 3,
             {"kernel": {"l1": 0.02, "l2": 0.0}, "recurrent": {"l1": 0.01, "l2": 0.01}, "bias": None},
             {"kernel": {"kind": "unit_norm", "axis": [0, 1]},
              "recurrent": {"kind": "max_norm", "max_value": 0.3, "axis": [-1]},
              "bias": {"kind": "max_norm", "max_value": 0.4, "axis": [0]}},
             0.01),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "regularizers.json"), "w") as f:
        json.dump({"generator": "gen_regularizers.py", "torch": torch.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
