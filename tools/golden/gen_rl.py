#!/usr/bin/python3
"""Golden-case generator of the rl family (OPS.md "Reinforcement learning").

    /usr/bin/python3 tools/golden/gen_rl.py [--out DIR]

DIR defaults to src/test/resources/golden; the script deletes and rewrites only DIR/rl, then
DIR/README.md (golden_common.write_readme). Deterministic: each case draws from a NumPy generator
seeded with the CRC-32 of its name.

Every expected output is computed twice, in float64 on the float32 inputs, and the two must agree
(else the script aborts): (a) plain Python loops written from OPS.md's formulas (the expected value
written to the case), (b) a vectorised PyTorch formulation (torch.where selects, torch.max /
torch.argmax over actions, index_add_ / bincount for collisions; per-step tensor ops over all
columns for the trajectories). Float outputs are rounded to float32 (`<f4`), counts stay `<i8`.

Rules: synchronous tabular updates (every TD error from the table before the call), collisions
summed ("sum") or averaged ("mean"; linear_td: divided by B); a done transition's next value is a
select (NaN/Inf there does not reach the result); likewise (1 - terminated) and (1 - done) in the
trajectory ops; max over actions propagates NaN and argmax takes the first NaN, else the first
maximum. Default tolerance rtol = atol = 1e-5 (not written into the cases).

Cases: random small cases per op, collisions (many transitions on one entry, both reductions),
done transitions with NaN/Inf next values, NaN in Q rows, B = 0, int32 index inputs, columns long
enough to span several kernel tiles (T = 5000 with B = 1; T = 200 with B = 33), and expect_error
cases (index out of range, non-bool dones, gamma 1.5, negative alpha, reduction "max", A = 0 for
dqn_target, shape mismatches).
"""

import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # golden_common sits beside this file
import golden_common as gc  # noqa: E402
from golden_common import F32, INF, NAN, rng_for  # noqa: E402

FAMILY = "rl"


def f32(x):
    return np.asarray(x, dtype=F32)


def wide(x):
    return np.asarray(x, dtype=np.float64)


def close_or_die(a, b, what, rtol=1e-12, atol=1e-12):
    """the loop result a against the torch result b (golden_common.assert_close); aborts the script"""
    try:
        gc.assert_close(a, b, rtol, atol, what + ": cross-check failed")
    except AssertionError as e:
        raise SystemExit(str(e))


# ---- references: loops (a) ---------------------------------------------------------------------------

def argmax_row(row):
    g, best = 0, row[0]
    for k in range(1, len(row)):
        if math.isnan(best):
            break
        if math.isnan(row[k]) or row[k] > best:
            best, g = row[k], k
    return g


def expected_q(row, eps):
    g = argmax_row(row)
    a = len(row)
    return sum((eps / a + ((1 - eps) if k == g else 0.0)) * row[k] for k in range(a))


def loop_tabular(kind, table, st, ac, r, ns, na, d, gamma, alpha, eps, mean):
    t = wide(table).copy()
    q = t if t.ndim == 2 else t[:, None]
    a_ = q.shape[1]
    keys, deltas = [], []
    for i in range(len(st)):
        s, a = int(st[i]), (int(ac[i]) if ac is not None else 0)
        nxt = 0.0
        if not d[i]:
            row = q[int(ns[i])]
            if kind == "td0":
                nxt = row[0]
            elif kind == "q":
                nxt = row[argmax_row(row)]
            elif kind == "sarsa":
                nxt = row[int(na[i])]
            else:
                nxt = expected_q(row, eps)
        keys.append(s * a_ + a)
        deltas.append(float(r[i]) + gamma * (0.0 if d[i] else nxt) - q[s, a])
    flat = q.reshape(-1).copy()
    sums = {}
    for k, v in zip(keys, deltas):
        s_, n_ = sums.get(k, (0.0, 0))
        sums[k] = (s_ + v, n_ + 1)
    for k, (s_, n_) in sums.items():
        flat[k] = flat[k] + alpha * (s_ / n_ if mean else s_)
    return flat.reshape(table.shape)


