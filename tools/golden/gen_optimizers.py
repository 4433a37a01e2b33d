#!/usr/bin/python3
"""Golden-case generator for jkernels' optimizers family (adamw, adam; OPS.md "Optimizers").

How to run (from the repository root; needs PyTorch and NumPy, e.g. Debian's python3-torch):

    /usr/bin/python3 tools/golden/gen_optimizers.py [--out DIR] [--table FILE]

DIR defaults to src/test/resources/golden. The script deletes and rewrites only DIR/optimizers,
then rewrites DIR/README.md (golden_common.write_readme). FILE is the op table (tools/optable.py;
default $JK_OPTABLE, else `java -jar target/jkernels.jar info --json`): DEFAULTS and the default
tolerance below must be its, and every case written must name its ops, inputs and outputs
(golden_common.check_family).
It is deterministic: every case draws from its own NumPy generator seeded with the CRC-32 of the
case name, so a rerun writes byte-identical files. Conventions as tools/golden/gen_activations.py.

Expected outputs: one step of torch.optim's functional adamw / adam (torch.optim.adamw.adamw,
torch.optim.adam.adam, the single-tensor path) in float64 on the float32 inputs widened to
float64, rounded to float32. OPS.md's attr `step` counts this step, so torch's state_steps
tensor holds step - 1 (torch increments it first). Every case is cross-checked before it is
written, and a disagreement aborts the script:
  (a) the stateful optimizer torch.optim.AdamW / Adam in float64, its state set to the case's
      state (exp_avg, exp_avg_sq, max_exp_avg_sq, step - 1) and p.grad to the gradient, agrees
      with the functional call exactly;
  (b) OPS.md's formula evaluated with NumPy in float64 agrees within rtol 1e-12, atol 1e-14
      (the atol for cancellation in m = beta1 m + (1 - beta1) g near 0);
  (c) PyTorch's float32 step agrees with the expected outputs within the case's tolerance
      (OPS.md's float32 default, rtol 1e-5, atol 1e-6): the tolerance holds for a float32
      implementation with torch's operation order.

Value ranges (why the default tolerance is met): param and grad are O(1) normal samples, exp_avg
0.3 N(0, 1), exp_avg_sq the square of a 0.5 N(0, 1) sample plus a little (a state a few steps of
such gradients would leave), max_exp_avg_sq at least exp_avg_sq. The update is then at most a few
lr, and a float32 step is within a few float32 roundings of |param| + |update|, far inside
rtol 1e-5 / atol 1e-6. NaN and +-Inf appear in grad (and param / max_exp_avg_sq in a few cases):
OPS.md applies the formula as written in IEEE arithmetic, with NaN-propagating max for amsgrad.

Error cases (expect_error, no outputs): shape mismatches, a missing max_exp_avg_sq with amsgrad,
max_exp_avg_sq without amsgrad, step 0 / negative / missing, negative lr / eps / weight_decay, a
beta of 1 or outside [0, 1), integer param or grad, an unknown attr.
"""

import os
import sys

import numpy as np
import torch
from torch.optim.adam import adam as torch_adam
from torch.optim.adamw import adamw as torch_adamw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # golden_common sits beside this file
import golden_common as gc  # noqa: E402
from golden_common import F32, F64, INF, NAN, Case, assert_close, rng_for, shape_tag  # noqa: E402

FAMILY = "optimizers"
RTOL, ATOL = 1e-5, 1e-6  # OPS.md default for float32 outputs (checked against the op table)

DEFAULTS = {  # checked against the op table (check_table)
    "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2,
              "amsgrad": False, "maximize": False},
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
             "amsgrad": False, "maximize": False},
}
STATE = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]


def full_attrs(op, attrs):
    a = dict(DEFAULTS[op])
    a.update(attrs)
    return a


# ----------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------

def as_t(x, dtype):
    return torch.from_numpy(np.array(x, dtype=np.float64, order="C")).to(dtype)  # keeps 0-d


def torch_functional(op, attrs, ins, dtype):
    """One step of torch's functional adam[w] on copies of the inputs; returns the new state."""
    a = full_attrs(op, attrs)
    p, g, m, v = (as_t(ins[k], dtype) for k in ("param", "grad", "exp_avg", "exp_avg_sq"))
    vmax = [as_t(ins["max_exp_avg_sq"], dtype)] if a["amsgrad"] else []
    steps = [torch.tensor(float(a["step"] - 1), dtype=torch.float64)]
    fn = torch_adamw if op == "adamw" else torch_adam
    with torch.no_grad():
        fn([p], [g], [m], [v], vmax, steps, foreach=False, amsgrad=a["amsgrad"], beta1=a["beta1"],
           beta2=a["beta2"], lr=a["lr"], weight_decay=a["weight_decay"], eps=a["eps"],
           maximize=a["maximize"])
    assert steps[0].item() == a["step"]
    out = {"param": p.numpy(), "exp_avg": m.numpy(), "exp_avg_sq": v.numpy()}
    if a["amsgrad"]:
        out["max_exp_avg_sq"] = vmax[0].numpy()
    return out


