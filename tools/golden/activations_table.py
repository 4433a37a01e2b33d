"""The activations family as gen_activations.py reads it from the op table (tools/optable.py: the
ops, their input and output names, attr defaults and spec tolerances come from the Java table,
src/main/java/io/jkernels/table/families/ActivationsTable.java), and what the generator's own
formulas cover, checked against the table before anything is written (check). Standard library
only, so that `gen_activations.py --check-table` runs without NumPy or PyTorch. Not a script.

What stays here is what the generator knows on its own, the independent side of the cross-check:
which activations it has a PyTorch evaluation and a NumPy closed form for (activations_ops.py),
whether each is unary (input) or gated (gate, up), which have a backward, which attrs each formula
reads, and the attr variants it writes cases for. The table and this file must name the same ops
with the same inputs, outputs and attrs, or check fails with every difference.
"""

from optable import TableError

FAMILY = "activations"

# forward ops with a PyTorch evaluation and a closed form in activations_ops.py
UNARY = ["relu", "sigmoid", "tanh", "gelu", "silu", "leaky_relu", "elu", "softplus", "heaviside"]
GATED = ["swiglu", "geglu", "reglu", "glu"]
NO_BACKWARD = {"heaviside"}

# the attrs each formula reads, per forward op (its backward reads the same)
FORMULA_ATTRS = {
    "gelu": ["approximate"],
    "geglu": ["approximate"],
    "leaky_relu": ["negative_slope"],
    "elu": ["alpha"],
    "softplus": ["beta", "threshold"],
    "heaviside": ["value"],
}

# attribute variants: (case-name suffix, attrs written into case.json), per forward op
VARIANTS = {
    "gelu": [("", {}), ("tanh", {"approximate": "tanh"})],
    "geglu": [("", {}), ("tanh", {"approximate": "tanh"})],
    "leaky_relu": [("", {}), ("slope_0p2", {"negative_slope": 0.2}),
                   ("slope_neg0p5", {"negative_slope": -0.5})],
    "elu": [("", {}), ("alpha_0p5", {"alpha": 0.5}), ("alpha_2", {"alpha": 2.0})],
    "softplus": [("", {}), ("beta_2_threshold_5", {"beta": 2.0, "threshold": 5.0}),
                 ("beta_0p5", {"beta": 0.5}), ("beta_neg1", {"beta": -1.0}),
                 ("threshold_50", {"threshold": 50.0})],
    "heaviside": [("", {}), ("value_0p5", {"value": 0.5}), ("value_1", {"value": 1.0})],
}

# (inputs, outputs) the evaluations take and give, by (gated, backward)
SIGNATURES = {
    (False, False): (["input"], ["output"]),
    (False, True): (["grad_output", "input"], ["grad_input"]),
    (True, False): (["gate", "up"], ["output"]),
    (True, True): (["grad_output", "gate", "up"], ["grad_gate", "grad_up"]),
}


def base_op(op):
    return op[: -len("_backward")] if op.endswith("_backward") else op


def is_backward(op):
    return op.endswith("_backward")


def formula_ops():
    """Every op the generator has formulas for: the forward ops and their backwards."""
    out = []
    for b in UNARY + GATED:
        out.append(b)
        if b not in NO_BACKWARD:
            out.append(b + "_backward")
    return out


def signature(op):
    """(inputs, outputs) of an op as the formulas see it."""
    return SIGNATURES[(base_op(op) in GATED, is_backward(op))]


def problems(table):
    """Every way the table's activations and the generator's formulas disagree (empty: none)."""
    ops = table.family_ops(FAMILY)
    known = formula_ops()
    out = ["op %s is in the table but the generator has no formula for it (activations_table.py, "
           "activations_ops.py)" % n for n in ops if n not in known]
    out += ["op %s has formulas here but is not an activation of the table" % n for n in known if n not in ops]
    for op in [n for n in known if n in ops]:
        ins, outs = signature(op)
        if table.inputs(op) != ins:
            out.append("op %s: the table's inputs %s, the generator's %s" % (op, table.inputs(op), ins))
        if table.outputs(op) != outs:
            out.append("op %s: the table's outputs %s, the generator's %s" % (op, table.outputs(op), outs))
        attrs = FORMULA_ATTRS.get(base_op(op), [])
        if sorted(table.attr_names(op)) != sorted(attrs):
            out.append("op %s: the table's attrs %s, the generator's formulas read %s"
                       % (op, table.attr_names(op), attrs))
        missing = [a for a in attrs if a not in table.attr_defaults(op)]
        if missing:
            out.append("op %s: no default in the table for %s" % (op, missing))
        for _, v in VARIANTS.get(base_op(op), []):
            for a in v:
                if a not in table.attr_names(op):
                    out.append("op %s: an attr variant sets %s, which the table's op does not take" % (op, a))
    return out


_table = None


def bind(table):
    """Checks the table against the formulas (TableError listing every problem) and makes it the
    one the functions below read."""
    global _table
    p = problems(table)
    if p:
        raise TableError("the op table (%s) and tools/golden/gen_activations.py disagree:\n  %s"
                         % (table.source, "\n  ".join(p)))
    _table = table
    return table


def bound():
    if _table is None:
        raise TableError("activations_table.bind(table) was not called")
    return _table


def ops():
    """The activations, in table order."""
    return list(bound().family_ops(FAMILY))


def input_names(op):
    return bound().inputs(op)


def output_names(op):
    return bound().outputs(op)


def attr_names(op):
    return bound().attr_names(op)


def attr_defaults(op):
    """{attr: default} of the op (the table's, typed: elu's alpha is 1.0)."""
    return bound().attr_defaults(op)


def full_attrs(op, attrs):
    a = attr_defaults(op)
    a.update(attrs)
    return a


def default_tol(op):
    """(rtol, atol) of OPS.md for the op: the table's spec tolerance."""
    return bound().tolerance(op)


def bit_exact(op):
    return bound().bit_exact(op)