def loop_running_mean(mean, counts, st, x):
    m = wide(mean).copy()
    c = counts.copy()
    sums = {}
    for s, v in zip(st, x):
        s_, n_ = sums.get(int(s), (0.0, 0))
        sums[int(s)] = (s_ + float(v), n_ + 1)
    for s, (s_, n_) in sums.items():
        m[s] = (m[s] * c[s] + s_) / (c[s] + n_)
        c[s] += n_
    return m, c


def loop_linear_td(w, x, r, xn, d, gamma, alpha, mean):
    w = wide(w)
    b, f = x.shape
    delta = []
    for i in range(b):
        cur = sum(w[k] * float(x[i, k]) for k in range(f))
        nxt = 0.0 if d[i] else sum(w[k] * float(xn[i, k]) for k in range(f))
        delta.append(float(r[i]) + gamma * nxt - cur)
    out = w.copy()
    for k in range(f):
        s = sum(delta[i] * float(x[i, k]) for i in range(b))
        out[k] = w[k] + alpha * (s / b if mean else s)
    return out


def loop_dqn(nq, r, d, online, gamma):
    out = []
    for i in range(len(r)):
        nxt = 0.0
        if not d[i]:
            g = argmax_row(wide(online[i] if online is not None else nq[i]))
            nxt = float(nq[i, g])
        out.append(float(r[i]) + gamma * nxt)
    return np.array(out)


def loop_discounted(r, d, boot, gamma):
    t_, b_ = r.shape
    g = np.zeros((t_, b_))
    for b in range(b_):
        y = 0.0 if boot is None else float(boot[b])
        for t in range(t_ - 1, -1, -1):
            y = float(r[t, b]) + gamma * (0.0 if d[t, b] else y)
            g[t, b] = y
    return g


def loop_gae(r, v, nv, d, term, gamma, lmbda):
    t_, b_ = r.shape
    adv = np.zeros((t_, b_))
    for b in range(b_):
        a = 0.0
        for t in range(t_ - 1, -1, -1):
            nvs = 0.0 if term[t, b] else float(nv[t, b])
            delta = float(r[t, b]) + gamma * nvs - float(v[t, b])
            a = delta + (0.0 if d[t, b] else gamma * lmbda * a)
            adv[t, b] = a
    return adv, adv + wide(v)


def loop_td_lambda(r, nv, d, term, gamma, lmbda):
    t_, b_ = r.shape
    g = np.zeros((t_, b_))
    for b in range(b_):
        y = 0.0
        for t in range(t_ - 1, -1, -1):
            nvs = 0.0 if term[t, b] else float(nv[t, b])
            if t == t_ - 1 or d[t, b]:
                y = float(r[t, b]) + gamma * nvs
            else:
                y = float(r[t, b]) + gamma * ((1 - lmbda) * nvs + lmbda * y)
            g[t, b] = y
    return g


# ---- references: vectorised torch (b) ---------------------------------------------------------------

def T(x):
    return torch.tensor(wide(x), dtype=torch.float64)


def torch_next_value(kind, q, ns, na, eps):
    rows = q[ns]
    if kind == "td0":
        return rows[:, 0]
    if kind == "q":
        return rows.max(dim=1).values if rows.shape[0] else rows.sum(dim=1)
    if kind == "sarsa":
        return rows.gather(1, na[:, None])[:, 0]
    a = rows.shape[1]
    pi = torch.full_like(rows, eps / a)
    if rows.shape[0]:
        pi[torch.arange(rows.shape[0]), rows.argmax(dim=1)] += 1 - eps
    return (pi * rows).sum(dim=1)


