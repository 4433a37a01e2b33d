#!/usr/bin/env python3
"""PyTorch side of `jkernels bench` (issue #5): the same ops at the same sizes on the same GPU,
timed the same way, written as JSON in the bench schema (jkernels-bench/1, see
src/main/java/io/jkernels/bench/BenchReport.java) so that

    jkernels bench --backend cuda --json bench.json --peer torch.json --png ratio.png

prints and draws jkernels GB/s / best PyTorch GB/s per op.

Method (as the Java harness): inputs are standard normal samples; each op is warmed up (at least
3 calls and 0.2 s), then a sample is CUDA events recorded on the current stream around k
back-to-back calls (k chosen so a sample lasts at least 2 ms), divided by k; the median and spread
of --repeat samples (default 30) are reported. Bytes are the fewest the op must move: each input
read once, each output written once. GB/s = bytes / median. copy_gbps is a device-to-device
copy (dst.copy_(src), uint8) of the same byte count measured in this run.

Variants: "eager" is the plain PyTorch call (F.relu(x), torch.ops.aten.threshold_backward, ...);
"compile" is torch.compile of the composition (swiglu = silu(g) * u, ...) where it compiles.
Op names and sizes must match the Java entries (io.jkernels.bench.*Bench): <op>_<dtype>,
size "n=2^28" for copy and elementwise ops, "n=2^27" (gate and up each) for gated ones.

    python3 benchmarks/torch_peer.py --json torch.json [--ops REGEX] [--repeat N] [--scale gpu|host]
"""
import argparse
import datetime
import json
import math
import platform
import re
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

SIZES = {"gpu": (1 << 28, 1 << 27), "host": (1 << 20, 1 << 19)}
DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}


def count(n):
    return "2^%d" % (n.bit_length() - 1) if n > 0 and n & (n - 1) == 0 else str(n)


def silu_grad(g):
    s = torch.sigmoid(g)
    return s * (1 + g * (1 - s))


def swiglu_bwd(dy, g, u):
    return dy * u * silu_grad(g), dy * F.silu(g)


def geglu_bwd(dy, g, u):
    cdf = 0.5 * (1 + torch.erf(g * 0.7071067811865476))
    pdf = torch.exp(-0.5 * g * g) * 0.3989422804014327
    return dy * u * (cdf + g * pdf), dy * F.gelu(g)


# name -> (number of inputs, number of outputs, gated?, eager fn, composition to torch.compile or None)
OPS = {
    "copy": (1, 1, False, lambda x: x.clone(), None),
    "relu": (1, 1, False, F.relu, None),
    "relu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.threshold_backward(dy, x, 0), None),
    "sigmoid": (1, 1, False, torch.sigmoid, None),
    "tanh": (1, 1, False, torch.tanh, None),
    "gelu": (1, 1, False, F.gelu, None),
    "gelu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.gelu_backward(dy, x), None),
    "silu": (1, 1, False, F.silu, None),
    "silu_backward": (2, 1, False, lambda dy, x: torch.ops.aten.silu_backward(dy, x), None),
    "leaky_relu": (1, 1, False, F.leaky_relu, None),
    "elu": (1, 1, False, F.elu, None),
    "swiglu": (2, 1, True, lambda g, u: F.silu(g) * u, lambda g, u: F.silu(g) * u),
    "swiglu_backward": (3, 2, True, swiglu_bwd, swiglu_bwd),
    "geglu": (2, 1, True, lambda g, u: F.gelu(g) * u, lambda g, u: F.gelu(g) * u),
    "geglu_backward": (3, 2, True, geglu_bwd, geglu_bwd),
    "reglu": (2, 1, True, lambda g, u: F.relu(g) * u, lambda g, u: F.relu(g) * u),
    "glu": (2, 1, True, lambda g, u: torch.sigmoid(g) * u, lambda g, u: torch.sigmoid(g) * u),
}


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


