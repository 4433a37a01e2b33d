#!/usr/bin/python3
"""Golden-case generator for jkernels (conformance cases, ../shared/spec/OPS.md).

How to run (from the repository root; needs PyTorch and NumPy, e.g. Debian's python3-torch):

    /usr/bin/python3 tools/golden/gen_golden.py [--out DIR]

DIR defaults to src/test/resources/golden. The script deletes and rewrites only the family
directories it owns (FAMILIES below), then rewrites DIR/README.md (which lists every family
directory in DIR; golden_common.write_readme); anything else in DIR is left alone.
It is deterministic: every case draws from its own NumPy generator seeded with the CRC-32 of the
case name, so a rerun writes byte-identical files.

Format (OPS.md, "Conformance case format"): one directory per case holding case.json
{"op", "attrs", "inputs": {name: file}, "outputs": {name: file}, optional "rtol"/"atol"} or
{"op", "attrs", "inputs", "expect_error": true} and the .npy files (version 1.0, C order,
little-endian). Outputs are always `<f4`.

Rules this generator follows:
- Expected outputs are "the formula evaluated in float64": the float32 inputs (an `<f8` input is
  first rounded to float32, as the runner must do) are widened to float64, PyTorch's op is applied
  in float64 (autograd in float64 for the backward ops), and the result is rounded to float32.
- Every case is cross-checked before it is written: (a) PyTorch's float64 result against the
  closed form of OPS.md evaluated with NumPy in float64 (tight tolerance), and (b) PyTorch's
  float32 result against the expected output within the tolerance the case will be judged by.
  A disagreement aborts the script, so a generator mistake cannot produce a silent bad case.
- OPS.md rules that differ from plain PyTorch are applied explicitly: heaviside follows NumPy
  (heaviside(NaN) = NaN, heaviside(+-0) = value), relu(NaN) = NaN, relu_backward is
  threshold_backward (x <= 0 ? 0 : grad_output, so a NaN x passes grad_output through), glu is
  sigmoid(gate) * up with separate gate/up inputs.
- Only values whose result OPS.md pins down are compared: NaN inputs appear in every forward op
  (NaN must propagate); +-Inf inputs appear only for relu, relu_backward and heaviside (OPS.md leaves
  the value of the other activations at +-Inf unspecified). In the backward ops a NaN appears only
  where every reading of OPS.md gives the same answer; in particular no NaN input for elu_backward
  (x > 0 ? 1 : alpha e^x "as written" gives NaN, PyTorch's x <= 0 test gives grad_output), and no
  NaN gate, nor NaN up/grad_output at a gate <= 0, for reglu_backward (a select gives 0 where a
  multiplication gives NaN).
- Tolerances: the op defaults of OPS.md are used and not written, except in a few cases that spell
  them out (or tighten them) to exercise the rtol/atol fields. relu, leaky_relu, reglu and heaviside
  forward: rtol 1e-5, atol 1e-6; every other activation and every backward: rtol 1e-5, atol 1e-5.
- attrs hold only non-default values, except the *_explicit_defaults cases, which spell the
  defaults out.
- Error cases (expect_error, no outputs): integer and bool inputs, gate/up and grad_output shape
  mismatches, approximate="fast", an attr the op does not take, a missing and an extra input.
- Sizes stay small (largest input 1000 elements) so the whole set is a few hundred kB of data.
"""

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # golden_common sits beside this file
import golden_common as gc  # noqa: E402
from golden_common import F32, F64, INF, NAN, Case, assert_close, randn, rng_for, shape_tag  # noqa: E402

torch.set_grad_enabled(True)

FAMILIES = ["activations"]

# ----------------------------------------------------------------------------------------------
# Op table (OPS.md, Activations)
# ----------------------------------------------------------------------------------------------

UNARY = ["relu", "sigmoid", "tanh", "gelu", "silu", "leaky_relu", "elu", "heaviside"]
GATED = ["swiglu", "geglu", "reglu", "glu"]
NO_BACKWARD = {"heaviside"}
EXACT = {"relu", "leaky_relu", "reglu", "heaviside"}  # "exact up to one rounding"

# attr name -> default, per forward op (backward ops take the same attrs)
ATTR_DEFAULTS = {
    "gelu": {"approximate": "none"},
    "geglu": {"approximate": "none"},
    "leaky_relu": {"negative_slope": 0.01},
    "elu": {"alpha": 1.0},
    "heaviside": {"value": 0.0},
}

