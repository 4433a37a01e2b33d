"""The rl cases of running_mean_update, linear_td_update and dqn_target, for gen_rl.py.
Not a script.
"""

import numpy as np
import torch

from golden_common import F32, INF, NAN, rng_for
from rl_case import Case, attr
from rl_reference import T, close_or_die, f32, loop_dqn, loop_linear_td, loop_running_mean

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