def measure(fn, repeat, warmup_s=0.2, min_sample_s=2e-3):
    """(calls per sample, stats in us per call) with CUDA events around batches of calls."""
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

    def batch(k):
        start.record()
        for _ in range(k):
            fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) * 1e-3  # seconds

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", required=True, help="output file (schema jkernels-bench/1)")
    ap.add_argument("--ops", default=".*", help="only ops whose name (e.g. relu_bf16) matches this regex")
    ap.add_argument("--repeat", type=int, default=30, help="samples per op (>= 20)")
    ap.add_argument("--scale", choices=sorted(SIZES), default="gpu", help="op sizes (gpu: the standard ones)")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variants")
    a = ap.parse_args()
    if a.repeat < 20:
        sys.exit("torch_peer.py: at least 20 samples per op, got %d" % a.repeat)
    if not torch.cuda.is_available():
        sys.exit("torch_peer.py: no CUDA device visible to PyTorch")
    try:
        pattern = re.compile(a.ops)
    except re.error as e:
        sys.exit("torch_peer.py: --ops %r is not a valid regular expression: %s" % (a.ops, e))
    try:
        open(a.json, "a").close()
    except OSError as e:
        sys.exit("torch_peer.py: cannot write %s: %s" % (a.json, e))

    n_elem, n_gated = SIZES[a.scale]
    todo = [(op, d) for d in DTYPES for op in OPS if pattern.search("%s_%s" % (op, d))]
    if not todo:
        sys.exit("torch_peer.py: --ops %r matches no op; the ops are: %s" % (
            a.ops, ", ".join("%s_%s" % (op, d) for d in DTYPES for op in OPS)))
    gen = torch.Generator(device="cuda").manual_seed(int(time.time()))
    copies, results = {}, []
    for i, (op, dname) in enumerate(todo):
        nin, nout, gated, eager, composed = OPS[op]
        dtype = DTYPES[dname]
        n = n_gated if gated else n_elem
        name = "%s_%s" % (op, dname)
        nbytes = (nin + nout) * n * torch.empty((), dtype=dtype).element_size()
        print("[%d/%d] %s (n=%s)" % (i + 1, len(todo), name, count(n)), file=sys.stderr, flush=True)
        variants = [("eager", eager)]
        if composed is not None and not a.no_compile:
            variants.append(("compile", torch.compile(composed)))
        inputs = [torch.randn(n, device="cuda", dtype=dtype, generator=gen) for _ in range(nin)]
        if nbytes not in copies:
            src = torch.empty(nbytes // 2, device="cuda", dtype=torch.uint8).fill_(1)
            dst = torch.empty_like(src)
            k, st = measure(lambda: dst.copy_(src), a.repeat)
            copies[nbytes] = dict(bytes=nbytes, calls_per_sample=k, **st)
            copies[nbytes]["gbps"] = nbytes / (st["median_us"] * 1e-6) / 1e9
            del src, dst
        for variant, fn in variants:
            row = {"op": name, "family": "tensor" if op == "copy" else "activations", "variant": variant,
                   "dtype": dname, "size": "n=" + count(n), "bytes": nbytes, "flops": 0}
            try:
                k, st = measure(lambda: fn(*inputs), a.repeat)
                gbps = nbytes / (st["median_us"] * 1e-6) / 1e9
                row.update(status="ok", error=None, max_abs_err=None, calls_per_sample=k, **st, gbps=gbps,
                           copy_gbps=copies[nbytes]["gbps"], copy_fraction=gbps / copies[nbytes]["gbps"])
            except Exception as e:  # torch.compile without a working Triton, out of memory...
                row.update(status="FAILED", error="%s: %s" % (type(e).__name__, str(e).splitlines()[0][:300]),
                           max_abs_err=None, calls_per_sample=0, samples=None, median_us=None, gbps=None,
                           copy_gbps=copies[nbytes]["gbps"], copy_fraction=None)
                print("  %s %s FAILED: %s" % (name, variant, row["error"]), file=sys.stderr)
            results.append(row)
        del inputs
        torch.cuda.empty_cache()

    props = torch.cuda.get_device_properties(0)
    report = {
        "schema": "jkernels-bench/1",
        "meta": {"tool": "torch", "backend": "cuda",
                 "device": "%s (sm_%d%d, %d SMs)" % (props.name, props.major, props.minor,
                                                      props.multi_processor_count),
                 "binding": "torch " + torch.__version__ + " (CUDA " + str(torch.version.cuda) + ")",
                 "driver": driver_version(), "timer": "cuda-events", "scale": a.scale, "samples": a.repeat,
                 "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
                 .replace("+00:00", "Z"),
                 "commit": None, "command": " ".join(["torch_peer.py"] + sys.argv[1:]),
                 "host": "%s %s, %d cores" % (platform.system(), platform.machine(), __import__("os").cpu_count()),
                 "java": None, "seed": None},
        "ops": results,
        "copies": list(copies.values()),
        "launch_overhead": [],
    }
    with open(a.json, "w") as f:
        json.dump(report, f, indent=2)
    for r in results:
        print("%-22s %-8s %-8s %s" % (r["op"], r["variant"], r["size"],
                                      "%.1f us  %.0f GB/s" % (r["median_us"], r["gbps"]) if r["status"] == "ok"
                                      else "FAILED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