# attribute variants: (case-name suffix, attrs written into case.json)
VARIANTS = {
    "gelu": [("", {}), ("tanh", {"approximate": "tanh"})],
    "geglu": [("", {}), ("tanh", {"approximate": "tanh"})],
    "leaky_relu": [("", {}), ("slope_0p2", {"negative_slope": 0.2}),
                   ("slope_neg0p5", {"negative_slope": -0.5})],
    "elu": [("", {}), ("alpha_0p5", {"alpha": 0.5}), ("alpha_2", {"alpha": 2.0})],
    "heaviside": [("", {}), ("value_0p5", {"value": 0.5}), ("value_1", {"value": 1.0})],
}


def base_op(op):
    return op[: -len("_backward")] if op.endswith("_backward") else op


def is_backward(op):
    return op.endswith("_backward")


def default_tol(op):
    if not is_backward(op) and op in EXACT:
        return 1e-5, 1e-6
    return 1e-5, 1e-5


def full_attrs(op, attrs):
    a = dict(ATTR_DEFAULTS.get(base_op(op), {}))
    a.update(attrs)
    return a


def input_names(op):
    b = base_op(op)
    names = ["gate", "up"] if b in GATED else ["input"]
    return (["grad_output"] + names) if is_backward(op) else names


def output_names(op):
    if not is_backward(op):
        return ["output"]
    return ["grad_gate", "grad_up"] if base_op(op) in GATED else ["grad_input"]


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


# ----------------------------------------------------------------------------------------------
# Input values
# ----------------------------------------------------------------------------------------------

SPECIAL_FINITE = [0.0, -0.0, 1e-7, -1e-7, 1e-30, -1e-30, 1e-40, -1e-40, 0.5, -0.5, 1.0, -1.0,
                  2.0, -2.0, 3.0, -3.0, 6.0, -6.0, 20.0, -20.0, 50.0, -50.0, 88.0, -88.0,
                  100.0, -100.0]


def allows_inf(op):
    return base_op(op) in ("relu", "heaviside")


def special_vector(op, with_nan=True):
    v = list(SPECIAL_FINITE)
    if with_nan:
        v.append(NAN)
    if allows_inf(op):
        v += [INF, -INF]
    return np.array(v, dtype=F32)


def large_values(rng, shape):
    mag = rng.uniform(10.0, 100.0, size=shape)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return (mag * sign).astype(F32)


def tail_values(rng, n_each=8):
    parts = [rng.uniform(-100.0, -80.0, n_each), rng.uniform(-10.0, -5.0, n_each),
             rng.uniform(5.0, 10.0, n_each), rng.uniform(80.0, 100.0, n_each)]
    v = np.concatenate(parts)
    return v.astype(F32)


def bf16_round(x32):
    y = torch.from_numpy(np.ascontiguousarray(x32)).to(torch.bfloat16).to(torch.float32).numpy()
    assert (y.view(np.uint32) & 0xFFFF == 0).all()
    return y


def f64_values(rng, n):
    """float64 values that are not float32 values, plus rounding ties and values that round to
    +-0 in float32 (heaviside then gives `value`, which shows whether the input was rounded)."""
    v = rng.standard_normal(n) * 3.0
    ties = [1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24, -(1.0 + 2.0 ** -24), 1e-50, -1e-50]
    return np.concatenate([v, ties]).astype(F64)


def round_f32(arr):
    """how the runner reads a float input: <f4 as is, <f8 rounded to nearest even."""
    return np.asarray(arr).astype(F32)


# ----------------------------------------------------------------------------------------------
# Case building
# ----------------------------------------------------------------------------------------------

# (3, 5) is covered by the *_explicit_defaults and error cases
SHAPES_FULL = [(1,), (0,), (2, 0, 3), (7,), (7, 13, 5), (129,), (1000,)]
SHAPES_VARIANT = [(7, 13, 5)]


