"""Resample entries of the PyTorch peer (family "resample": the bench entries of
table/families/ResampleTable.java, measured by bench/ResampleCases.java)."""
import torch
import torch.nn.functional as F

from .common import Case, Variant, compiled, numel, shape_str


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

        return Case(op + "_f32", "f32", shape_str(in_shape) + "->" + shape_str(out_shape),
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
