#!/usr/bin/env python3
"""PyTorch side of `jkernels bench` (issue #5): the same ops at the same sizes on the same GPU,
timed the same way, written as JSON in the bench schema (jkernels-bench/1, see
src/main/java/io/jkernels/bench/BenchReport.java) so that

    jkernels bench --backend cuda --json bench.json --peer torch.json --png ratio.png

prints and draws jkernels GB/s / best PyTorch GB/s per op.

Method (as the Java harness): inputs are standard normal samples; each op is warmed up (at least
3 calls and 0.2 s; 0.1 s on cpu), then a sample is CUDA events recorded on the current stream
around k back-to-back calls (on cpu: time.perf_counter around them), k chosen so a sample lasts at
least 2 ms (20 ms on cpu), divided by k; the median and spread of --repeat samples (default 30)
are reported. Bytes are the Java entry's: the fewest the op must move, each input read once, each
output written once (a table read and written once); for vq_nearest flops = 2 N K D as well. GB/s
= bytes / median, so the ratio of GB/s is the ratio of times. copy_gbps is a device-to-device copy
(dst.copy_(src), uint8) of the same byte count measured in this run.

Op names, dtypes and size strings are those of the Java entries (io.jkernels.bench.*Bench, listed
by `jkernels bench --list`), at --scale gpu (Scale.GPU, the default) or host (Scale.HOST):

  tensor       copy_<dt>                                    n=2^28 (host 2^20)
  activations  <act>[_backward]_<dt>, dt f32 and bf16       n=2^28, gated n=2^27 (host 2^20, 2^19)
  optimizers   adamw_f32 adamw_amsgrad_f32 adam_f32         n=2^27 (host 2^20), torch.optim defaults
               adamw_gpt2_small_f32                         GPT-2 small's 148 tensors (host: a small GPT-2)
  resampling   pixel_shuffle_f32 pixel_unshuffle_f32        r = 2 of (8, 256, 128, 128) and back
               upsample_{nearest,bilinear}2d[_backward]_f32 x2, (8, 64, 256, 256) -> (512, 512)
  vq           vq_nearest_d256_k8192_f32 vq_nearest_d64_k512_f32 vq_nearest_d64_k1024_f32
               vq_ema_update_d64_k1024_f32
  rl           q_learning_update_f32 td0_update_f32 dqn_target_f32 gae_f32 gae_long_f32
               discounted_return_f32 td_lambda_return_f32

Variants (the ratio uses the best ok one): "eager" is the plain PyTorch call or composition
(F.relu(x), torch.ops.aten.threshold_backward, an optimizer with foreach=False, a Python loop over
the time steps...); "compile" is torch.compile of the composition where it compiles; the others
are named for what they use ("foreach", "fused", "cdist", "matmul", "onehot", "scan"). "scan" is
a log-depth scan of the affine maps y[t] = b[t] + a[t] y[t+1] in float64 (no division, no
cumprod): the only PyTorch formulation of gae over T = 2^20 steps, whose "eager" loop is reported
FAILED instead of timed. Trajectory variants record max_abs_err against a float64 loop over the
last steps (the recurrence runs backwards, so a suffix is exact on its own).

    python3 benchmarks/torch_peer.py --json torch.json [--ops REGEX] [--repeat N] [--scale gpu|host]
                                     [--device cuda|cpu] [--no-compile]
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}
HAS_COMPILE = hasattr(torch, "compile")

# the constants of the Java ops (io.jkernels.ops.Td, VectorQuantizer, Activations)
GAMMA, ALPHA, LMBDA = 0.99, 0.1, 0.95
EMA_DECAY, EMA_EPS = 0.99, 1e-5
LEAKY_SLOPE, ELU_ALPHA = 0.01, 1.0
ACTIONS = 18


def count(n):
    return "2^%d" % (n.bit_length() - 1) if n > 0 and n & (n - 1) == 0 else str(n)


def shape_str(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


def numel(shape):
    return math.prod(shape) if hasattr(math, "prod") else int(torch.tensor(shape).prod())


# ---- sizes: (gpu, host) as the Java family classes --------------------------------------------------

SIZES = {
    "elementwise": (1 << 28, 1 << 20),        # ElementwiseBench.ELEMENTWISE
    "gated": (1 << 27, 1 << 19),              # ElementwiseBench.GATED
    "optimizer": (1 << 27, 1 << 20),          # OptimizerBench.ONE_TENSOR
    "gpt2": ((50257, 1024, 768, 12), (2048, 256, 64, 2)),  # OptimizerBench.gpt2(scale)
    "shuffle": ((8, 256, 128, 128), (2, 32, 32, 32)),      # ResampleBench.shuffleShape
    "upsample": ((8, 64, 256, 256), (2, 8, 64, 64)),       # ResampleBench.upsampleShape
    "vq_d256_k8192": ((65536, 256, 8192), (2048, 256, 512)),  # VqBench: (n, d, k)
    "vq_d64_k512": ((1 << 20, 64, 512), (8192, 64, 256)),
    "vq_d64_k1024": ((1 << 20, 64, 1024), (8192, 64, 512)),
    "vq_ema": ((1 << 20, 64, 1024), (1 << 16, 64, 1024)),
    "rl_batch": (1 << 20, 1 << 16),           # RlBench.BATCH
    "rl_states": (1 << 16, 1 << 12),          # RlBench.STATES
    "rl_steps": (2048, 256),                  # RlBench.STEPS
    "rl_columns": (4096, 512),                # RlBench.COLUMNS
    "rl_long_steps": (1 << 20, 1 << 17),      # RlBench.LONG_STEPS
}


class Ctx:
    """What the case builders need: device, scale, generator, whether to add compile variants."""

    def __init__(self, device, scale, gen, compile_variants):
        self.device, self.scale, self.gen, self.compile_variants = device, scale, gen, compile_variants

    def size(self, key):
        return SIZES[key][0 if self.scale == "gpu" else 1]

    def randn(self, *shape, dtype=torch.float32, scale=1.0):
        x = torch.randn(*shape, device=self.device, generator=self.gen)
        if scale != 1.0:
            x.mul_(scale)
        return x.to(dtype)

    def rand(self, *shape, scale=1.0):
        return torch.rand(*shape, device=self.device, generator=self.gen).mul_(scale)

    def mask(self, p, *shape):
        return torch.rand(*shape, device=self.device, generator=self.gen) < p

    def randint(self, bound, n):
        return torch.randint(0, bound, (n,), device=self.device, generator=self.gen)


class Variant:
    """One way to run an op: fn() does one call; or error (FAILED, untimed); check() -> max_abs_err."""

    def __init__(self, name, fn=None, error=None, check=None):
        self.name, self.fn, self.error, self.check = name, fn, error, check


class Case:
    def __init__(self, op, family, dtype, size, nbytes, build, flops=0, compiles=False):
        """compiles: build adds a "compile" variant when ctx.compile_variants."""
        self.op, self.family, self.dtype, self.size, self.nbytes, self.build, self.flops, self.compiles = (
            op, family, dtype, size, nbytes, build, flops, compiles)


def compiled(ctx, name, fn, **kw):
    """A "compile" variant of fn, or none (--no-compile), or a FAILED one without torch.compile."""
    if not ctx.compile_variants:
        return []
    if not HAS_COMPILE:
        return [Variant(name, error="torch.compile is not available in torch %s" % torch.__version__)]
    return [Variant(name, torch.compile(fn, **kw), check=None)]


# ---- tensor and activations ------------------------------------------------------------------------

def silu_grad(g):
    s = torch.sigmoid(g)
    return s * (1 + g * (1 - s))


def swiglu_bwd(dy, g, u):
    return dy * u * silu_grad(g), dy * F.silu(g)


def geglu_bwd(dy, g, u):
    cdf = 0.5 * (1 + torch.erf(g * 0.7071067811865476))
    pdf = torch.exp(-0.5 * g * g) * 0.3989422804014327
    return dy * u * (cdf + g * pdf), dy * F.gelu(g)


def reglu_bwd(dy, g, u):
    return dy * u * (g > 0), dy * F.relu(g)


def glu_bwd(dy, g, u):
    s = torch.sigmoid(g)
    return dy * u * s * (1 - s), dy * s


def heaviside(x):
    return torch.heaviside(x, torch.zeros((), dtype=x.dtype, device=x.device))


# name -> (number of inputs, number of outputs, gated?, eager fn, composition to torch.compile or None).
# sigmoid_backward and tanh_backward: aten's take the forward output, jkernels the input; the same
# bytes either way.
OPS = {
    "copy": (1, 1, False, lambda x: x.clone(), None),
    "relu": (1, 1, False, F.relu, None),
    "relu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.threshold_backward(dy, x, 0), None),
    "leaky_relu": (1, 1, False, F.leaky_relu, None),
    "leaky_relu_backward": (2, 1, False,
                            lambda dy, x: torch.ops.aten.leaky_relu_backward(dy, x, LEAKY_SLOPE, False), None),
    "elu": (1, 1, False, F.elu, None),
    "elu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.elu_backward(dy, ELU_ALPHA, 1, 1, False, x), None),
    "sigmoid": (1, 1, False, torch.sigmoid, None),
    "sigmoid_backward": (2, 1, False, lambda dy, y: torch.ops.aten.sigmoid_backward(dy, y), None),
    "tanh": (1, 1, False, torch.tanh, None),
    "tanh_backward": (2, 1, False, lambda dy, y: torch.ops.aten.tanh_backward(dy, y), None),
    "gelu": (1, 1, False, F.gelu, None),
    "gelu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.gelu_backward(dy, x), None),
    "silu": (1, 1, False, F.silu, None),
    "silu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.silu_backward(dy, x), None),
    "heaviside": (1, 1, False, heaviside, None),
    "swiglu": (2, 1, True, lambda g, u: F.silu(g) * u, lambda g, u: F.silu(g) * u),
    "swiglu_backward": (3, 2, True, swiglu_bwd, swiglu_bwd),
    "geglu": (2, 1, True, lambda g, u: F.gelu(g) * u, lambda g, u: F.gelu(g) * u),
    "geglu_backward": (3, 2, True, geglu_bwd, geglu_bwd),
    "reglu": (2, 1, True, lambda g, u: F.relu(g) * u, lambda g, u: F.relu(g) * u),
    "reglu_backward": (3, 2, True, reglu_bwd, reglu_bwd),
    "glu": (2, 1, True, lambda g, u: torch.sigmoid(g) * u, lambda g, u: torch.sigmoid(g) * u),
    "glu_backward": (3, 2, True, glu_bwd, glu_bwd),
}


def elementwise_cases(ctx):
    out = []
    for dname, dtype in DTYPES.items():
        for op, (nin, nout, gated, eager, composed) in OPS.items():
            n = ctx.size("gated" if gated else "elementwise")
            nbytes = (nin + nout) * n * torch.empty((), dtype=dtype).element_size()

            def build(ctx, nin=nin, n=n, dtype=dtype, eager=eager, composed=composed):
                inputs = [ctx.randn(n, dtype=dtype) for _ in range(nin)]
                v = [Variant("eager", lambda: eager(*inputs))]
                if composed is not None:
                    for c in compiled(ctx, "compile", composed):
                        if c.fn is not None:
                            fn = c.fn
                            c.fn = lambda fn=fn: fn(*inputs)
                        v.append(c)
                return v

            out.append(Case("%s_%s" % (op, dname), "tensor" if op == "copy" else "activations", dname,
                            "n=" + count(n), nbytes, build, compiles=composed is not None))
    return out


# ---- optimizers --------------------------------------------------------------------------------------

def gpt2_shapes(vocab, context, d, layers):
    s = [(vocab, d), (context, d)]
    for _ in range(layers):
        s += [(d,), (d,), (d, 3 * d), (3 * d,), (d, d), (d,), (d,), (d,), (d, 4 * d), (4 * d,), (4 * d, d), (d,)]
    return s + [(d,), (d,)]


def optimizer_variants(ctx, cls, shapes, amsgrad, flavours):
    """One optimizer per flavour (foreach=False "eager", foreach=True, fused=True) over fresh
    parameters with N(0, 1) grads; each call is opt.step() (the state steps on)."""
    out = []
    for name, kw in flavours:
        try:
            params = [torch.nn.Parameter(ctx.randn(*s)) for s in shapes]
            for p in params:
                p.grad = ctx.randn(*p.shape)
            opt = cls(params, amsgrad=amsgrad, **kw)
            opt.step()  # creates the state: exp_avg, exp_avg_sq (and max_exp_avg_sq)
            out.append(Variant(name, opt.step))
        except (TypeError, RuntimeError, ValueError) as e:
            out.append(Variant(name, error="%s(%s): %s: %s" % (cls.__name__, ", ".join(
                "%s=%s" % kv for kv in kw.items()), type(e).__name__, str(e).splitlines()[0][:200])))
    return out


FLAVOURS = [("eager", dict(foreach=False)), ("foreach", dict(foreach=True)), ("fused", dict(fused=True))]


def optimizer_cases(ctx):
    n = ctx.size("optimizer")
    out = []
    for op, cls, amsgrad in (("adamw", torch.optim.AdamW, False), ("adamw_amsgrad", torch.optim.AdamW, True),
                             ("adam", torch.optim.Adam, False)):
        out.append(Case(op + "_f32", "optimizers", "f32", "n=" + count(n), (9 if amsgrad else 7) * 4 * n,
                        lambda ctx, cls=cls, amsgrad=amsgrad: optimizer_variants(ctx, cls, [(n,)], amsgrad,
                                                                                  FLAVOURS)))
    shapes = gpt2_shapes(*ctx.size("gpt2"))
    total = sum(numel(s) for s in shapes)
    out.append(Case("adamw_gpt2_small_f32", "optimizers", "f32", "%d tensors, n=%d" % (len(shapes), total),
                    7 * 4 * total,
                    lambda ctx: optimizer_variants(ctx, torch.optim.AdamW, shapes, False, FLAVOURS)))
    return out


# ---- resampling --------------------------------------------------------------------------------------

def resample_cases(ctx):
    sh = tuple(ctx.size("shuffle"))
    unsh = (sh[0], sh[1] // 4, sh[2] * 2, sh[3] * 2)
    up = tuple(ctx.size("upsample"))
    big = (up[0], up[1], up[2] * 2, up[3] * 2)

    def case(op, in_shape, out_shape, eager, compile_fn=None):
        def build(ctx):
            x = ctx.randn(*in_shape)
            v = [Variant("eager", lambda: eager(x))]
            if compile_fn is not None:
                for c in compiled(ctx, "compile", compile_fn):
                    if c.fn is not None:
                        fn = c.fn
                        c.fn = lambda fn=fn: fn(x)
                    v.append(c)
            return v

        return Case(op + "_f32", "resampling", "f32", shape_str(in_shape) + "->" + shape_str(out_shape),
                    (numel(in_shape) + numel(out_shape)) * 4, build, compiles=compile_fn is not None)

    def nearest(x):
        return F.interpolate(x, scale_factor=2, mode="nearest")

    def bilinear(x):
        return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)

    out_hw, in_size = [big[2], big[3]], list(up)

    def nearest_bwd(g):
        return torch.ops.aten.upsample_nearest2d_backward(g, out_hw, in_size, 2.0, 2.0)

    def bilinear_bwd(g):
        return torch.ops.aten.upsample_bilinear2d_backward(g, out_hw, in_size, False, 2.0, 2.0)

    return [
        case("pixel_shuffle", sh, unsh, lambda x: F.pixel_shuffle(x, 2)),
        case("pixel_unshuffle", unsh, sh, lambda x: F.pixel_unshuffle(x, 2)),
        case("upsample_nearest2d", up, big, nearest),
        case("upsample_nearest2d_backward", big, up, nearest_bwd),
        case("upsample_bilinear2d", up, big, bilinear, bilinear),
        case("upsample_bilinear2d_backward", big, up, bilinear_bwd, bilinear_bwd),
    ]


# ---- vq ----------------------------------------------------------------------------------------------

def vq_cdist(x, c):
    d, idx = torch.cdist(x, c).min(1)
    return idx, c.index_select(0, idx), d * d


def vq_matmul(x, c):
    d2 = (x * x).sum(1, keepdim=True) - 2 * (x @ c.t()) + (c * c).sum(1)
    dist, idx = d2.min(1)
    return idx, c.index_select(0, idx), dist


def vq_cases(ctx):
    out = []
    for key in ("vq_d256_k8192", "vq_d64_k512", "vq_d64_k1024"):
        n, d, k = ctx.size(key)

        def build(ctx, n=n, d=d, k=k):
            x, c = ctx.randn(n, d), ctx.randn(k, d)
            v = [Variant("cdist", lambda: vq_cdist(x, c)), Variant("matmul", lambda: vq_matmul(x, c))]
            for cv in compiled(ctx, "compile", vq_matmul):
                if cv.fn is not None:
                    fn = cv.fn
                    cv.fn = lambda fn=fn: fn(x, c)
                v.append(cv)
            return v

        out.append(Case("vq_nearest_%s_f32" % key[3:], "vq", "f32", "n=%s d=%d k=%d" % (count(n), d, k),
                        4 * (2 * n * d + k * d) + 12 * n, build, flops=2 * n * k * d, compiles=True))

    n, d, k = ctx.size("vq_ema")

    def build_ema(ctx):
        x, idx = ctx.randn(n, d), ctx.randint(k, n)
        cs = torch.ones(k, device=ctx.device)
        es = ctx.randn(k, d)

        def finish(counts, sums):
            cs.mul_(EMA_DECAY).add_(counts, alpha=1 - EMA_DECAY)
            es.mul_(EMA_DECAY).add_(sums, alpha=1 - EMA_DECAY)
            total = cs.sum()
            smoothed = (cs + EMA_EPS) / (total + k * EMA_EPS) * total
            return es / smoothed.unsqueeze(1)

        def index_add():  # bincount + index_add_ (scatter-add; nondeterministic order on CUDA)
            counts = torch.bincount(idx, minlength=k).to(torch.float32)
            sums = torch.zeros(k, d, device=x.device).index_add_(0, idx, x)
            return finish(counts, sums)

        def onehot():  # VQ-VAE-2's: one-hot (N, K) matrix, sums = onehot^T x
            oh = F.one_hot(idx, k).to(torch.float32)
            return finish(oh.sum(0), oh.t() @ x)

        # the one-hot matmul takes seconds per call on a host (an (N, K) x (N, D) GEMM): cuda only
        return [Variant("eager", index_add)] + ([Variant("onehot", onehot)] if ctx.device == "cuda" else [])

    out.append(Case("vq_ema_update_d64_k1024_f32", "vq", "f32", "n=%s d=%d k=%d" % (count(n), d, k),
                    4 * n * d + 8 * n + 4 * 2 * k + 4 * 3 * k * d, build_ema))
    return out


# ---- rl ----------------------------------------------------------------------------------------------

def q_learning(q, s, a, r, s2, done):
    flat = q.view(-1)
    idx = s * q.shape[1] + a
    nxt = q.index_select(0, s2).amax(1).masked_fill(done, 0)
    td = r + GAMMA * nxt - flat.index_select(0, idx)
    flat.index_add_(0, idx, td, alpha=ALPHA)  # Reduction.SUM: every transition's TD error, from the old table
    return q


def td0(v, s, r, s2, done):
    td = r + GAMMA * v.index_select(0, s2).masked_fill(done, 0) - v.index_select(0, s)
    v.index_add_(0, s, td, alpha=ALPHA)
    return v


def dqn_target(next_q, r, done):
    return r + GAMMA * next_q.amax(1).masked_fill(done, 0)


def affine_scan(a, b):
    """y[t] = b[t] + a[t] y[t+1] for t = T-1..0 with y[T] = 0, along dim 0 (float64): log2(T)
    doubling steps composing y[t] = b'[t] + a'[t] y[t + off]."""
    t, off = a.shape[0], 1
    while off < t:
        nb = b.clone()
        nb[:-off].addcmul_(a[:-off], b[off:])
        na = a.clone()
        na[:-off].mul_(a[off:])
        a, b, off = na, nb, 2 * off
    return b


def loop(a, b, last, out):
    """The same recurrence as a Python loop (one launch per step), into out; last = y[T]."""
    for t in range(a.shape[0] - 1, -1, -1):
        torch.addcmul(b[t], a[t], last, out=out[t])
        last = out[t]
    return out


def trajectory_coeffs(op, x):
    """(a, b, y[T]) of the op's recurrence, in the dtype of x's float tensors."""
    r = x["rewards"]
    keep = (~x["dones"]).to(r.dtype)
    if op == "gae":
        delta = r + GAMMA * x["next_values"].masked_fill(x["terminated"], 0) - x["values"]
        return GAMMA * LMBDA * keep, delta, torch.zeros_like(r[0])
    if op == "discounted_return":
        return GAMMA * keep, r, x["bootstrap"]
    nv = x["next_values"].masked_fill(x["terminated"], 0)
    stop = x["dones"].clone()
    stop[-1] = True
    return (GAMMA * LMBDA * (~stop).to(r.dtype), r + GAMMA * nv * torch.where(stop, torch.ones_like(r),
                                                                            torch.full_like(r, 1 - LMBDA)),
            torch.zeros_like(r[0]))


def trajectory_case(ctx, name, op, steps, cols, nbytes):
    def build(ctx):
        x = {"rewards": ctx.randn(steps, cols), "dones": ctx.mask(0.002, steps, cols)}
        if op == "gae":
            x.update(values=ctx.randn(steps, cols), next_values=ctx.randn(steps, cols),
                     terminated=ctx.mask(0.001, steps, cols))
        elif op == "discounted_return":
            x["bootstrap"] = ctx.randn(cols)
        else:
            x.update(next_values=ctx.randn(steps, cols), terminated=ctx.mask(0.001, steps, cols))
        out = torch.empty(steps, cols, device=ctx.device)

        def finish(y, values=x.get("values")):
            return (y, y + values) if op == "gae" else (y,)

        def eager():
            a, b, last = trajectory_coeffs(op, x)
            return finish(loop(a, b, last, out))

        def scan():
            x64 = {k: (v.double() if v.is_floating_point() else v) for k, v in x.items()}
            a, b, last = trajectory_coeffs(op, x64)
            b[-1].addcmul_(a[-1], last)  # y[T] (the bootstrap) folded into the last step
            return finish(out.copy_(affine_scan(a, b)))

        # reference: a float64 loop over the last steps of the first columns (exact on its own)
        tail, c = min(steps, 512), min(cols, 64)
        sub = {k: (v[-tail:, :c] if v.dim() == 2 else v[:c]) for k, v in x.items()}
        sub64 = {k: (v.double() if v.is_floating_point() else v) for k, v in sub.items()}
        a, b, last = trajectory_coeffs(op, sub64)
        ref = finish(loop(a, b, last, torch.empty(tail, c, dtype=torch.float64, device=ctx.device)),
                     sub64.get("values"))

        def check(fn):
            got = fn()
            return max(float((g[-tail:, :c].double() - e).abs().max()) for g, e in zip(got, ref))

        v = []
        if steps > 65536:
            v.append(Variant("eager", error="no PyTorch equivalent: a Python loop over T=%s steps (one launch "
                                            "per step) is not a usable implementation; see the scan variant"
                                            % count(steps)))
        else:
            v.append(Variant("eager", eager, check=check))
        v.append(Variant("scan", scan, check=check))
        return v

    return Case(name, "rl", "f32", "T=%s B=%s" % (count(steps), count(cols)), nbytes, build)


def rl_cases(ctx):
    b, s = ctx.size("rl_batch"), ctx.size("rl_states")

    def tabular(q_table):
        def build(ctx):
            x = dict(s=ctx.randint(s, b), a=ctx.randint(ACTIONS, b), r=ctx.randn(b), s2=ctx.randint(s, b),
                     done=ctx.mask(0.05, b))
            if q_table:
                q = ctx.randn(s, ACTIONS)
                fn, args = q_learning, (q, x["s"], x["a"], x["r"], x["s2"], x["done"])
            else:
                q = ctx.randn(s)
                fn, args = td0, (q, x["s"], x["r"], x["s2"], x["done"])
            v = [Variant("eager", lambda: fn(*args))]
            for c in compiled(ctx, "compile", fn):
                if c.fn is not None:
                    cfn = c.fn
                    c.fn = lambda cfn=cfn: cfn(*args)
                v.append(c)
            return v

        return build

    def build_dqn(ctx):
        nq, r, done = ctx.randn(b, ACTIONS), ctx.randn(b), ctx.mask(0.05, b)
        v = [Variant("eager", lambda: dqn_target(nq, r, done))]
        for c in compiled(ctx, "compile", dqn_target):
            if c.fn is not None:
                cfn = c.fn
                c.fn = lambda cfn=cfn: cfn(nq, r, done)
            v.append(c)
        return v

    steps, cols, long_steps = ctx.size("rl_steps"), ctx.size("rl_columns"), ctx.size("rl_long_steps")
    n = steps * cols
    return [
        Case("q_learning_update_f32", "rl", "f32", "B=%s S=%s A=%d" % (count(b), count(s), ACTIONS),
             b * (8 + 8 + 4 + 8 + 1) + 2 * s * ACTIONS * 4, tabular(True), compiles=True),
        Case("td0_update_f32", "rl", "f32", "B=%s S=%s" % (count(b), count(s)),
             b * (8 + 4 + 8 + 1) + 2 * s * 4, tabular(False), compiles=True),
        Case("dqn_target_f32", "rl", "f32", "B=%s A=%d" % (count(b), ACTIONS), b * (ACTIONS * 4 + 4 + 1 + 4),
             build_dqn, compiles=True),
        trajectory_case(ctx, "gae_f32", "gae", steps, cols, n * (4 + 4 + 4 + 1 + 1 + 4 + 4)),
        trajectory_case(ctx, "gae_long_f32", "gae", long_steps, 1, long_steps * (4 + 4 + 4 + 1 + 1 + 4 + 4)),
        trajectory_case(ctx, "discounted_return_f32", "discounted_return", steps, cols, n * (4 + 1 + 4) + cols * 4),
        trajectory_case(ctx, "td_lambda_return_f32", "td_lambda_return", steps, cols, n * (4 + 4 + 1 + 1 + 4)),
    ]


# ---- timing ------------------------------------------------------------------------------------------

def stats(samples):
    s = sorted(samples)

    def pct(p):
        r = p / 100 * (len(s) - 1)
        lo = int(math.floor(r))
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (r - lo) * (s[hi] - s[lo])

    med = pct(50)
    return {"samples": len(s), "median_us": med, "min_us": s[0], "p10_us": pct(10), "q1_us": pct(25),
            "q3_us": pct(75), "p90_us": pct(90), "max_us": s[-1], "mean_us": sum(s) / len(s),
            "spread": (pct(90) - pct(10)) / med if med > 0 else 0}


def measure(fn, repeat, cuda, warmup_s, min_sample_s):
    """(calls per sample, stats in us per call): CUDA events around batches of calls on cuda, the
    wall clock (time.perf_counter) around them on cpu."""
    if cuda:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

        def batch(k):
            start.record()
            for _ in range(k):
                fn()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) * 1e-3  # seconds
    else:
        def batch(k):
            t = time.perf_counter()
            for _ in range(k):
                fn()
            return time.perf_counter() - t

    best, calls, t0 = float("inf"), 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - t0 < warmup_s:
        best = min(best, batch(1))
        calls += 1
    k = max(1, min(1_000_000, math.ceil(min_sample_s / max(best, 1e-9))))
    return k, stats([batch(k) / k * 1e6 for _ in range(repeat)])


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def error_text(e):
    lines = str(e).strip().splitlines()
    return "%s: %s" % (type(e).__name__, (lines[0] if lines else "")[:300])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", required=True, help="output file (schema jkernels-bench/1), rewritten after each op")
    ap.add_argument("--ops", default=".*", help="only ops whose name (e.g. relu_bf16) matches this regex")
    ap.add_argument("--repeat", type=int, default=30, help="samples per op (>= 20)")
    ap.add_argument("--scale", choices=["gpu", "host"], default=None,
                    help="op sizes: gpu (the standard ones, default on cuda) or host (Scale.HOST, default on cpu)")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda", help="where to run (default cuda)")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variants")
    ap.add_argument("--list", action="store_true", help="print the op names and sizes, run nothing")
    a = ap.parse_args()
    scale = a.scale or ("gpu" if a.device == "cuda" else "host")
    cuda = a.device == "cuda"
    if a.repeat < 20:
        sys.exit("torch_peer.py: at least 20 samples per op, got %d" % a.repeat)
    if cuda and not a.list and not torch.cuda.is_available():
        sys.exit("torch_peer.py: no CUDA device visible to PyTorch (--device cpu runs on the host)")
    try:
        pattern = re.compile(a.ops)
    except re.error as e:
        sys.exit("torch_peer.py: --ops %r is not a valid regular expression: %s" % (a.ops, e))

    ctx = Ctx(a.device, scale, None, not a.no_compile)  # the generator once something runs (not for --list)
    every = elementwise_cases(ctx) + optimizer_cases(ctx) + resample_cases(ctx) + vq_cases(ctx) + rl_cases(ctx)
    if a.list:
        for c in every:
            print("%-32s %-12s %s" % (c.op, c.family, c.size))
        return 0
    todo = [c for c in every if pattern.search(c.op)]
    if not todo:
        sys.exit("torch_peer.py: --ops %r matches no op; the ops are: %s" % (a.ops, ", ".join(c.op for c in every)))
    try:
        open(a.json, "a").close()
    except OSError as e:
        sys.exit("torch_peer.py: cannot write %s: %s" % (a.json, e))

    ctx.gen = torch.Generator(device=a.device).manual_seed(int(time.time()))
    warmup_s, min_sample_s = (0.2, 2e-3) if cuda else (0.1, 20e-3)
    if cuda:
        props = torch.cuda.get_device_properties(0)
        device = "%s (sm_%d%d, %d SMs)" % (props.name, props.major, props.minor, props.multi_processor_count)
        binding = "torch " + torch.__version__ + " (CUDA " + str(torch.version.cuda) + ")"
    else:
        device = "%s (torch cpu, %d threads)" % (cpu_name(), torch.get_num_threads())
        binding = "torch " + torch.__version__ + " (cpu)"
    meta = {"tool": "torch", "backend": a.device, "device": device, "binding": binding,
            "driver": driver_version() if cuda else None, "timer": "cuda-events" if cuda else "wall-clock",
            "scale": scale, "samples": a.repeat,
            "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
            .replace("+00:00", "Z"),
            "commit": None, "command": " ".join(["torch_peer.py"] + sys.argv[1:]),
            "host": "%s %s, %d cores" % (platform.system(), platform.machine(), os.cpu_count()),
            "java": None, "seed": None}
    copies, results = {}, []

    def write():
        with open(a.json, "w") as f:
            json.dump({"schema": "jkernels-bench/1", "meta": meta, "ops": results,
                       "copies": list(copies.values()), "launch_overhead": []}, f, indent=2)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    t_start = time.perf_counter()
    # every op without torch.compile first, then the compile variants: compiling takes most of the
    # time, and the JSON (rewritten after each op) then holds every op if the run is cut short
    passes = [(False, todo)]
    if not a.no_compile:
        passes.append((True, [c for c in todo if c.compiles]))
    steps = [(flag, c) for flag, cases in passes for c in cases]
    order = {c.op: i for i, c in enumerate(todo)}
    for i, (compile_pass, case) in enumerate(steps):
        ctx.compile_variants = compile_pass
        print("[%d/%d] %s (%s)%s" % (i + 1, len(steps), case.op, case.size, " compile" if compile_pass else ""),
              file=sys.stderr, flush=True)
        base = {"op": case.op, "family": case.family, "dtype": case.dtype, "size": case.size,
                "bytes": case.nbytes, "flops": case.flops}
        copy_gbps = None
        try:
            if case.nbytes not in copies:
                src = torch.empty(case.nbytes // 2, device=a.device, dtype=torch.uint8).fill_(1)
                dst = torch.empty_like(src)
                k, st = measure(lambda: dst.copy_(src), a.repeat, cuda, warmup_s, min_sample_s)
                copies[case.nbytes] = dict(bytes=2 * (case.nbytes // 2), calls_per_sample=k, **st)
                copies[case.nbytes]["gbps"] = copies[case.nbytes]["bytes"] / (st["median_us"] * 1e-6) / 1e9
                del src, dst
            copy_gbps = copies[case.nbytes]["gbps"]
            variants = case.build(ctx)
            if compile_pass:
                variants = [v for v in variants if v.name == "compile"]
        except Exception as e:  # out of memory, an op missing from this torch...
            variants = [Variant("compile" if compile_pass else "eager", error=error_text(e))]
        for v in variants:
            row = dict(base, variant=v.name)
            err = v.error
            if err is None:
                try:
                    max_abs = v.check(v.fn) if v.check is not None else None
                    sync()
                    k, st = measure(v.fn, a.repeat, cuda, warmup_s, min_sample_s)
                    gbps = case.nbytes / (st["median_us"] * 1e-6) / 1e9
                    row.update(status="ok", error=None, max_abs_err=max_abs, calls_per_sample=k, **st, gbps=gbps,
                               copy_gbps=copy_gbps, copy_fraction=gbps / copy_gbps if copy_gbps else None)
                except Exception as e:  # torch.compile without a working Triton, out of memory...
                    err = error_text(e)
            if err is not None:
                row.update(status="FAILED", error=err, max_abs_err=None, calls_per_sample=0, samples=None,
                           median_us=None, gbps=None, copy_gbps=copy_gbps, copy_fraction=None)
                print("  %s %s FAILED: %s" % (case.op, v.name, err), file=sys.stderr)
            results.append(row)
            results.sort(key=lambda r: order[r["op"]])  # stable: an op's rows together, in table order
        del variants
        if cuda:
            torch.cuda.empty_cache()
        write()

    write()
    for r in results:
        if r["status"] != "ok":
            what = "FAILED"
        elif r["flops"]:
            what = "%.1f us  %.1f GB/s  %.1f GFLOP/s" % (r["median_us"], r["gbps"],
                                                        r["flops"] / (r["median_us"] * 1e-6) / 1e9)
        else:
            what = "%.1f us  %.1f GB/s" % (r["median_us"], r["gbps"])
        print("%-30s %-8s %-36s %s" % (r["op"], r["variant"], r["size"], what))
    print("%d rows (%d ok) in %.0f s -> %s" % (len(results), sum(r["status"] == "ok" for r in results),
                                               time.perf_counter() - t_start, a.json), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