def make_inputs(op, kind, shape, rng):
    """Build the inputs of `op` for a value kind. Returns {name: array}."""
    b = base_op(op)
    bwd = is_backward(op)
    gated = b in GATED
    ins = {}
    if kind == "randn":
        if bwd:
            ins["grad_output"] = randn(rng, shape)
        if gated:
            ins["gate"] = randn(rng, shape)
            ins["up"] = randn(rng, shape)
        else:
            ins["input"] = randn(rng, shape)
        return ins
    if kind in ("extremes", "bf16"):
        if kind == "extremes":
            # |x| in 10..100 of both signs, then the tails [-100,-80], [-10,-5], [5,10], [80,100]
            x = np.concatenate([large_values(rng, (32,)), tail_values(rng)]).reshape(4, 16)
        else:
            x = bf16_round(np.concatenate([randn(rng, (30,)), large_values(rng, (5,))]))
        shp = x.shape
        if bwd:
            g = randn(rng, shp)
            ins["grad_output"] = bf16_round(g) if kind == "bf16" else g
        if gated:
            ins["gate"] = x
            u = randn(rng, shp)
            ins["up"] = bf16_round(u) if kind == "bf16" else u
        else:
            ins["input"] = x
        return ins
    if kind == "special":
        return special_inputs(op, rng)
    raise ValueError(kind)


def special_inputs(op, rng):
    """0, -0, tiny, subnormal, moderate and large values, NaN (and +-Inf where exact)."""
    b = base_op(op)
    bwd = is_backward(op)
    if b in GATED:
        nan_gate = not (bwd and b == "reglu")
        gate = special_vector(op, with_nan=nan_gate)
        up = randn(rng, gate.shape)
        # a block that puts the specials into `up`: NaN, 0 and -0 against gates of both signs
        g2 = np.array([1.5, -1.5, 0.0, -0.0, 2.5, -2.5, 0.75, -0.75], dtype=F32)
        u2 = np.array([NAN, NAN, NAN, NAN, 0.0, -0.0, -0.0, 0.0], dtype=F32)
        if bwd and b == "reglu":
            # a NaN up at a gate <= 0 gives 0 (select) or NaN (multiplication): not pinned down
            u2 = np.array([NAN, 1.25, -2.0, 0.5, 0.0, -0.0, -0.0, 0.0], dtype=F32)
        gate = np.concatenate([gate, g2])
        up = np.concatenate([up, u2])
        ins = {}
        if bwd:
            g = randn(rng, gate.shape)
            g[[2, 3]] = 0.0
            # NaN grad_output: at gate 1.0 (index 10) and, except for reglu, at gate -1.0 (11)
            g[10] = NAN
            if b != "reglu":
                g[11] = NAN
            ins["grad_output"] = g
        ins["gate"], ins["up"] = gate, up
        return ins
    nan_in = not (bwd and b == "elu")
    x = special_vector(op, with_nan=nan_in)
    ins = {}
    if bwd:
        g = randn(rng, x.shape)
        g[[2, 3]] = 0.0
        g[10] = NAN  # at x = 1.0
        g[11] = NAN  # at x = -1.0 (relu_backward: 0 by the select)
        ins["grad_output"] = g
    ins["input"] = x
    return ins


def gen_op_cases(op):
    """All cases of one op (forward or backward), over its attr variants."""
    b = base_op(op)
    cases = []
    variants = VARIANTS.get(b, [("", {})])
    for vi, (vname, vattrs) in enumerate(variants):
        prefix = op + ("_" + vname if vname else "")
        shapes = SHAPES_FULL if vi == 0 else SHAPES_VARIANT
        for shape in shapes:
            name = f"{prefix}_randn_{shape_tag(shape)}"
            cases.append(Case(name, op, dict(vattrs), make_inputs(op, "randn", shape, rng_for(name))))
        for kind, shape in (("special", None), ("extremes", None)):
            name = f"{prefix}_{kind}"
            cases.append(Case(name, op, dict(vattrs), make_inputs(op, kind, shape, rng_for(name))))
        if vi == 0:
            name = f"{prefix}_bf16_values"
            cases.append(Case(name, op, dict(vattrs), make_inputs(op, "bf16", None, rng_for(name))))
        if vi != 0:
            continue
        # an <f8 input (the runner rounds it to float32 first)
        name = f"{prefix}_f8_input"
        rng = rng_for(name)
        ins = make_inputs(op, "randn", (1,), rng)  # just for the names
        x8 = f64_values(rng, 12)
        for k in ins:
            if k in ("input", "gate"):
                ins[k] = x8
            else:  # up, grad_output: <f8 too for backward, <f4 for the forward gated ops
                v = rng.standard_normal(x8.shape) * 3.0
                ins[k] = v.astype(F64) if is_backward(op) else v.astype(F32)
        cases.append(Case(name, op, dict(vattrs), ins))

    # defaults spelled out
    if b in ATTR_DEFAULTS:
        name = f"{op}_explicit_defaults"
        cases.append(Case(name, op, dict(ATTR_DEFAULTS[b]),
                          make_inputs(op, "randn", (3, 5), rng_for(name))))

    cases += error_cases(op)
    return cases


