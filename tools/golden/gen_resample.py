#!/usr/bin/python3
"""Golden cases of the resample family (OPS.md "Resampling") for jkernels.

How to run (from the repository root; PyTorch and NumPy, e.g. Debian's python3-torch):

    /usr/bin/python3 tools/golden/gen_resample.py [--out DIR] [--table FILE]

DIR defaults to src/test/resources/golden; FILE is the op table (tools/optable.py), against which
every case written is checked (golden_common.check_family: its ops, inputs and outputs); the script
deletes and rewrites only DIR/resample/, then DIR/README.md (golden_common.write_readme).
Deterministic: each case draws from a NumPy generator seeded with the CRC-32 of its name.
Same conventions as gen_activations.py (case.json + .npy version 1.0, outputs `<f4`).

Expected values:
- pixel_shuffle / pixel_unshuffle: torch.nn.functional.pixel_shuffle / pixel_unshuffle, checked
  against a NumPy reshape/transpose; exact (tolerance 0).
- upsample_bilinear2d: F.interpolate(mode="bilinear") in float64 on the float32 inputs, checked
  against a NumPy float64 implementation of OPS.md's formulas (1e-12).
- upsample_nearest2d: OPS.md pins nearest to PyTorch's CUDA kernels (float32 scale and product,
  `floorf(d * scale)` / `floorf((d + 0.5f) * scale)`, source d when out == in). The expected
  values come from a NumPy implementation of that rule (np.float32 arithmetic), compared with
  F.interpolate on CPU: where they differ the OPS.md rule wins, and the script asserts that every
  difference is one of the known CPU-vs-CUDA differences: CPU's `d >> 1` when out == 2 in
  (scale factors such as 2.0002), and an axis with out == in but a scale factor other than 1,
  which PyTorch 1.13's CPU kernels do not always copy (nearest-exact never; nearest copies for
  a (1, 1, 10, 10) input but not for (1, 2, 10, 10)) while OPS.md says the source index is d. Each such
  case says so in its "note" field of this script (printed when generated).
- N = 0 or C = 0 (PyTorch 1.13 rejects them; OPS.md gives an empty result): the NumPy result.
- Backward ops: autograd of F.interpolate in float64 (the adjoint), checked against a NumPy
  scatter of the same forward map; for nearest, the scatter of the OPS.md rule is the expected
  value (and must equal autograd wherever the forward rules agree).
- Bilinear, per axis, when out == in: the source coordinate is d (PyTorch CPU's bilinear copies
  such an axis whatever the scale factor: F.interpolate(x, scale_factor=1.09) of 10 columns gives
  the 10 columns back); the NumPy reference does the same, so the cross-check covers it.
Tolerances: the OPS.md defaults (not written): nearest and its backward rtol 1e-5 / atol 1e-6,
bilinear and its backward 1e-4 / 1e-4, pixel ops 0 (the registry's default for them).
"""

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # golden_common sits beside this file
import golden_common as gc  # noqa: E402
from golden_common import F32, F64, assert_close, randn, rng_for  # noqa: E402

FAMILY = "resample"


# ----------------------------------------------------------------------------------------------
# OPS.md rules in NumPy
# ----------------------------------------------------------------------------------------------

def pair(v):
    if v is None:
        return None
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def out_sizes(h, w, attrs):
    if "size" in attrs:
        return pair(attrs["size"])
    s = pair(attrs["scale_factor"])
    return [int(math.floor(h * float(s[0]))), int(math.floor(w * float(s[1])))]


def given_scales(attrs):
    """per axis: the scale factor given and not recomputed, or None"""
    if "scale_factor" in attrs and not attrs.get("recompute_scale_factor", False):
        return [float(v) for v in pair(attrs["scale_factor"])]
    return [None, None]


def nearest_src(n_in, n_out, s, exact):
    d = np.arange(n_out)
    if n_in == n_out:
        return d
    scale = F32(1.0 / s) if s is not None else F32(F32(n_in) / F32(n_out))
    if exact:
        f = np.floor((d.astype(F32) + F32(0.5)) * scale)
    else:
        f = np.floor(d.astype(F32) * scale)
    assert f.dtype == F32
    return np.minimum(f.astype(np.int64), n_in - 1)