def torch_tabular(kind, table, st, ac, r, ns, na, d, gamma, alpha, eps, mean):
    q = T(table)
    q2 = q if q.dim() == 2 else q[:, None]
    st_, ns_ = torch.tensor(st, dtype=torch.int64), torch.tensor(ns, dtype=torch.int64)
    ac_ = torch.tensor(ac, dtype=torch.int64) if ac is not None else torch.zeros_like(st_)
    na_ = torch.tensor(na, dtype=torch.int64) if na is not None else None
    done = torch.tensor(d, dtype=torch.bool)
    nxt = torch.where(done, torch.zeros(len(st), dtype=torch.float64), torch_next_value(kind, q2, ns_, na_, eps))
    delta = T(r) + gamma * nxt - q2[st_, ac_]
    keys = st_ * q2.shape[1] + ac_
    flat = q2.reshape(-1).clone()
    add = torch.zeros_like(flat).index_add_(0, keys, delta)
    if mean:
        cnt = torch.bincount(keys, minlength=flat.numel()).to(torch.float64)
        add = torch.where(cnt > 0, add / cnt.clamp(min=1), add)
    touched = torch.bincount(keys, minlength=flat.numel()) > 0
    flat = torch.where(touched, flat + alpha * add, flat)
    return flat.reshape(table.shape).numpy()


def torch_traj(kind, r, v, nv, d, term, boot, gamma, lmbda):
    t_, b_ = r.shape
    r_, d_ = T(r), torch.tensor(d, dtype=torch.bool)
    zero = torch.zeros(b_, dtype=torch.float64)
    out = torch.zeros(t_, b_, dtype=torch.float64)
    y = T(boot) if boot is not None else zero.clone()
    for t in range(t_ - 1, -1, -1):
        if kind == "dret":
            y = r_[t] + gamma * torch.where(d_[t], zero, y)
        else:
            nvs = torch.where(torch.tensor(term[t]), zero, T(nv[t]))
            if kind == "gae":
                y = (r_[t] + gamma * nvs - T(v[t])) + torch.where(d_[t], zero, gamma * lmbda * y)
            else:
                cut = d_[t] | (t == t_ - 1)
                y = torch.where(cut, r_[t] + gamma * nvs, r_[t] + gamma * ((1 - lmbda) * nvs + lmbda * y))
        out[t] = y
    return out.numpy()


# ---- case writing ---------------------------------------------------------------------------------------

CASES = []


class Case(gc.Case):
    """a case with its expected outputs, registered in CASES"""

    def __init__(self, name, op, attrs, inputs, outputs=None, expect_error=False):
        super().__init__(name, op, attrs, inputs, expect_error=expect_error, outputs=outputs or {})
        CASES.append(self)


def write(root):
    for c in CASES:
        # in-place ops name an input and an output alike (q, values, counts...): distinct files
        gc.write_case(root, c, output_prefix="expected_", indent=1, sort_keys=True)


# ---- tabular ------------------------------------------------------------------------------------------

TAB_OPS = {"td0_update": "td0", "q_learning_update": "q", "sarsa_update": "sarsa", "expected_sarsa_update": "es"}
TABLE_NAME = {"td0": "values"}


def attr(attrs, k, default):
    return attrs.get(k, default)


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


# ---- running mean, linear td, dqn ------------------------------------------------------------------------

def rm_case(name, mean, counts, st, x, idx_dtype=np.int64):
    mean, x = f32(mean), f32(x)
    counts = np.asarray(counts, np.int64)
    m, c = loop_running_mean(mean, counts, st, x)
    # (b): bincount formulation
    st_ = torch.tensor(st, dtype=torch.int64)
    n = torch.bincount(st_, minlength=len(mean)).to(torch.float64)
    sm = torch.zeros(len(mean), dtype=torch.float64).index_add_(0, st_, T(x))
    c0 = torch.tensor(counts, dtype=torch.float64)
    mb = torch.where(n > 0, (T(mean) * c0 + sm) / (c0 + n), T(mean))
    close_or_die(m, mb.numpy(), name)
    Case(name, "running_mean_update", {}, {"mean": mean, "counts": counts, "states": np.asarray(st, idx_dtype),
                                           "samples": x}, {"mean": f32(m), "counts": c})