def error_cases(op):
    b = base_op(op)
    bwd = is_backward(op)
    names = input_names(op)
    cases = []

    def base_inputs(name, shape=(3, 5)):
        rng = rng_for(name)
        return {n: randn(rng, shape) for n in names}

    # dtype errors: int32, int64, bool in the (first) op input and in grad_output
    main = "gate" if b in GATED else "input"
    dtype_errors = [("i4", lambda a: np.round(a).astype("<i4")),
                    ("i8", lambda a: np.round(a).astype("<i8")),
                    ("b1", lambda a: a > 0)]
    if bwd:  # backward: int32 op input here, bool grad_output below
        dtype_errors = dtype_errors[:1]
    for tag, conv in dtype_errors:
        name = f"{op}_error_{tag}_{main}"
        ins = base_inputs(name)
        ins[main] = conv(ins[main])
        cases.append(Case(name, op, {}, ins, expect_error=True))
    if b in GATED:
        name = f"{op}_error_i8_up"
        ins = base_inputs(name)
        ins["up"] = np.round(ins["up"]).astype("<i8")
        cases.append(Case(name, op, {}, ins, expect_error=True))
    if bwd:
        for tag, conv in (("b1", lambda a: a > 0),):
            name = f"{op}_error_{tag}_grad_output"
            ins = base_inputs(name)
            ins["grad_output"] = conv(ins["grad_output"])
            cases.append(Case(name, op, {}, ins, expect_error=True))

    # shape mismatches
    if b in GATED:
        for tag, ushape in (("transposed", (5, 3)), ("broadcastable", (5,))):
            name = f"{op}_error_shape_up_{tag}"
            rng = rng_for(name)
            ins = base_inputs(name)
            ins["up"] = randn(rng, ushape)
            cases.append(Case(name, op, {}, ins, expect_error=True))
    if bwd:
        for tag, gshape in (("transposed", (5, 3)), ("bigger", (4, 5))):
            name = f"{op}_error_shape_grad_output_{tag}"
            rng = rng_for(name)
            ins = base_inputs(name)
            ins["grad_output"] = randn(rng, gshape)
            cases.append(Case(name, op, {}, ins, expect_error=True))

    # attr domain / unknown attr
    if b in ("gelu", "geglu"):
        name = f"{op}_error_approximate_fast"
        cases.append(Case(name, op, {"approximate": "fast"}, base_inputs(name), expect_error=True))
    return cases


def misc_error_cases():
    """An attr the op does not take, a missing input, an extra input (General rules)."""
    out = []

    def r(name, names, shape=(3, 5)):
        rng = rng_for(name)
        return {n: randn(rng, shape) for n in names}

    out.append(Case("relu_error_unknown_attr_negative_slope", "relu", {"negative_slope": 0.1},
                    r("relu_error_unknown_attr_negative_slope", ["input"]), expect_error=True))
    out.append(Case("sigmoid_error_unknown_attr_approximate", "sigmoid", {"approximate": "none"},
                    r("sigmoid_error_unknown_attr_approximate", ["input"]), expect_error=True))
    out.append(Case("swiglu_error_unknown_attr_approximate", "swiglu", {"approximate": "tanh"},
                    r("swiglu_error_unknown_attr_approximate", ["gate", "up"]), expect_error=True))
    out.append(Case("elu_backward_error_unknown_attr_negative_slope", "elu_backward",
                    {"negative_slope": 0.1},
                    r("elu_backward_error_unknown_attr_negative_slope", ["grad_output", "input"]),
                    expect_error=True))
    out.append(Case("swiglu_error_missing_up", "swiglu", {},
                    r("swiglu_error_missing_up", ["gate"]), expect_error=True))
    out.append(Case("relu_error_extra_input_up", "relu", {},
                    r("relu_error_extra_input_up", ["input", "up"]), expect_error=True))
    out.append(Case("relu_backward_error_missing_grad_output", "relu_backward", {},
                    r("relu_backward_error_missing_grad_output", ["input"]), expect_error=True))
    out.append(Case("glu_backward_error_missing_up", "glu_backward", {},
                    r("glu_backward_error_missing_up", ["grad_output", "gate"]), expect_error=True))
    out.append(Case("tanh_error_input_named_x", "tanh", {},
                    r("tanh_error_input_named_x", ["x"]), expect_error=True))
    return out


