"""Reinforcement-learning entries of the PyTorch peer (the bench entries of
table/families/RlTable.java and RlReturnsTable.java, measured by bench/RlCases.java): tabular
updates, dqn_target and the trajectory ops (an eager loop over the steps and a log-depth scan)."""
import torch

from .common import Case, Variant, compiled, count

# the attr defaults of the Java ops, with which the bench runs them (torch_peer.py checks ATTRS
# against the op table); ACTIONS is the bench's (RlCases.ACTIONS)
GAMMA, ALPHA, LMBDA = 0.99, 0.1, 0.95
ACTIONS = 18
ATTRS = [(op, "gamma", GAMMA) for op in ("td0_update", "q_learning_update", "dqn_target", "discounted_return",
                                         "gae", "td_lambda_return")]
ATTRS += [("td0_update", "alpha", ALPHA), ("q_learning_update", "alpha", ALPHA), ("gae", "lmbda", LMBDA),
          ("td_lambda_return", "lmbda", LMBDA), ("td0_update", "reduction", "sum"),
          ("q_learning_update", "reduction", "sum"), ("dqn_target", "double", False)]


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

    return Case(name, "f32", "T=%s B=%s" % (count(steps), count(cols)), nbytes, build)


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
        Case("q_learning_update_f32", "f32", "B=%s S=%s A=%d" % (count(b), count(s), ACTIONS),
             b * (8 + 8 + 4 + 8 + 1) + 2 * s * ACTIONS * 4, tabular(True), compiles=True),
        Case("td0_update_f32", "f32", "B=%s S=%s" % (count(b), count(s)),
             b * (8 + 4 + 8 + 1) + 2 * s * 4, tabular(False), compiles=True),
        Case("dqn_target_f32", "f32", "B=%s A=%d" % (count(b), ACTIONS), b * (ACTIONS * 4 + 4 + 1 + 4),
             build_dqn, compiles=True),
        trajectory_case(ctx, "gae_f32", "gae", steps, cols, n * (4 + 4 + 4 + 1 + 1 + 4 + 4)),
        trajectory_case(ctx, "gae_long_f32", "gae", long_steps, 1, long_steps * (4 + 4 + 4 + 1 + 1 + 4 + 4)),
        trajectory_case(ctx, "discounted_return_f32", "discounted_return", steps, cols, n * (4 + 1 + 4) + cols * 4),
        trajectory_case(ctx, "td_lambda_return_f32", "td_lambda_return", steps, cols, n * (4 + 4 + 1 + 1 + 4)),
    ]
