"""The two evaluations of every rl formula, for gen_rl.py and its case modules: (a) plain Python
loops written from OPS.md's formulas (the expected values), (b) vectorised PyTorch formulations
(the cross-check), both in float64; close_or_die compares them. Not a script.
"""

import math

import numpy as np
import torch

import golden_common as gc
from golden_common import F32


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
