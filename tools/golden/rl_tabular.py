"""The rl cases of the tabular updates (td0_update, q_learning_update, sarsa_update,
expected_sarsa_update), for gen_rl.py. Not a script.
"""

import numpy as np

from golden_common import F32, INF, NAN, rng_for
from rl_case import Case, attr
from rl_reference import close_or_die, f32, loop_tabular, torch_tabular

TAB_OPS = {"td0_update": "td0", "q_learning_update": "q", "sarsa_update": "sarsa", "expected_sarsa_update": "es"}
TABLE_NAME = {"td0": "values"}


def tab_case(name, op, table, st, ac, r, ns, na, d, attrs, idx_dtype=np.int64):
    kind = TAB_OPS[op]
    gamma, alpha = attr(attrs, "gamma", 0.99), attr(attrs, "alpha", 0.1)
    eps, mean = attr(attrs, "epsilon", 0.1), attr(attrs, "reduction", "sum") == "mean"
    table, r = f32(table), f32(r)
    exp_a = loop_tabular(kind, table, st, ac, r, ns, na, d, gamma, alpha, eps, mean)
    exp_b = torch_tabular(kind, table, st, ac, r, ns, na, d, gamma, alpha, eps, mean)
    close_or_die(exp_a, exp_b, name)
    tname = TABLE_NAME.get(kind, "q")
    ins = {tname: table, "states": np.asarray(st, idx_dtype)}
    if kind != "td0":
        ins["actions"] = np.asarray(ac, idx_dtype)
    ins.update({"rewards": r, "next_states": np.asarray(ns, idx_dtype), "dones": np.asarray(d, bool)})
    if kind == "sarsa":
        ins["next_actions"] = np.asarray(na, idx_dtype)
    Case(name, op, attrs, ins, {tname: f32(exp_a)})
    return ins


def random_transitions(rng, s, a, b, p_done=0.2):
    st = rng.integers(0, s, b)
    ac = rng.integers(0, a, b)
    ns = rng.integers(0, s, b)
    na = rng.integers(0, a, b)
    d = rng.random(b) < p_done
    r = rng.normal(0, 1, b)
    return st, ac, r, ns, na, d


def gen_tabular():
    for op, kind in TAB_OPS.items():
        q_shape = (lambda s, a: (s,)) if kind == "td0" else (lambda s, a: (s, a))
        a_of = (lambda a: 1) if kind == "td0" else (lambda a: a)
        for tag, s, a, b, attrs in [("basic", 7, 4, 23, {}), ("attrs", 5, 3, 17, {"gamma": 0.5, "alpha": 0.7}),
                                    ("gamma1_alpha0", 4, 2, 9, {"gamma": 1.0, "alpha": 0.0})]:
            name = f"{op}/{tag}"
            rng = rng_for(name)
            st, ac, r, ns, na, d = random_transitions(rng, s, a_of(a), b)
            tab_case(name, op, rng.normal(0, 2, q_shape(s, a)), st, ac, r, ns, na, d, attrs)
        if kind == "es":
            for e in (0.0, 0.3, 1.0):
                name = f"{op}/epsilon_{str(e).replace('.', 'p')}"
                rng = rng_for(name)
                st, ac, r, ns, na, d = random_transitions(rng, 6, 4, 19)
                tab_case(name, op, rng.normal(0, 2, (6, 4)), st, ac, r, ns, na, d, {"epsilon": e})
        # collisions: 200 transitions on 3 entries, both reductions
        for red in ("sum", "mean"):
            name = f"{op}/collisions_{red}"
            rng = rng_for(name)
            s, a = 3, a_of(2)
            st, ac, r, ns, na, d = random_transitions(rng, s, a, 200)
            st[:150], ac[:150] = 1, 0  # 150 on one entry
            tab_case(name, op, rng.normal(0, 1, q_shape(s, 2)), st, ac, r, ns, na, d, {"reduction": red})
        # done transitions whose next value is NaN / Inf: the select keeps them out
        name = f"{op}/done_nan_next"
        rng = rng_for(name)
        s, a = 6, a_of(3)
        table = rng.normal(0, 1, q_shape(s, 3))
        table[4] = NAN
        table[5] = INF
        st = rng.integers(0, 4, 12)
        ac = rng.integers(0, a, 12)
        ns = np.array([4, 5] * 6)
        na = rng.integers(0, a, 12)
        d = np.ones(12, bool)
        tab_case(name, op, table, st, ac, rng.normal(0, 1, 12), ns, na, d, {})
        # B = 0 and int32 indices
        rng = rng_for(f"{op}/empty")
        e = np.zeros(0, np.int64)
        tab_case(f"{op}/empty_batch", op, rng.normal(0, 1, q_shape(4, 3)), e, e, np.zeros(0), e, e,
                 np.zeros(0, bool), {})
        name = f"{op}/int32_indices"
        rng = rng_for(name)
        st, ac, r, ns, na, d = random_transitions(rng, 9, a_of(5), 31)
        tab_case(name, op, rng.normal(0, 1, q_shape(9, 5)), st, ac, r, ns, na, d, {"reduction": "mean"},
                 idx_dtype=np.int32)
        gen_tabular_errors(op, kind, q_shape, a_of)
    # NaN in Q rows: max/argmax rules (not done, so the NaN row is read)
    for op in ("q_learning_update", "expected_sarsa_update"):
        name = f"{op}/nan_in_rows"
        rng = rng_for(name)
        table = rng.normal(0, 1, (5, 4))
        table[3, 2] = NAN
        table[4, 1] = INF
        table[2] = [1.0, 3.0, 3.0, -INF]  # tie: the first maximum
        st = np.array([0, 1, 0, 1, 0])
        ac = np.array([0, 1, 2, 3, 1])
        ns = np.array([3, 4, 2, 2, 4])
        tab_case(name, op, table, st, ac, rng.normal(0, 1, 5), ns, ac, np.zeros(5, bool),
                 {"epsilon": 0.2} if op.startswith("expected") else {})