def gen_running_mean():
    rng = rng_for("rm")
    rm_case("running_mean_update/basic", rng.normal(0, 1, 8), rng.integers(0, 5, 8), rng.integers(0, 8, 30),
            rng.normal(0, 3, 30))
    rm_case("running_mean_update/zero_counts_collisions", np.zeros(3), np.zeros(3, np.int64),
            np.array([1] * 100 + [2] * 7), rng.normal(2, 1, 107))
    rm_case("running_mean_update/int32_states", rng.normal(0, 1, 4), [1, 2, 3, 4], np.array([0, 3, 3]),
            [1.0, NAN, 2.0], idx_dtype=np.int32)
    rm_case("running_mean_update/empty_batch", rng.normal(0, 1, 4), [1, 2, 3, 4], np.zeros(0, np.int64), np.zeros(0))
    good = {"mean": f32(rng.normal(0, 1, 4)), "counts": np.array([1, 2, 3, 4], np.int64),
            "states": np.array([0, 1, 3]), "samples": f32([1, 2, 3])}
    for tag, k, v in [("state_out_of_range", "states", np.array([0, 4, 1])),
                      ("counts_int32", "counts", np.array([1, 2, 3, 4], np.int32)),
                      ("samples_length", "samples", f32([1, 2]))]:
        ins = dict(good)
        ins[k] = v
        Case(f"running_mean_update/error_{tag}", "running_mean_update", {}, ins, expect_error=True)


def lin_case(name, w, x, r, xn, d, attrs):
    gamma, alpha = attr(attrs, "gamma", 0.99), attr(attrs, "alpha", 0.1)
    mean = attr(attrs, "reduction", "sum") == "mean"
    w, x, r, xn = f32(w), f32(x), f32(r), f32(xn)
    exp_a = loop_linear_td(w, x, r, xn, d, gamma, alpha, mean)
    wt, xt, done = T(w), T(x), torch.tensor(d, dtype=torch.bool)
    nxt = torch.where(done, torch.zeros(len(r), dtype=torch.float64), T(np.where(d[:, None], 0, xn)) @ wt)
    delta = T(r) + gamma * nxt - xt @ wt
    g = xt.T @ delta
    exp_b = (wt + alpha * (g / len(r) if mean else g)).numpy()
    close_or_die(exp_a, exp_b, name)
    Case(name, "linear_td_update", attrs, {"weights": w, "features": x, "rewards": r, "next_features": xn,
                                          "dones": np.asarray(d, bool)}, {"weights": f32(exp_a)})


def gen_linear_td():
    for tag, b, f, attrs in [("basic", 12, 5, {}), ("mean", 40, 7, {"reduction": "mean", "gamma": 0.9}),
                             ("wide", 3, 70, {"alpha": 0.01})]:
        name = f"linear_td_update/{tag}"
        rng = rng_for(name)
        lin_case(name, rng.normal(0, 1, f), rng.normal(0, 1, (b, f)), rng.normal(0, 1, b), rng.normal(0, 1, (b, f)),
                 rng.random(b) < 0.3, attrs)
    name = "linear_td_update/done_nan_next"
    rng = rng_for(name)
    xn = rng.normal(0, 1, (6, 4))
    xn[1] = NAN
    xn[4, 2] = INF
    d = np.array([0, 1, 0, 0, 1, 0], bool)
    lin_case(name, rng.normal(0, 1, 4), rng.normal(0, 1, (6, 4)), rng.normal(0, 1, 6), xn, d, {})
    rng = rng_for("linear_td_update/errors")
    good = {"weights": f32(rng.normal(0, 1, 4)), "features": f32(rng.normal(0, 1, (5, 4))),
            "rewards": f32(rng.normal(0, 1, 5)), "next_features": f32(rng.normal(0, 1, (5, 4))),
            "dones": np.zeros(5, bool)}
    for tag, k, v, attrs in [("features_width", "features", f32(np.zeros((5, 3))), {}),
                             ("next_features_rows", "next_features", f32(np.zeros((4, 4))), {}),
                             ("dones_float", "dones", np.zeros(5, F32), {}),
                             ("gamma_1p5", None, None, {"gamma": 1.5}),
                             ("reduction_max", None, None, {"reduction": "max"})]:
        ins = dict(good)
        if k:
            ins[k] = v
        Case(f"linear_td_update/error_{tag}", "linear_td_update", attrs, ins, expect_error=True)