def explicit_tolerance_cases():
    out = []

    def add(name, op, attrs, shape, rtol, atol):
        ins = make_inputs(op, "randn", shape, rng_for(name))
        out.append(Case(name, op, attrs, ins, rtol=rtol, atol=atol))

    add("relu_explicit_tol_exact_3x5", "relu", {}, (3, 5), 0.0, 0.0)  # relu is exact
    add("heaviside_value_0p5_explicit_tol_exact_7", "heaviside", {"value": 0.5}, (7,), 0.0, 0.0)
    add("gelu_explicit_tol_default_7x13x5", "gelu", {"approximate": "none"}, (7, 13, 5), 1e-5, 1e-5)
    add("leaky_relu_explicit_tol_default_129", "leaky_relu", {}, (129,), 1e-5, 1e-6)
    add("silu_backward_explicit_tol_loose_129", "silu_backward", {}, (129,), 1e-4, 1e-4)
    add("geglu_backward_tanh_explicit_tol_default_3x5", "geglu_backward",
        {"approximate": "tanh"}, (3, 5), 1e-5, 1e-5)
    return out


# ----------------------------------------------------------------------------------------------
# Evaluation, checks and writing
# ----------------------------------------------------------------------------------------------

def expected_for(case):
    """Expected float32 outputs, with all cross-checks."""
    op, attrs = case.op, case.attrs
    b = base_op(op)
    ins32 = {k: round_f32(v) for k, v in case.inputs.items()}
    rtol, atol = default_tol(op)
    if case.rtol is not None:
        rtol, atol = case.rtol, case.atol

    closed = closed_eval(op, attrs, ins32)
    if b == "heaviside":
        # NumPy semantics (OPS.md): heaviside(NaN) = NaN, heaviside(+-0) = value
        x = ins32["input"].astype(F64)
        exp64 = {"output": np.heaviside(x, float(full_attrs(op, attrs)["value"]))}
        # torch agrees except at NaN (torch gives 0 there)
        t64 = torch_eval(op, attrs, ins32, torch.float64)["output"]
        t32 = torch_eval(op, attrs, ins32, torch.float32)["output"]
        nan = np.isnan(x)
        assert (t64[nan] == 0).all()
        assert_close(np.where(nan, np.nan, t64), exp64["output"], 0, 0, case.name + " torch f64 heaviside")
        assert_close(np.where(nan, np.nan, t32), exp64["output"], 0, 0, case.name + " torch f32 heaviside")
    else:
        exp64 = torch_eval(op, attrs, ins32, torch.float64)
        t32 = torch_eval(op, attrs, ins32, torch.float32)
        for k in exp64:
            assert_close(t32[k], exp64[k].astype(F32), rtol, atol, f"{case.name}:{k} torch f32 vs f64")
    for k in exp64:
        assert_close(exp64[k], closed[k], 1e-9, 1e-12, f"{case.name}:{k} torch f64 vs closed form")
    return {k: exp64[k].astype(F32) for k in output_names(op)}


def activation_cases():
    cases = []
    for b in UNARY + GATED:
        cases += gen_op_cases(b)
        if b not in NO_BACKWARD:
            cases += gen_op_cases(b + "_backward")
    cases += explicit_tolerance_cases()
    cases += misc_error_cases()
    return cases


def expected_f4(case):
    return {k: v.astype("<f4") for k, v in expected_for(case).items()}


def main():
    root = gc.parse_out(__doc__.split("\n")[0])
    os.makedirs(root, exist_ok=True)
    for fam in FAMILIES:
        gc.reset_dir(os.path.join(root, fam))

    cases = activation_cases()
    for c in cases:
        gc.write_case(os.path.join(root, "activations"), c, expected_f4)
    gc.write_readme(root)
    counts = gc.tally(cases)
    total = sum(v[0] for v in counts.values())
    errs = sum(v[1] for v in counts.values())
    gc.print_tally(counts, 22)
    print(f"wrote {total} cases ({errs} expect_error) under {root}")


if __name__ == "__main__":
    sys.exit(main())