def torch_stateful(op, attrs, ins):
    """The same step through torch.optim.AdamW / Adam with its state set to the case's (float64)."""
    a = full_attrs(op, attrs)
    p = torch.nn.Parameter(as_t(ins["param"], torch.float64))
    cls = torch.optim.AdamW if op == "adamw" else torch.optim.Adam
    opt = cls([p], lr=a["lr"], betas=(a["beta1"], a["beta2"]), eps=a["eps"],
              weight_decay=a["weight_decay"], amsgrad=a["amsgrad"], maximize=a["maximize"],
              foreach=False)
    st = {"step": torch.tensor(float(a["step"] - 1), dtype=torch.float64),
          "exp_avg": as_t(ins["exp_avg"], torch.float64),
          "exp_avg_sq": as_t(ins["exp_avg_sq"], torch.float64)}
    if a["amsgrad"]:
        st["max_exp_avg_sq"] = as_t(ins["max_exp_avg_sq"], torch.float64)
    opt.state[p] = st
    p.grad = as_t(ins["grad"], torch.float64)
    opt.step()
    out = {"param": p.detach().numpy(), "exp_avg": st["exp_avg"].numpy(),
           "exp_avg_sq": st["exp_avg_sq"].numpy()}
    if a["amsgrad"]:
        out["max_exp_avg_sq"] = st["max_exp_avg_sq"].numpy()
    return out


def closed_form(op, attrs, ins):
    """OPS.md's formula in NumPy float64."""
    a = full_attrs(op, attrs)
    p, g, m, v = (np.asarray(ins[k], dtype=F64) for k in ("param", "grad", "exp_avg", "exp_avg_sq"))
    lr, b1, b2, eps, wd, step = a["lr"], a["beta1"], a["beta2"], a["eps"], a["weight_decay"], a["step"]
    with np.errstate(all="ignore"):
        g = -g if a["maximize"] else g
        if op == "adamw":
            p = p * (1 - lr * wd)
        elif wd != 0:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        out = {"exp_avg": m, "exp_avg_sq": v}
        s = v
        if a["amsgrad"]:
            s = np.maximum(np.asarray(ins["max_exp_avg_sq"], dtype=F64), v)  # NaN-propagating
            out["max_exp_avg_sq"] = s
        denom = np.sqrt(s) / np.sqrt(1 - b2 ** step) + eps
        out["param"] = p - (lr / (1 - b1 ** step)) * (m / denom)
    return out


def expected_for(case):
    ins32 = {k: np.asarray(v).astype(F32) for k, v in case.inputs.items()}  # <f8 rounded, as the runner
    exp64 = torch_functional(case.op, case.attrs, ins32, torch.float64)
    stateful = torch_stateful(case.op, case.attrs, ins32)
    closed = closed_form(case.op, case.attrs, ins32)
    t32 = torch_functional(case.op, case.attrs, ins32, torch.float32)
    rtol = RTOL if case.rtol is None else case.rtol
    atol = ATOL if case.atol is None else case.atol
    for k in exp64:
        assert_close(stateful[k], exp64[k], 0, 0, f"{case.name}:{k} torch.optim vs functional")
        assert_close(exp64[k], closed[k], 1e-12, 1e-14, f"{case.name}:{k} torch f64 vs closed form")
        assert_close(t32[k], exp64[k].astype(F32), rtol, atol, f"{case.name}:{k} torch f32 vs f64")
    return {k: v.astype(F32) for k, v in exp64.items()}


# ----------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------

