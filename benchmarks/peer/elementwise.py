"""Tensor (copy_*) and activation entries of the PyTorch peer: the elementwise bench entries of the
op table (table/families/TensorTable.java and ActivationsTable.java, measured by
bench/ElementwiseBench.java), at f32 and bf16."""
import torch
import torch.nn.functional as F

from .common import Case, Variant, compiled, count

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}

# the attr defaults of the Java ops, with which the bench runs them (torch_peer.py checks ATTRS
# against the op table)
LEAKY_SLOPE, ELU_ALPHA = 0.01, 1.0
ATTRS = [("leaky_relu", "negative_slope", LEAKY_SLOPE), ("leaky_relu_backward", "negative_slope", LEAKY_SLOPE),
         ("elu", "alpha", ELU_ALPHA), ("elu_backward", "alpha", ELU_ALPHA), ("heaviside", "value", 0.0),
         ("gelu", "approximate", "none"), ("gelu_backward", "approximate", "none"),
         ("geglu", "approximate", "none"), ("geglu_backward", "approximate", "none"),
         ("softplus", "beta", 1.0), ("softplus", "threshold", 20.0),
         ("softplus_backward", "beta", 1.0), ("softplus_backward", "threshold", 20.0)]


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
    "softplus": (1, 1, False, F.softplus, None),
    "softplus_backward": (2, 1, False, lambda dy, x: torch.ops.aten.softplus_backward(dy, x, 1.0, 20.0), None),
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

            out.append(Case("%s_%s" % (op, dname), dname, "n=" + count(n), nbytes, build,
                            compiles=composed is not None))
    return out
