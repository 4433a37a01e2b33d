"""The cases of the activations family, for gen_activations.py: input values (special,
extreme, bfloat16-exact and float64 inputs), the cases of each op over its attr variants and
shapes, and the expect_error cases. Not a script; gen_activations.py's header says what the cases
cover and why.
"""

import numpy as np
import torch

from activations_table import (GATED, VARIANTS, attr_defaults, attr_names, base_op, bit_exact, input_names,
                               is_backward, ops)
from golden_common import F32, F64, INF, NAN, Case, randn, rng_for, shape_tag

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

    # defaults spelled out (the op table's)
    defaults = attr_defaults(op)
    if defaults:
        name = f"{op}_explicit_defaults"
        cases.append(Case(name, op, defaults, make_inputs(op, "randn", (3, 5), rng_for(name))))

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
    if b == "softplus":
        name = f"{op}_error_beta_0"
        cases.append(Case(name, op, {"beta": 0.0}, base_inputs(name), expect_error=True))
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
    for c in out:  # each is wrong by the op table: an attr the op does not take, or other input names
        if all(a in attr_names(c.op) for a in c.attrs) and list(c.inputs) == input_names(c.op):
            raise AssertionError(f"{c.name}: a valid call of {c.op} by the op table, not an error case")
    return out


def explicit_tolerance_cases():
    out = []

    def add(name, op, attrs, shape, rtol, atol):
        if rtol == 0 and atol == 0 and not bit_exact(op):
            raise AssertionError(f"{name}: tolerance 0 for {op}, which the op table does not call bit_exact")
        ins = make_inputs(op, "randn", shape, rng_for(name))
        out.append(Case(name, op, attrs, ins, rtol=rtol, atol=atol))

    add("relu_explicit_tol_exact_3x5", "relu", {}, (3, 5), 0.0, 0.0)  # relu is bit_exact
    add("heaviside_value_0p5_explicit_tol_exact_7", "heaviside", {"value": 0.5}, (7,), 0.0, 0.0)
    add("gelu_explicit_tol_default_7x13x5", "gelu", {"approximate": "none"}, (7, 13, 5), 1e-5, 1e-5)
    add("leaky_relu_explicit_tol_default_129", "leaky_relu", {}, (129,), 1e-5, 1e-6)
    add("silu_backward_explicit_tol_loose_129", "silu_backward", {}, (129,), 1e-4, 1e-4)
    add("geglu_backward_tanh_explicit_tol_default_3x5", "geglu_backward",
        {"approximate": "tanh"}, (3, 5), 1e-5, 1e-5)
    return out


def activation_cases():
    """Every case, over the activations of the op table (activations_table.bind checked that the
    generator has formulas for each)."""
    cases = []
    for op in ops():
        cases += gen_op_cases(op)
    cases += explicit_tolerance_cases()
    cases += misc_error_cases()
    return cases