def make_inputs(rng, shape, amsgrad, fresh=False):
    """param, grad O(1); state as a few steps of such gradients would leave it (see the header)."""
    ins = {
        "param": rng.standard_normal(shape).astype(F32),
        "grad": rng.standard_normal(shape).astype(F32),
    }
    if fresh:
        ins["exp_avg"] = np.zeros(shape, F32)
        ins["exp_avg_sq"] = np.zeros(shape, F32)
    else:
        ins["exp_avg"] = (0.3 * rng.standard_normal(shape)).astype(F32)
        ins["exp_avg_sq"] = ((0.5 * rng.standard_normal(shape)) ** 2 + 1e-4 * rng.random(shape)).astype(F32)
    if amsgrad:
        if fresh:
            ins["max_exp_avg_sq"] = np.zeros(shape, F32)
        else:
            # at least exp_avg_sq mostly, but below it in some places so both branches of max run
            bump = rng.random(shape) * 0.2 - 0.05
            ins["max_exp_avg_sq"] = np.maximum(ins["exp_avg_sq"] + bump, 0).astype(F32)
    return ins


def value_cases(op):
    out = []

    def add(tag, attrs, shape=(5, 7, 3), fresh=False, edit=None, rtol=None, atol=None):
        name = f"{op}_{tag}"
        a = full_attrs(op, attrs)
        ins = make_inputs(rng_for(name), shape, a["amsgrad"], fresh)
        if edit is not None:
            edit(ins)
        out.append(Case(name, op, attrs, ins, rtol=rtol, atol=atol))

    add("step10", {"step": 10})
    add("explicit_defaults_step10", dict(DEFAULTS[op], step=10))
    add("explicit_tol_step10", {"step": 10}, shape=(129,), rtol=RTOL, atol=ATOL)
    for shape in [(1,), (0,), (2, 0, 3), (7,), (129,), (1000,), (3, 1, 11), ()]:
        add(f"step3_{shape_tag(shape)}", {"step": 3}, shape=shape)
    add("step1_fresh", {"step": 1}, fresh=True)
    add("step1_state", {"step": 1})
    add("step2", {"step": 2})
    add("step_large", {"step": 1000000})
    add("step_huge", {"step": 2 ** 40 + 1})  # past 32 bits: the step is an int64
    add("amsgrad_step5", {"step": 5, "amsgrad": True})
    add("amsgrad_step1_fresh", {"step": 1, "amsgrad": True}, fresh=True)
    add("amsgrad_129", {"step": 7, "amsgrad": True}, shape=(129,))
    add("maximize_step4", {"step": 4, "maximize": True})
    add("amsgrad_maximize_step4", {"step": 4, "amsgrad": True, "maximize": True})
    add("weight_decay_0", {"step": 6, "weight_decay": 0.0})
    add("weight_decay_0p1", {"step": 6, "weight_decay": 0.1})
    add("lr_0", {"step": 6, "lr": 0.0})
    add("eps_0", {"step": 6, "eps": 0.0})
    add("custom", {"step": 12, "lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                   "weight_decay": 0.05})
    add("betas_0", {"step": 3, "beta1": 0.0, "beta2": 0.0})
    add("betas_near_1", {"step": 2, "beta1": 0.999, "beta2": 0.99999})

    def zero_v(ins):
        # g = 0 and v = 0 at the first elements: denom is eps exactly
        ins["grad"].reshape(-1)[:4] = 0.0
        ins["exp_avg_sq"].reshape(-1)[:4] = 0.0
        if "max_exp_avg_sq" in ins:
            ins["max_exp_avg_sq"].reshape(-1)[:4] = 0.0

    # eps large enough to matter: adding it before the bias correction instead of after (see
    # NOTE [Adam eps after the bias correction] in kernels/math/optimizers.h) changes the update
    add("eps_after_bias_correction", {"step": 3, "lr": 0.1, "eps": 1e-2}, edit=zero_v)
    add("amsgrad_eps_after_bias_correction", {"step": 3, "lr": 0.1, "eps": 1e-2, "amsgrad": True},
        edit=zero_v)
    add("zero_v_default_eps", {"step": 5}, edit=zero_v)

    def grad_special(ins):
        g = ins["grad"].reshape(-1)
        g[:6] = [NAN, INF, -INF, 0.0, -0.0, 1e-30]

    add("grad_nan_inf", {"step": 8}, edit=grad_special)
    add("amsgrad_grad_nan_inf", {"step": 8, "amsgrad": True}, edit=grad_special)

    def vmax_nan(ins):
        x = ins["max_exp_avg_sq"].reshape(-1)
        x[:2] = [NAN, INF]

    add("amsgrad_max_nan", {"step": 8, "amsgrad": True}, edit=vmax_nan)

    def param_special(ins):
        p = ins["param"].reshape(-1)
        p[:4] = [NAN, INF, -INF, -0.0]

    # weight_decay 0 for adam: torch skips the L2 term, so an Inf param leaves m finite
    add("param_nan_inf_wd0", {"step": 8, "weight_decay": 0.0}, edit=param_special)
    add("param_nan_inf_wd0p1", {"step": 8, "weight_decay": 0.1}, edit=param_special)

    # an <f8 input is rounded to float32 by the runner
    name = f"{op}_f64_inputs"
    ins = make_inputs(rng_for(name), (5, 7), False)
    ins = {k: v.astype(F64) + (np.float64(2.0 ** -30) if k == "grad" else 0.0) for k, v in ins.items()}
    out.append(Case(name, op, {"step": 4}, ins))
    return out


def error_cases(op):
    out = []

    def add(tag, attrs, amsgrad=False, edit=None):
        name = f"{op}_error_{tag}"
        ins = make_inputs(rng_for(name), (3, 5), amsgrad)
        if edit is not None:
            edit(ins)
        out.append(Case(name, op, attrs, ins, expect_error=True))

    def reshape(k, shape):
        def f(ins):
            ins[k] = np.resize(ins[k], shape).astype(ins[k].dtype)
        return f

    add("grad_shape", {"step": 2}, edit=reshape("grad", (3, 4)))
    add("exp_avg_shape", {"step": 2}, edit=reshape("exp_avg", (5, 3)))
    add("exp_avg_sq_shape", {"step": 2}, edit=reshape("exp_avg_sq", (15,)))
    add("max_exp_avg_sq_shape", {"step": 2, "amsgrad": True}, amsgrad=True,
        edit=reshape("max_exp_avg_sq", (3, 6)))
    add("amsgrad_missing_max", {"step": 2, "amsgrad": True}, amsgrad=False)
    add("max_without_amsgrad", {"step": 2}, amsgrad=True)
    add("step_0", {"step": 0})
    add("step_negative", {"step": -3})
    add("step_missing", {})
    add("step_not_integer", {"step": 2.5})
    add("lr_negative", {"step": 2, "lr": -1e-3})
    add("eps_negative", {"step": 2, "eps": -1e-8})
    add("weight_decay_negative", {"step": 2, "weight_decay": -0.01})
    add("beta1_1", {"step": 2, "beta1": 1.0})
    add("beta2_1", {"step": 2, "beta2": 1.0})
    add("beta1_negative", {"step": 2, "beta1": -0.1})
    add("beta2_1p5", {"step": 2, "beta2": 1.5})
    add("param_i32", {"step": 2}, edit=lambda ins: ins.update(param=np.arange(15, dtype="<i4").reshape(3, 5)))
    add("grad_i64", {"step": 2}, edit=lambda ins: ins.update(grad=np.arange(15, dtype="<i8").reshape(3, 5)))
    add("exp_avg_bool", {"step": 2}, edit=lambda ins: ins.update(exp_avg=np.ones((3, 5), dtype="|b1")))
    add("unknown_attr", {"step": 2, "momentum": 0.9})
    return out


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

def expected_f4(case):
    return {k: v.astype("<f4") for k, v in expected_for(case).items()}


def check_table(table):
    """DEFAULTS and the default tolerance are the op table's (they stay here, in this order, as the
    explicit_defaults cases write them)."""
    bad = []
    for op, d in DEFAULTS.items():
        t = table.attr_defaults(op)
        bad += [f"{op}: {k} = {v!r} here, {t.get(k)!r} in the op table" for k, v in d.items() if t.get(k) != v]
        bad += [f"{op}: the op table's default {k} = {v!r} is not in DEFAULTS" for k, v in t.items() if k not in d]
        if table.tolerance(op) != (RTOL, ATOL):
            bad.append(f"{op}: tolerance {(RTOL, ATOL)} here, {table.tolerance(op)} in the op table")
    if bad:
        sys.exit("gen_optimizers.py: the op table (%s) disagrees:\n  %s" % (table.source, "\n  ".join(bad)))


def main():
    args = gc.parse_args(__doc__.split("\n")[0])
    table = gc.load_table(args.table)
    check_table(table)
    root = args.out
    os.makedirs(root, exist_ok=True)
    gc.reset_dir(os.path.join(root, FAMILY))
    cases = []
    for op in ("adamw", "adam"):
        cases += value_cases(op) + error_cases(op)
    for c in cases:
        gc.write_case(os.path.join(root, FAMILY), c, expected_f4)
    gc.check_family(table, root, FAMILY)
    gc.write_readme(root)
    counts = gc.tally(cases)
    gc.print_tally(counts, 8)
    print(f"wrote {sum(v[0] for v in counts.values())} cases under {os.path.join(root, FAMILY)}")


if __name__ == "__main__":
    main()
