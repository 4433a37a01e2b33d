"""The two evaluations of the activations family (OPS.md "Activations"), for gen_activations.py:
PyTorch (float64 for the expected values, float32 for the tolerance check) and OPS.md's closed
forms in NumPy float64 (the independent check of the PyTorch results). The ops, their inputs,
outputs and attr defaults come from the op table (activations_table.py, which also lists the ops
these formulas cover). Not a script; gen_activations.py's header gives the rules both follow.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from activations_table import GATED, base_op, full_attrs, is_backward
from golden_common import assert_close

torch.set_grad_enabled(True)

# ----------------------------------------------------------------------------------------------
# PyTorch evaluation (float64 for the expected values, float32 for the cross-check)
# ----------------------------------------------------------------------------------------------

def t_unary(op, a, x):
    if op == "relu":
        return F.relu(x)
    if op == "sigmoid":
        return torch.sigmoid(x)
    if op == "tanh":
        return torch.tanh(x)
    if op == "gelu":
        return F.gelu(x, approximate=a["approximate"])
    if op == "silu":
        return F.silu(x)
    if op == "leaky_relu":
        return F.leaky_relu(x, a["negative_slope"])
    if op == "elu":
        return F.elu(x, a["alpha"])
    if op == "softplus":
        return F.softplus(x, beta=a["beta"], threshold=a["threshold"])
    raise ValueError(op)


def t_gated(op, a, gate, up):
    if op == "swiglu":
        return F.silu(gate) * up
    if op == "geglu":
        return F.gelu(gate, approximate=a["approximate"]) * up
    if op == "reglu":
        return F.relu(gate) * up
    if op == "glu":
        # torch's F.glu(x) = first_half * sigmoid(second_half): gate is the second half
        return F.glu(torch.cat([up, gate], dim=-1), dim=-1)
    raise ValueError(op)


def t_forward(op, a, ins):
    if op in GATED:
        return t_gated(op, a, ins["gate"], ins["up"])
    return t_unary(op, a, ins["input"])


def torch_eval(op, attrs, ins_np, dtype):
    """ins_np: float32-valued numpy arrays. Returns {output name: numpy array of dtype}."""
    a = full_attrs(op, attrs)
    b = base_op(op)
    ins = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64)).to(dtype)
           for k, v in ins_np.items()}
    if b == "heaviside":
        assert not is_backward(op)
        out = torch.heaviside(ins["input"], torch.tensor(a["value"], dtype=dtype))
        return {"output": out.numpy()}
    if not is_backward(op):
        with torch.no_grad():
            return {"output": t_forward(b, a, ins).numpy()}
    g = ins.pop("grad_output")
    leaves = {k: v.clone().requires_grad_(True) for k, v in ins.items()}
    y = t_forward(b, a, leaves)
    names = list(leaves)
    grads = torch.autograd.grad(y, [leaves[n] for n in names], grad_outputs=g,
                                allow_unused=True)
    res = {}
    for n, gr in zip(names, grads):
        if gr is None:
            gr = torch.zeros_like(leaves[n])
        res["grad_" + n] = gr.detach().numpy()
    if b == "relu":
        # relu_backward is threshold_backward by definition: check autograd agrees
        tb = torch.ops.aten.threshold_backward(g, ins["input"], 0.0).numpy()
        assert_close(res["grad_input"], tb, 0, 0, "autograd relu vs threshold_backward")
    return res


# ----------------------------------------------------------------------------------------------
# Closed forms of OPS.md in NumPy float64 (independent check of the torch results)
# ----------------------------------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])
K_TANH = math.sqrt(2.0 / math.pi)
C_TANH = 0.044715


def c_sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def c_f(op, a, x):
    """forward activation (of the gate for gated ops)"""
    if op in ("relu", "reglu"):
        return np.maximum(x, 0.0)  # NaN-propagating max
    if op in ("sigmoid", "glu"):
        return c_sig(x)
    if op == "tanh":
        return np.tanh(x)
    if op in ("gelu", "geglu"):
        if a["approximate"] == "none":
            return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
        return 0.5 * x * (1.0 + np.tanh(K_TANH * (x + C_TANH * x ** 3)))
    if op in ("silu", "swiglu"):
        return x * c_sig(x)
    if op == "leaky_relu":
        return np.where(x > 0, x, a["negative_slope"] * x)
    if op == "elu":
        return np.where(x > 0, x, a["alpha"] * np.expm1(x))
    if op == "softplus":
        # log(1 + e^bx) as written (log1p for the tail), capped where e^bx would overflow
        bx = a["beta"] * x
        return np.where(bx > a["threshold"], x, np.log1p(np.exp(np.minimum(bx, 700.0))) / a["beta"])
    if op == "heaviside":
        return np.where(np.isnan(x), np.nan,
                        np.where(x > 0, 1.0, np.where(x < 0, 0.0, a["value"])))
    raise ValueError(op)


def c_df(op, a, x):
    """derivative f'(x) (comparisons as written in OPS.md)"""
    if op in ("relu", "reglu"):
        return np.where(x > 0, 1.0, 0.0)
    if op in ("sigmoid", "glu"):
        s = c_sig(x)
        return s * (1.0 - s)
    if op == "tanh":
        t = np.tanh(x)
        return 1.0 - t * t
    if op in ("gelu", "geglu"):
        if a["approximate"] == "none":
            cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
            pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
            return cdf + x * pdf
        u = K_TANH * (x + C_TANH * x ** 3)
        t = np.tanh(u)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * K_TANH * (1.0 + 3.0 * C_TANH * x * x)
    if op in ("silu", "swiglu"):
        s = c_sig(x)
        return s * (1.0 + x * (1.0 - s))
    if op == "leaky_relu":
        return np.where(x > 0, 1.0, a["negative_slope"])
    if op == "elu":
        return np.where(x > 0, 1.0, a["alpha"] * np.exp(x))
    if op == "softplus":
        bx = a["beta"] * x
        return np.where(bx > a["threshold"], 1.0, c_sig(bx))
    raise ValueError(op)


def closed_eval(op, attrs, ins):
    a = full_attrs(op, attrs)
    b = base_op(op)
    ins = {k: np.asarray(v, dtype=np.float64) for k, v in ins.items()}
    with np.errstate(all="ignore"):
        if not is_backward(op):
            if b in GATED:
                return {"output": c_f(b, a, ins["gate"]) * ins["up"]}
            return {"output": c_f(b, a, ins["input"])}
        g = ins["grad_output"]
        if b in GATED:
            gate, up = ins["gate"], ins["up"]
            return {"grad_gate": g * up * c_df(b, a, gate), "grad_up": g * c_f(b, a, gate)}
        x = ins["input"]
        if b == "relu":
            return {"grad_input": np.where(x <= 0, 0.0, g)}  # threshold_backward
        return {"grad_input": g * c_df(b, a, x)}