def linear_src(n_in, n_out, s, align):
    d = np.arange(n_out, dtype=F64)
    if n_in == n_out:
        src = d
    elif align:
        src = d * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        scale = 1.0 / s if s is not None else n_in / n_out
        src = np.maximum((d + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = src - i0
    return i0, i1, 1.0 - w1, w1


def axis_matrix(op, n_in, n_out, s, attrs):
    """A[o, i]: the weight with which output o reads input i (one axis)."""
    a = np.zeros((n_out, n_in))
    if op.startswith("upsample_nearest2d"):
        src = nearest_src(n_in, n_out, s, attrs.get("mode", "nearest") == "nearest-exact")
        a[np.arange(n_out), src] = 1.0
    else:
        i0, i1, w0, w1 = linear_src(n_in, n_out, s, attrs.get("align_corners", False))
        for o in range(n_out):
            a[o, i0[o]] += w0[o]
            a[o, i1[o]] += w1[o]
    return a


def np_upsample(op, x, attrs):
    n, c, h, w = x.shape
    oh, ow = out_sizes(h, w, attrs)
    sh, sw = given_scales(attrs)
    ah = axis_matrix(op, h, oh, sh, attrs)
    aw = axis_matrix(op, w, ow, sw, attrs)
    return np.einsum("oh,nchw,pw->ncop", ah, x.astype(F64), aw)


def np_upsample_backward(op, g, attrs):
    h, w = attrs["input_size"]
    oh, ow = g.shape[2], g.shape[3]
    sh, sw = given_scales(attrs)
    ah = axis_matrix(op, h, oh, sh, attrs)
    aw = axis_matrix(op, w, ow, sw, attrs)
    return np.einsum("oh,ncop,pw->nchw", ah, g.astype(F64), aw)


def np_pixel_shuffle(x, r):
    *lead, c, h, w = x.shape
    oc = c // (r * r)
    k = len(lead)
    y = x.reshape(*lead, oc, r, r, h, w).transpose(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(*lead, oc, h * r, w * r)


def np_pixel_unshuffle(x, r):
    *lead, c, hr, wr = x.shape
    h, w = hr // r, wr // r
    k = len(lead)
    y = x.reshape(*lead, c, h, r, w, r).transpose(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*lead, c * r * r, h, w)


# ----------------------------------------------------------------------------------------------
# PyTorch
# ----------------------------------------------------------------------------------------------

def torch_kwargs(op, attrs):
    kw = {}
    if "size" in attrs:
        s = attrs["size"]
        kw["size"] = tuple(s) if isinstance(s, list) else s
    if "scale_factor" in attrs:
        s = attrs["scale_factor"]
        kw["scale_factor"] = tuple(float(v) for v in s) if isinstance(s, list) else float(s)
    if attrs.get("recompute_scale_factor", False):
        kw["recompute_scale_factor"] = True
    if op.startswith("upsample_bilinear2d"):
        kw["mode"] = "bilinear"
        kw["align_corners"] = attrs.get("align_corners", False)
    else:
        kw["mode"] = attrs.get("mode", "nearest")
    return kw


def torch_forward(op, x, attrs):
    t = torch.from_numpy(x.astype(F64))
    return F.interpolate(t, **torch_kwargs(op, attrs)).numpy()


def torch_backward(op, g, attrs):
    h, w = attrs["input_size"]
    n, c = g.shape[0], g.shape[1]
    x = torch.zeros((n, c, h, w), dtype=torch.float64, requires_grad=True)
    y = F.interpolate(x, **torch_kwargs(op, attrs))
    assert tuple(y.shape) == g.shape, (y.shape, g.shape)
    y.backward(torch.from_numpy(g.astype(F64)))
    return x.grad.numpy()


# ----------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------

class Case(gc.Case):
    cpu_differs = False  # set by expected() where PyTorch CPU differs from the OPS.md nearest rule


def known_cpu_difference(op, x_shape, attrs):
    """the two documented CPU-vs-CUDA (OPS.md) differences of nearest, per axis"""
    if not op.startswith("upsample_nearest2d"):
        return False
    h, w = (attrs["input_size"] if op.endswith("_backward") else x_shape[2:])
    oh, ow = out_sizes(h, w, attrs)
    exact = attrs.get("mode", "nearest") == "nearest-exact"
    for n_in, n_out in ((h, oh), (w, ow)):
        if not exact and n_out == 2 * n_in:
            return True
        if n_out == n_in:
            return True
    return False


def expected(case):
    op, a = case.op, case.attrs
    x = case.inputs[next(iter(case.inputs))].astype(F32)
    if op in ("pixel_shuffle", "pixel_unshuffle"):
        r = a["upscale_factor"] if op == "pixel_shuffle" else a["downscale_factor"]
        t = torch.from_numpy(x)
        y = (F.pixel_shuffle(t, r) if op == "pixel_shuffle" else F.pixel_unshuffle(t, r)).numpy()
        ny = np_pixel_shuffle(x, r) if op == "pixel_shuffle" else np_pixel_unshuffle(x, r)
        assert np.array_equal(y, ny), case.name
        return {"output": y.astype(F32)}
    bwd = op.endswith("_backward")
    nearest = op.startswith("upsample_nearest2d")
    ref = np_upsample_backward(op, x, a) if bwd else np_upsample(op, x, a)
    key = "grad_input" if bwd else "output"
    if x.size == 0:  # PyTorch 1.13 rejects N = 0 or C = 0; OPS.md: an empty result
        return {key: ref.astype(F32)}
    tv = torch_backward(op, x, a) if bwd else torch_forward(op, x, a)
    if nearest:
        same = np.array_equal(tv.shape, ref.shape) and np.allclose(tv, ref, rtol=1e-12, atol=1e-12)
        if not same:
            assert known_cpu_difference(op, x.shape, a), f"{case.name}: torch CPU and the OPS.md rule differ"
            case.cpu_differs = True
        return {key: ref.astype(F32)}
    assert_close(tv, ref, 1e-12, 1e-12, case.name + " torch f64 vs NumPy")
    return {key: tv.astype(F32)}


UPSAMPLE_CONFIGS = [
    # (tag, input shape, attrs)
    ("size_5x7", (2, 3, 4, 5), {"size": [5, 7]}),
    ("size_scalar_6", (1, 2, 3, 4), {"size": 6}),
    ("scale_2", (2, 3, 4, 5), {"scale_factor": 2.0}),
    ("scale_2_vec", (2, 3, 8, 8), {"scale_factor": [2.0, 2.0]}),
    ("scale_2p3", (1, 2, 10, 7), {"scale_factor": 2.3}),
    ("scale_0p5", (1, 2, 9, 8), {"scale_factor": 0.5}),
    ("scale_1_1p5", (1, 3, 5, 6), {"scale_factor": [1.0, 1.5]}),
    ("scale_1p09_same_size", (1, 2, 10, 10), {"scale_factor": 1.09}),
    ("scale_2p0002", (1, 2, 10, 6), {"scale_factor": 2.0002}),
    ("scale_2p3_recompute", (1, 2, 10, 7), {"scale_factor": 2.3, "recompute_scale_factor": True}),
    ("scale_0p37_recompute", (1, 1, 17, 13), {"scale_factor": [0.37, 0.61], "recompute_scale_factor": True}),
    ("in2_out49", (1, 1, 2, 2), {"size": [49, 3]}),
    ("from_1x1", (2, 1, 1, 1), {"size": [3, 4]}),
    ("to_1x1", (1, 2, 5, 6), {"size": [1, 1]}),
    ("odd_13x3_to_9x20", (3, 1, 13, 3), {"size": [9, 20]}),
    ("n0", (0, 3, 4, 5), {"scale_factor": 2.0}),
    ("c0", (2, 0, 4, 5), {"size": [7, 3]}),
]


def upsample_cases():
    out = []
    variants = {
        "upsample_nearest2d": [("", {}), ("exact_", {"mode": "nearest-exact"})],
        "upsample_bilinear2d": [("", {}), ("align_", {"align_corners": True})],
    }
    for op, vs in variants.items():
        for vtag, vattrs in vs:
            for tag, shape, attrs in UPSAMPLE_CONFIGS:
                a = dict(attrs)
                a.update(vattrs)
                name = f"{op}_{vtag}{tag}"
                out.append(Case(name, op, a, {"input": randn(rng_for(name), shape)}))
                # backward: grad_output of the forward's output shape
                b = dict(a)
                b["input_size"] = [shape[2], shape[3]]
                oh, ow = out_sizes(shape[2], shape[3], a)
                bname = f"{op}_backward_{vtag}{tag}"
                out.append(Case(bname, op + "_backward", b,
                                {"grad_output": randn(rng_for(bname), (shape[0], shape[1], oh, ow))}))
    # a ×8 nearest upsample: 64 gradients summed per input cell (accumulation precision)
    name = "upsample_nearest2d_backward_scale_8"
    out.append(Case(name, "upsample_nearest2d_backward", {"scale_factor": 8.0, "input_size": [3, 5]},
                    {"grad_output": randn(rng_for(name), (1, 2, 24, 40))}))
    return out


def pixel_cases():
    out = []

    def add(name, op, r, shape):
        key = "upscale_factor" if op == "pixel_shuffle" else "downscale_factor"
        out.append(Case(name, op, {key: r}, {"input": randn(rng_for(name), shape)}))

    add("pixel_shuffle_r2_1x8x3x5", "pixel_shuffle", 2, (1, 8, 3, 5))
    add("pixel_shuffle_r2_1x16x4x8", "pixel_shuffle", 2, (1, 16, 4, 8))
    add("pixel_shuffle_r4_1x32x4x8", "pixel_shuffle", 4, (1, 32, 4, 8))
    add("pixel_shuffle_r3_5d_2x3x18x4x3", "pixel_shuffle", 3, (2, 3, 18, 4, 3))
    add("pixel_shuffle_r3_3d_9x2x2", "pixel_shuffle", 3, (9, 2, 2))
    add("pixel_shuffle_r1_2x3x4x5", "pixel_shuffle", 1, (2, 3, 4, 5))
    add("pixel_shuffle_r2_empty_batch", "pixel_shuffle", 2, (0, 4, 2, 2))
    add("pixel_unshuffle_r2_1x2x6x4", "pixel_unshuffle", 2, (1, 2, 6, 4))
    add("pixel_unshuffle_r2_1x4x8x16", "pixel_unshuffle", 2, (1, 4, 8, 16))
    add("pixel_unshuffle_r4_1x2x16x32", "pixel_unshuffle", 4, (1, 2, 16, 32))
    add("pixel_unshuffle_r3_5d_2x3x1x6x9", "pixel_unshuffle", 3, (2, 3, 1, 6, 9))
    add("pixel_unshuffle_r1_2x3x4x5", "pixel_unshuffle", 1, (2, 3, 4, 5))
    return out


def error_cases():
    out = []

    def err(name, op, attrs, shape, input_name=None, dtype=F32):
        nm = input_name or ("grad_output" if op.endswith("_backward") else "input")
        out.append(Case(name, op, attrs, {nm: randn(rng_for(name), shape).astype(dtype)}, expect_error=True))

    up, bil = "upsample_nearest2d", "upsample_bilinear2d"
    for op in (up, bil):
        err(f"{op}_error_size_and_scale", op, {"size": [4, 4], "scale_factor": 2.0}, (1, 1, 2, 2))
        err(f"{op}_error_neither_size_nor_scale", op, {}, (1, 1, 2, 2))
        err(f"{op}_error_recompute_with_size", op, {"size": [4, 4], "recompute_scale_factor": True}, (1, 1, 2, 2))
        err(f"{op}_error_output_size_0_scale", op, {"scale_factor": 0.1}, (1, 1, 5, 5))
        err(f"{op}_error_output_size_0_size", op, {"size": [0, 3]}, (1, 1, 5, 5))
        err(f"{op}_error_negative_scale", op, {"scale_factor": -2.0}, (1, 1, 5, 5))
        err(f"{op}_error_rank_3", op, {"scale_factor": 2.0}, (1, 5, 5))
        err(f"{op}_error_rank_5", op, {"scale_factor": 2.0}, (1, 1, 1, 5, 5))
        err(f"{op}_error_int_input", op, {"scale_factor": 2.0}, (1, 1, 2, 2), dtype=np.int64)
        err(f"{op}_error_size_3_elements", op, {"size": [2, 3, 4]}, (1, 1, 2, 2))
        b = op + "_backward"
        err(f"{b}_error_grad_size_mismatch", b, {"scale_factor": 2.0, "input_size": [3, 4]}, (1, 1, 6, 7))
        err(f"{b}_error_grad_size_mismatch_size", b, {"size": [5, 5], "input_size": [3, 4]}, (1, 1, 5, 6))
        err(f"{b}_error_missing_input_size", b, {"scale_factor": 2.0}, (1, 1, 6, 8))
        err(f"{b}_error_both_size_and_scale", b, {"size": [6, 8], "scale_factor": 2.0, "input_size": [3, 4]},
            (1, 1, 6, 8))
        err(f"{b}_error_rank_3", b, {"scale_factor": 2.0, "input_size": [3, 4]}, (1, 6, 8))
    err("upsample_nearest2d_error_align_corners", up, {"scale_factor": 2.0, "align_corners": False}, (1, 1, 2, 2))
    err("upsample_nearest2d_backward_error_align_corners", up + "_backward",
        {"scale_factor": 2.0, "align_corners": True, "input_size": [2, 2]}, (1, 1, 4, 4))
    err("upsample_bilinear2d_error_mode", bil, {"scale_factor": 2.0, "mode": "nearest"}, (1, 1, 2, 2))
    err("upsample_bilinear2d_backward_error_mode", bil + "_backward",
        {"scale_factor": 2.0, "mode": "bilinear", "input_size": [2, 2]}, (1, 1, 4, 4))
    err("upsample_nearest2d_error_mode_bilinear", up, {"scale_factor": 2.0, "mode": "bilinear"}, (1, 1, 2, 2))

    err("pixel_shuffle_error_r0", "pixel_shuffle", {"upscale_factor": 0}, (1, 4, 2, 2))
    err("pixel_shuffle_error_channels_not_divisible", "pixel_shuffle", {"upscale_factor": 2}, (1, 6, 2, 2))
    err("pixel_shuffle_error_rank_2", "pixel_shuffle", {"upscale_factor": 1}, (4, 4))
    err("pixel_shuffle_error_missing_factor", "pixel_shuffle", {}, (1, 4, 2, 2))
    err("pixel_shuffle_error_downscale_attr", "pixel_shuffle", {"downscale_factor": 2}, (1, 4, 2, 2))
    err("pixel_unshuffle_error_r0", "pixel_unshuffle", {"downscale_factor": 0}, (1, 1, 4, 4))
    err("pixel_unshuffle_error_height_not_divisible", "pixel_unshuffle", {"downscale_factor": 2}, (1, 1, 3, 4))
    err("pixel_unshuffle_error_width_not_divisible", "pixel_unshuffle", {"downscale_factor": 2}, (1, 1, 4, 5))
    err("pixel_unshuffle_error_rank_2", "pixel_unshuffle", {"downscale_factor": 1}, (4, 4))
    return out


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

def expected_f4(case):
    return {k: v.astype("<f4") for k, v in expected(case).items()}


def main():
    args = gc.parse_args(__doc__.split("\n")[0])
    table = gc.load_table(args.table)
    root = args.out
    gc.reset_dir(os.path.join(root, FAMILY))
    cases = pixel_cases() + upsample_cases() + error_cases()
    for c in cases:
        gc.write_case(os.path.join(root, FAMILY), c, expected_f4)
        if c.cpu_differs:
            print(f"  {c.name}: PyTorch CPU differs from the OPS.md (CUDA) nearest rule; the OPS.md rule is expected")
    gc.check_family(table, root, FAMILY)
    gc.write_readme(root)
    counts = gc.tally(cases)
    gc.print_tally(counts, 30)
    print(f"wrote {sum(v[0] for v in counts.values())} cases under {os.path.join(root, FAMILY)}")


if __name__ == "__main__":
    main()