def gen_tabular_errors(op, kind, q_shape, a_of):
    rng = rng_for(op + "/errors")
    s, a = 5, a_of(3)
    st, ac, r, ns, na, d = random_transitions(rng, s, a, 8)
    base = lambda: {k: v.copy() for k, v in tab_inputs(op, kind, rng, q_shape(s, 3), st, ac, r, ns, na, d).items()}

    def err(tag, mutate, attrs=None):
        ins = base()
        mutate(ins)
        Case(f"{op}/error_{tag}", op, attrs or {}, ins, expect_error=True)

    def setv(k, i, v):
        return lambda ins: ins[k].__setitem__(i, v)

    err("state_out_of_range", setv("states", 6, s))
    err("state_negative", setv("states", 2, -1))
    err("next_state_out_of_range", setv("next_states", 7, s + 3))
    if kind != "td0":
        err("action_out_of_range", setv("actions", 3, a))
    if kind == "sarsa":
        err("next_action_out_of_range", setv("next_actions", 0, a))
    err("dones_float", lambda ins: ins.__setitem__("dones", ins["dones"].astype(F32)))
    err("dones_int64", lambda ins: ins.__setitem__("dones", ins["dones"].astype(np.int64)))
    err("states_float", lambda ins: ins.__setitem__("states", ins["states"].astype(F32)))
    err("rewards_length", lambda ins: ins.__setitem__("rewards", np.append(ins["rewards"], F32(1))))
    err("states_2d", lambda ins: ins.__setitem__("states", ins["states"].reshape(2, 4)))
    err("gamma_1p5", lambda ins: None, {"gamma": 1.5})
    err("alpha_negative", lambda ins: None, {"alpha": -0.1})
    err("reduction_max", lambda ins: None, {"reduction": "max"})
    if kind == "es":
        err("epsilon_negative", lambda ins: None, {"epsilon": -0.5})


def tab_inputs(op, kind, rng, shape, st, ac, r, ns, na, d):
    tname = TABLE_NAME.get(kind, "q")
    ins = {tname: f32(rng.normal(0, 1, shape)), "states": np.asarray(st, np.int64)}
    if kind != "td0":
        ins["actions"] = np.asarray(ac, np.int64)
    ins.update({"rewards": f32(r), "next_states": np.asarray(ns, np.int64), "dones": np.asarray(d, bool)})
    if kind == "sarsa":
        ins["next_actions"] = np.asarray(na, np.int64)
    return ins
