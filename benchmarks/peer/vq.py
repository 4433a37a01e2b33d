"""Vector-quantisation entries of the PyTorch peer (the bench entries of table/families/VqTable.java,
measured by bench/VqCases.java): vq_nearest and vq_ema_update."""
import torch
import torch.nn.functional as F

from .common import Case, Variant, compiled, count

# the attr defaults of vq_ema_update, with which the bench runs it (torch_peer.py checks ATTRS
# against the op table)
EMA_DECAY, EMA_EPS = 0.99, 1e-5
ATTRS = [("vq_ema_update", "decay", EMA_DECAY), ("vq_ema_update", "eps", EMA_EPS)]


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

        out.append(Case("vq_nearest_%s_f32" % key[3:], "f32", "n=%s d=%d k=%d" % (count(n), d, k),
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

    out.append(Case("vq_ema_update_d64_k1024_f32", "f32", "n=%s d=%d k=%d" % (count(n), d, k),
                    4 * n * d + 8 * n + 4 * 2 * k + 4 * 3 * k * d, build_ema))
    return out
