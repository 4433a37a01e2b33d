#!/usr/bin/python3
"""Golden-case generator for jkernels' vector-quantisation ops (OPS.md "Vector quantisation (VQ-VAE)").

How to run (from the repository root; needs PyTorch and NumPy, e.g. Debian's python3-torch):

    /usr/bin/python3 tools/golden/gen_vq.py [--out DIR] [--table FILE]

DIR defaults to src/test/resources/golden; FILE is the op table (tools/optable.py), against which
every case written is checked (golden_common.check_family: its ops, inputs and outputs); the script
deletes and rewrites only DIR/vq, then DIR/README.md (golden_common.write_readme). It is
deterministic: every case draws from its own NumPy generator seeded with the CRC-32 of its name.

Expected values are the OPS.md formulas in float64 on the float32 inputs, by PyTorch, each
cross-checked against an independent NumPy evaluation before it is written:
- vq_nearest: d = ((x[:, None] - c[None]) ** 2).sum(-1) in float64 (explicit sum of squares, not
  torch.cdist, whose matmul path is not float64-exact), indices = torch.argmin(d, 1) (first NaN;
  lowest index on an exact tie), quantized = c[indices], distance = d[n, indices[n]] -> float32.
  NumPy check: a plain loop with the same tie/NaN rule. Indices are compared exactly by the
  runner, so apart from the deliberate exact ties every case is checked to have a unique argmin
  with a relative gap > 1e-9 (no near tie that float64 rounding order could flip).
- vq_ema_update: count, sum by one_hot (torch) and by np.add.at (NumPy), then the OPS.md lines.
Outputs are `<f4` (indices `<i8`); tolerances are the OPS.md defaults (not written).
Error cases (expect_error): D mismatch, K = 0, an i32 codebook, an index = K, a negative index,
decay 1.5, eps 0, total 0.
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # golden_common sits beside this file
import golden_common as gc  # noqa: E402
from golden_common import F32, NAN, rng_for  # noqa: E402

FAMILY = "vq"


def randn(rng, shape, scale=1.0):
    return gc.randn(rng, shape, scale)  # (unit scale by default here)


# ---- vq_nearest -----------------------------------------------------------------------------

def nearest_torch(x, c):
    xt = torch.from_numpy(x.astype(np.float64))
    ct = torch.from_numpy(c.astype(np.float64))
    d = ((xt[:, None, :] - ct[None, :, :]) ** 2).sum(-1)
    if x.shape[0] == 0:
        idx = torch.zeros(0, dtype=torch.int64)
    else:
        idx = torch.argmin(d, dim=1)
    q = ct[idx]
    dist = d.gather(1, idx[:, None])[:, 0] if x.shape[0] else torch.zeros(0, dtype=torch.float64)
    return idx.numpy(), q.numpy(), dist.numpy(), d.numpy()


def nearest_numpy(x, c):
    n, k = x.shape[0], c.shape[0]
    idx = np.zeros(n, dtype=np.int64)
    for r in range(n):
        best, bv = 0, None
        for j in range(k):
            v = float(np.sum((x[r].astype(np.float64) - c[j].astype(np.float64)) ** 2))
            if bv is None:
                best, bv = j, v
            elif np.isnan(v):
                if not np.isnan(bv):
                    best, bv = j, v
            elif not np.isnan(bv) and v < bv:
                best, bv = j, v
        idx[r] = best
    return idx


def check_unique(name, d, idx, allow_ties):
    for r in range(d.shape[0]):
        row = d[r]
        if np.isnan(row).any():
            continue
        best = row[idx[r]]
        others = np.delete(row, idx[r])
        if others.size == 0:
            continue
        gap = others.min() - best
        if allow_ties and gap == 0:
            continue
        assert gap > 1e-9 * max(best, 1e-300), f"{name}: row {r} has a near tie (gap {gap}, best {best})"


def nearest_case(name, x, c, allow_ties=False):
    idx, q, dist, d = nearest_torch(x, c)
    assert np.array_equal(idx, nearest_numpy(x, c)), name + ": torch argmin vs numpy loop"
    check_unique(name, d, idx, allow_ties)
    outs = {"indices": idx.astype(np.int64), "quantized": q.astype(F32), "distance": dist.astype(F32)}
    return dict(name=name, op="vq_nearest", attrs={}, inputs={"input": x, "codebook": c}, outputs=outs)


def nearest_cases():
    cases = []
    for n, k, dd in [(7, 5, 3), (130, 129, 4), (17, 257, 1), (3, 6, 255), (33, 130, 12), (1, 1, 8)]:
        name = f"vq_nearest_randn_{n}x{dd}_k{k}"
        rng = rng_for(name)
        cases.append(nearest_case(name, randn(rng, (n, dd)), randn(rng, (k, dd))))
    # far from the origin, close together: |x| ~ 1e3, distances ~ 1e-2 * D
    name = "vq_nearest_offset_1e3"
    rng = rng_for(name)
    base = randn(rng, (1, 16), 1000.0).astype(np.float64)
    c = (base + 0.01 * rng.standard_normal((40, 16))).astype(F32)
    x = (base + 0.01 * rng.standard_normal((25, 16))).astype(F32)
    cases.append(nearest_case(name, x, c))
    # exact ties: duplicated codes, and +-e_j around x = 0 (lowest index wins)
    name = "vq_nearest_ties"
    rng = rng_for(name)
    c = randn(rng, (8, 5))
    c = np.concatenate([c, c[::-1]])
    x = np.concatenate([randn(rng, (6, 5)), np.zeros((2, 5), F32)])
    cases.append(nearest_case(name, x, c, allow_ties=True))
    name = "vq_nearest_symmetric_ties"
    c = np.concatenate([-np.eye(3, dtype=F32), np.eye(3, dtype=F32)])
    cases.append(nearest_case(name, np.zeros((4, 3), F32), c, allow_ties=True))
    # NaN: a NaN row (all distances NaN: index 0), NaN codes (the first NaN code wins)
    name = "vq_nearest_nan_input"
    rng = rng_for(name)
    x = randn(rng, (5, 4))
    x[2, 1] = NAN
    cases.append(nearest_case(name, x, randn(rng, (9, 4))))
    name = "vq_nearest_nan_codes"
    rng = rng_for(name)
    c = randn(rng, (9, 4))
    c[6, 0] = NAN
    c[8, 3] = NAN
    cases.append(nearest_case(name, randn(rng, (5, 4)), c))
    name = "vq_nearest_empty"
    rng = rng_for(name)
    cases.append(nearest_case(name, np.zeros((0, 4), F32), randn(rng, (3, 4))))
    # errors
    rng = rng_for("vq_nearest_errors")
    cases.append(dict(name="vq_nearest_error_d_mismatch", op="vq_nearest", attrs={},
                      inputs={"input": randn(rng, (4, 3)), "codebook": randn(rng, (5, 4))}, error=True))
    cases.append(dict(name="vq_nearest_error_k0", op="vq_nearest", attrs={},
                      inputs={"input": randn(rng, (4, 3)), "codebook": np.zeros((0, 3), F32)}, error=True))
    cases.append(dict(name="vq_nearest_error_i32_codebook", op="vq_nearest", attrs={},
                      inputs={"input": randn(rng, (4, 3)), "codebook": np.zeros((5, 3), np.int32)}, error=True))
    return cases


# ---- vq_ema_update --------------------------------------------------------------------------

def ema_torch(x, idx, cs, es, decay, eps):
    k = cs.shape[0]
    xt = torch.from_numpy(x.astype(np.float64))
    it = torch.from_numpy(idx.astype(np.int64))
    onehot = torch.nn.functional.one_hot(it, k).double() if it.numel() else torch.zeros(0, k, dtype=torch.float64)
    count = onehot.sum(0)
    s = onehot.T @ xt
    cs2 = decay * torch.from_numpy(cs.astype(np.float64)) + (1 - decay) * count
    es2 = decay * torch.from_numpy(es.astype(np.float64)) + (1 - decay) * s
    total = cs2.sum()
    smoothed = (cs2 + eps) / (total + k * eps) * total
    return cs2.numpy(), es2.numpy(), (es2 / smoothed[:, None]).numpy()


def ema_numpy(x, idx, cs, es, decay, eps):
    k, d = es.shape
    count = np.zeros(k)
    s = np.zeros((k, d))
    np.add.at(count, idx.astype(np.int64), 1.0)
    np.add.at(s, idx.astype(np.int64), x.astype(np.float64))
    cs2 = decay * cs.astype(np.float64) + (1 - decay) * count
    es2 = decay * es.astype(np.float64) + (1 - decay) * s
    total = cs2.sum()
    return cs2, es2, es2 / ((cs2 + eps) / (total + k * eps) * total)[:, None]


def ema_case(name, x, idx, cs, es, attrs):
    decay = attrs.get("decay", 0.99)
    eps = attrs.get("eps", 1e-5)
    t = ema_torch(x, idx, cs, es, decay, eps)
    n = ema_numpy(x, idx, cs, es, decay, eps)
    for a, b in zip(t, n):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-14), name + ": torch vs numpy"
    outs = {"cluster_size": t[0].astype(F32), "embed_sum": t[1].astype(F32), "codebook": t[2].astype(F32)}
    return dict(name=name, op="vq_ema_update", attrs=attrs,
                inputs={"input": x, "indices": idx, "cluster_size": cs, "embed_sum": es}, outputs=outs)


def ema_state(rng, n, k, d, skew=False):
    x = randn(rng, (n, d))
    idx = rng.integers(0, k, n).astype(np.int64)
    if skew:
        idx[rng.random(n) < 0.7] = 0
    cs = (5 * rng.random(k)).astype(F32)
    es = randn(rng, (k, d), 2.0)
    return x, idx, cs, es


def ema_cases():
    cases = []
    for n, k, d, skew, attrs in [(50, 7, 3, False, {}), (200, 9, 16, True, {"decay": 0.5, "eps": 1e-3}),
                                 (3, 130, 5, False, {"decay": 0.0}), (64, 4, 1, False, {"decay": 1.0})]:
        name = f"vq_ema_update_{n}x{d}_k{k}" + ("_skew" if skew else "") + "".join(
            f"_{a}_{str(v).replace('.', 'p').replace('-', 'm')}" for a, v in attrs.items())
        x, idx, cs, es = ema_state(rng_for(name), n, k, d, skew)
        cases.append(ema_case(name, x, idx, cs, es, attrs))
    name = "vq_ema_update_empty_batch"
    x, idx, cs, es = ema_state(rng_for(name), 0, 5, 3)
    cases.append(ema_case(name, x, idx, cs, es, {}))
    name = "vq_ema_update_int32_indices"
    x, idx, cs, es = ema_state(rng_for(name), 20, 6, 4)
    c = ema_case(name, x, idx, cs, es, {})
    c["inputs"]["indices"] = idx.astype(np.int32)
    cases.append(c)
    # errors: nothing may be written
    rng = rng_for("vq_ema_update_errors")
    for suffix, mutate, attrs in [
            ("index_k", lambda s: s[1].__setitem__(7, 6), {}),
            ("index_negative", lambda s: s[1].__setitem__(0, -1), {}),
            ("decay_1p5", None, {"decay": 1.5}),
            ("eps_0", None, {"eps": 0.0}),
            ("total_0", lambda s: s[2].__setitem__(slice(None), 0.0), {"decay": 1.0})]:
        s = list(ema_state(rng, 12, 6, 3))
        if mutate:
            mutate(s)
        cases.append(dict(name="vq_ema_update_error_" + suffix, op="vq_ema_update", attrs=attrs,
                          inputs={"input": s[0], "indices": s[1], "cluster_size": s[2], "embed_sum": s[3]},
                          error=True))
    return cases


# ---- writing --------------------------------------------------------------------------------

def main():
    args = gc.parse_args(__doc__.split("\n")[0])
    table = gc.load_table(args.table)
    out = args.out
    root = os.path.join(out, FAMILY)
    gc.reset_dir(root)
    cases = nearest_cases() + ema_cases()
    for c in cases:
        case = gc.Case(c["name"], c["op"], c["attrs"], c["inputs"], expect_error=c.get("error", False),
                       outputs=c.get("outputs"))
        gc.write_case(root, case)
    gc.check_family(table, out, FAMILY)
    gc.write_readme(out)
    print(f"wrote {len(cases)} cases to {root}")


if __name__ == "__main__":
    main()
