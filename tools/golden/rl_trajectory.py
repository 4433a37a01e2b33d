"""The rl cases of the trajectory ops (discounted_return, gae, td_lambda_return), for gen_rl.py.
Not a script.
"""

import numpy as np

from golden_common import F32, INF, NAN, rng_for
from rl_case import Case, attr
from rl_reference import close_or_die, f32, loop_discounted, loop_gae, loop_td_lambda, torch_traj

def traj_case(name, op, r, v, nv, d, term, boot, attrs):
    gamma, lmbda = attr(attrs, "gamma", 0.99), attr(attrs, "lmbda", 0.95)
    r = f32(r)
    v = f32(v) if v is not None else None
    nv = f32(nv) if nv is not None else None
    boot = f32(boot) if boot is not None else None
    d = np.asarray(d, bool)
    term = np.asarray(term, bool) if term is not None else None
    if op == "discounted_return":
        g = loop_discounted(r, d, boot, gamma)
        close_or_die(g, torch_traj("dret", r, v, nv, d, term, boot, gamma, lmbda), name)
        ins = {"rewards": r, "dones": d}
        if boot is not None:
            ins["bootstrap"] = boot
        Case(name, op, attrs, ins, {"returns": f32(g)})
    elif op == "gae":
        adv, vt = loop_gae(r, v, nv, d, term, gamma, lmbda)
        close_or_die(adv, torch_traj("gae", r, v, nv, d, term, boot, gamma, lmbda), name)
        Case(name, op, attrs, {"rewards": r, "values": v, "next_values": nv, "dones": d, "terminated": term},
             {"advantages": f32(adv), "value_targets": f32(vt)})
    else:
        g = loop_td_lambda(r, nv, d, term, gamma, lmbda)
        close_or_die(g, torch_traj("tdl", r, v, nv, d, term, boot, gamma, lmbda), name)
        Case(name, op, attrs, {"rewards": r, "next_values": nv, "dones": d, "terminated": term}, {"returns": f32(g)})


def gen_traj():
    for op in ("discounted_return", "gae", "td_lambda_return"):
        for tag, t, b, p, attrs in [("basic", 9, 4, 0.2, {}), ("attrs", 13, 3, 0.1, {"gamma": 0.7, "lmbda": 0.5}),
                                    ("gamma1_lmbda1", 40, 2, 0.05, {"gamma": 1.0, "lmbda": 1.0}),
                                    ("lmbda0", 11, 3, 0.1, {"lmbda": 0.0}),
                                    ("long_column", 5000, 1, 0.002, {}),
                                    ("long_column_gamma1", 5000, 1, 0.0, {"gamma": 1.0, "lmbda": 1.0}),
                                    ("wide_multi_tile", 200, 33, 0.01, {"gamma": 0.999}),
                                    ("empty_time", 0, 3, 0, {}), ("empty_batch", 5, 0, 0, {})]:
            if op == "discounted_return":
                attrs = {k: v for k, v in attrs.items() if k != "lmbda"}
                if tag == "lmbda0":
                    continue
            name = f"{op}/{tag}"
            rng = rng_for(name)
            d = rng.random((t, b)) < p
            term = d & (rng.random((t, b)) < 0.5)
            boot = rng.normal(0, 1, b) if op == "discounted_return" and tag in ("basic", "wide_multi_tile") else None
            traj_case(name, op, rng.normal(0, 1, (t, b)), rng.normal(0, 1, (t, b)), rng.normal(0, 1, (t, b)), d, term,
                      boot, attrs)
        # NaN/Inf cut off by done / terminated selects
        name = f"{op}/nan_behind_selects"
        rng = rng_for(name)
        t, b = 8, 3
        r = rng.normal(0, 1, (t, b))
        nv = rng.normal(0, 1, (t, b))
        d = np.zeros((t, b), bool)
        term = np.zeros((t, b), bool)
        d[3, 0] = True
        r[4:, 0] = NAN  # the next episode of column 0: steps 0..3 must stay finite
        d[5, 1] = term[5, 1] = True
        nv[5, 1] = NAN  # a terminal state's value is not read
        d[2, 2] = term[2, 2] = True
        nv[2, 2] = INF
        r[6, 2] = INF
        traj_case(name, op, r, rng.normal(0, 1, (t, b)), nv, d, term, None, {})
        gen_traj_errors(op)


def gen_traj_errors(op):
    rng = rng_for(op + "/errors")
    t, b = 6, 2
    good = {"rewards": f32(rng.normal(0, 1, (t, b))), "dones": np.zeros((t, b), bool)}
    if op != "discounted_return":
        good["next_values"] = f32(rng.normal(0, 1, (t, b)))
        good["terminated"] = np.zeros((t, b), bool)
    if op == "gae":
        good["values"] = f32(rng.normal(0, 1, (t, b)))
    cases = [("dones_float", "dones", np.zeros((t, b), F32), {}),
             ("dones_shape", "dones", np.zeros((t, b + 1), bool), {}),
             ("rewards_1d", "rewards", f32(np.zeros(t)), {}),
             ("gamma_1p5", None, None, {"gamma": 1.5}),
             ("gamma_negative", None, None, {"gamma": -0.1})]
    if op == "discounted_return":
        cases.append(("bootstrap_length", "bootstrap", f32(np.zeros(b + 1)), {}))
    else:
        cases.append(("lmbda_1p2", None, None, {"lmbda": 1.2}))
        cases.append(("terminated_int32", "terminated", np.zeros((t, b), np.int32), {}))
        cases.append(("next_values_shape", "next_values", f32(np.zeros((t + 1, b))), {}))
    for tag, k, v, attrs in cases:
        ins = dict(good)
        if k:
            ins[k] = v
        Case(f"{op}/error_{tag}", op, attrs, ins, expect_error=True)
