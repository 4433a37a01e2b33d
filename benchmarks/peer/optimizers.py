"""Optimizer entries of the PyTorch peer (the bench entries of table/families/OptimizersTable.java,
measured by bench/OptimizerCases.java): torch.optim's AdamW and Adam."""
import torch

from .common import Case, Variant, count, numel


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
        out.append(Case(op + "_f32", "f32", "n=" + count(n), (9 if amsgrad else 7) * 4 * n,
                        lambda ctx, cls=cls, amsgrad=amsgrad: optimizer_variants(ctx, cls, [(n,)], amsgrad,
                                                                                  FLAVOURS)))
    shapes = gpt2_shapes(*ctx.size("gpt2"))
    total = sum(numel(s) for s in shapes)
    out.append(Case("adamw_gpt2_small_f32", "f32", "%d tensors, n=%d" % (len(shapes), total),
                    7 * 4 * total,
                    lambda ctx: optimizer_variants(ctx, torch.optim.AdamW, shapes, False, FLAVOURS)))
    return out