def dqn_case(name, nq, r, d, online, attrs):
    gamma = attr(attrs, "gamma", 0.99)
    nq, r = f32(nq), f32(r)
    online = f32(online) if online is not None else None
    exp_a = loop_dqn(nq, r, d, online, gamma)
    q = T(nq)
    if online is not None:
        nxt = q.gather(1, T(online).argmax(dim=1)[:, None])[:, 0]
    else:
        nxt = q.max(dim=1).values
    exp_b = (T(r) + gamma * torch.where(torch.tensor(d), torch.zeros(len(r), dtype=torch.float64), nxt)).numpy()
    close_or_die(exp_a, exp_b, name)
    ins = {"next_q": nq, "rewards": r, "dones": np.asarray(d, bool)}
    if online is not None:
        ins["next_q_online"] = online
    Case(name, "dqn_target", attrs, ins, {"target": f32(exp_a)})


def gen_dqn():
    for tag, b, a, dbl, attrs in [("basic", 20, 6, False, {}), ("double", 20, 6, True, {"double": True}),
                                  ("gamma0p5", 9, 1, False, {"gamma": 0.5})]:
        name = f"dqn_target/{tag}"
        rng = rng_for(name)
        dqn_case(name, rng.normal(0, 1, (b, a)), rng.normal(0, 1, b), rng.random(b) < 0.2,
                 rng.normal(0, 1, (b, a)) if dbl else None, attrs)
    name = "dqn_target/nan_rows"
    rng = rng_for(name)
    nq = rng.normal(0, 1, (6, 4))
    nq[0, 2] = NAN
    nq[1, 1:3] = NAN
    nq[2] = [2.0, 5.0, 5.0, 1.0]
    nq[3, 0] = INF
    nq[4, 3] = NAN  # done row: not read
    d = np.array([0, 0, 0, 0, 1, 0], bool)
    dqn_case(name, nq, rng.normal(0, 1, 6), d, None, {})
    online = rng.normal(0, 1, (6, 4))
    online[0, 1] = NAN  # argmax is the first NaN: next_q[0, 1]
    online[2] = [1.0, 3.0, 3.0, 0.0]  # tie: index 1 -> next_q[2, 1]
    online[5, 3] = NAN
    dqn_case("dqn_target/double_nan_rows", nq, rng.normal(0, 1, 6), d, online, {"double": True})
    good = {"next_q": f32(rng.normal(0, 1, (4, 3))), "rewards": f32(rng.normal(0, 1, 4)), "dones": np.zeros(4, bool)}
    for tag, k, v, attrs in [("no_actions", "next_q", f32(np.zeros((4, 0))), {}),
                             ("dones_int64", "dones", np.zeros(4, np.int64), {}),
                             ("rewards_length", "rewards", f32(np.zeros(5)), {}),
                             ("double_without_online", None, None, {"double": True}),
                             ("online_without_double", "next_q_online", f32(np.zeros((4, 3))), {}),
                             ("online_shape", "next_q_online", f32(np.zeros((4, 2))), {"double": True}),
                             ("gamma_1p5", None, None, {"gamma": 1.5})]:
        ins = dict(good)
        if k:
            ins[k] = v
        Case(f"dqn_target/error_{tag}", "dqn_target", attrs, ins, expect_error=True)


# ---- trajectories ---------------------------------------------------------------------------------------

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


def main():
    out = gc.parse_out(__doc__.split("\n")[0])
    root = os.path.join(out, FAMILY)
    gen_tabular()
    gen_running_mean()
    gen_linear_td()
    gen_dqn()
    gen_traj()
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    gc.reset_dir(root)
    write(root)
    gc.write_readme(out)
    n_err = sum(c.expect_error for c in CASES)
    print(f"{len(CASES)} rl cases ({n_err} expect_error) written to {root} "
          f"(PyTorch {torch.__version__}, NumPy {np.__version__})")


if __name__ == "__main__":
    main()
