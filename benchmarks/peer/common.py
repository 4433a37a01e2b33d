"""What every family module of the PyTorch peer uses: the sizes of the Java bench entries, the
context the case builders draw from (Ctx), a case (Case) and the ways to run it (Variant)."""
import math

import torch

HAS_COMPILE = hasattr(torch, "compile")


def count(n):
    return "2^%d" % (n.bit_length() - 1) if n > 0 and n & (n - 1) == 0 else str(n)


def shape_str(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


def numel(shape):
    return math.prod(shape) if hasattr(math, "prod") else int(torch.tensor(shape).prod())


# ---- sizes: (gpu, host) as the bench entries of the op table ----------------------------------------
# (src/main/java/io/jkernels/table/families/*Table.java define the entries and their sizes; the
# cases they build are in io.jkernels.bench: ElementwiseBench, OptimizerCases, ResampleCases,
# VqCases, RlCases)

SIZES = {
    "elementwise": (1 << 28, 1 << 20),        # ElementwiseBench.ELEMENTWISE
    "gated": (1 << 27, 1 << 19),              # ElementwiseBench.GATED
    "optimizer": (1 << 27, 1 << 20),          # OptimizersTable.ONE_TENSOR
    "gpt2": ((50257, 1024, 768, 12), (2048, 256, 64, 2)),  # OptimizersTable.gpt2Small(scale)
    "shuffle": ((8, 256, 128, 128), (2, 32, 32, 32)),      # ResampleTable.shuffleShape
    "upsample": ((8, 64, 256, 256), (2, 8, 64, 64)),       # ResampleTable.upsampleShape
    "vq_d256_k8192": ((65536, 256, 8192), (2048, 256, 512)),  # VqTable: nearest(name, gpu, host, ...), (n, d, k)
    "vq_d64_k512": ((1 << 20, 64, 512), (8192, 64, 256)),
    "vq_d64_k1024": ((1 << 20, 64, 1024), (8192, 64, 512)),
    "vq_ema": ((1 << 20, 64, 1024), (1 << 16, 64, 1024)),   # VqTable: vq_ema_update_d64_k1024_f32
    "rl_batch": (1 << 20, 1 << 16),           # RlTable.BATCH
    "rl_states": (1 << 16, 1 << 12),          # RlTable.STATES
    "rl_steps": (2048, 256),                  # RlReturnsTable.STEPS
    "rl_columns": (4096, 512),                # RlReturnsTable.COLUMNS
    "rl_long_steps": (1 << 20, 1 << 17),      # RlReturnsTable.LONG_STEPS
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
    def __init__(self, op, dtype, size, nbytes, build, flops=0, compiles=False):
        """op: the name of a bench entry of the op table; compiles: build adds a "compile" variant
        when ctx.compile_variants. The family is the table's (torch_peer.py sets it)."""
        self.op, self.dtype, self.size, self.nbytes, self.build, self.flops, self.compiles = (
            op, dtype, size, nbytes, build, flops, compiles)
        self.family = None


def compiled(ctx, name, fn, **kw):
    """A "compile" variant of fn, or none (--no-compile), or a FAILED one without torch.compile."""
    if not ctx.compile_variants:
        return []
    if not HAS_COMPILE:
        return [Variant(name, error="torch.compile is not available in torch %s" % torch.__version__)]
    return [Variant(name, torch.compile(fn, **kw), check=None)]
