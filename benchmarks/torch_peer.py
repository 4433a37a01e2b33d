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

Op names, dtypes and size strings are those of the bench entries of the op table (defined in
src/main/java/io/jkernels/table/families/*Table.java, measured by io.jkernels.bench.ElementwiseBench
and *Cases; listed by `jkernels bench --list`), at --scale gpu (Scale.GPU, the default) or host
(Scale.HOST):

  tensor       copy_<dt>                                    n=2^28 (host 2^20)
  activations  <act>[_backward]_<dt>, dt f32 and bf16       n=2^28, gated n=2^27 (host 2^20, 2^19)
  optimizers   adamw_f32 adamw_amsgrad_f32 adam_f32         n=2^27 (host 2^20), torch.optim defaults
               adamw_gpt2_small_f32                         GPT-2 small's 148 tensors (host: a small GPT-2)
  resample     pixel_shuffle_f32 pixel_unshuffle_f32        r = 2 of (8, 256, 128, 128) and back
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

The entries are built by the package peer/ beside this script, one module per family
(peer/elementwise.py, optimizers.py, resample.py, vq.py, rl.py; sizes and the Case/Variant types
in peer/common.py, the measurement in peer/timing.py); tools/gpu-bundle.sh copies both.

The op table (tools/optable.py: --table FILE, else $JK_OPTABLE, else `java -jar
target/jkernels.jar info --json`; the GPU bundle carries it as optable.json and run.sh passes it)
is read first: every entry here must be a bench entry of the table with the same dtype, and the
attr defaults the PyTorch calls assume (the ATTRS of the peer modules: leaky_relu's slope, the rl
gamma...) must be the table's, else the script stops; each entry's family is the table's; the
table's bench entries without a PyTorch peer here are listed on stderr (not an error). The peer
decides no tolerance of its own (its only check, max_abs_err of the trajectory variants, is
recorded, not judged), so the table's rtol/atol and bit_exact are not used here.

    python3 benchmarks/torch_peer.py --json torch.json [--ops REGEX] [--repeat N] [--scale gpu|host]
                                     [--device cuda|cpu] [--no-compile] [--table FILE]
    python3 benchmarks/torch_peer.py --list [--table FILE]
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

try:
    import torch
except ImportError as e:  # (PythonTableTest skips on this message)
    sys.exit("torch_peer.py: PyTorch is not importable: %s" % e)

HERE = os.path.dirname(os.path.abspath(__file__))
# the package peer/ sits beside this file; tools/optable.py beside its directory (in the bundle too)
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "tools")]
import optable  # noqa: E402
from peer import elementwise, rl, vq  # noqa: E402
from peer.common import Ctx, Variant  # noqa: E402
from peer.elementwise import elementwise_cases  # noqa: E402
from peer.optimizers import optimizer_cases  # noqa: E402
from peer.resample import resample_cases  # noqa: E402
from peer.rl import rl_cases  # noqa: E402
from peer.timing import measure  # noqa: E402
from peer.vq import vq_cases  # noqa: E402

ATTRS = elementwise.ATTRS + vq.ATTRS + rl.ATTRS  # (op, attr, the value the PyTorch calls use)


# ---- the op table ----------------------------------------------------------------------------------------

def against_table(table, cases):
    """Sets each case's family from the table's bench entry; returns (what disagrees, the table's
    bench entries no case here times)."""
    bad = []
    for c in cases:
        e = table.bench.get(c.op)
        if e is None:
            bad.append("%s is not a bench entry of the op table" % c.op)
            continue
        c.family = e["family"]
        if c.dtype != e["dtype"]:
            bad.append("%s: dtype %s here, %s in the op table" % (c.op, c.dtype, e["dtype"]))
    for op, attr, value in ATTRS:
        if op not in table.ops:
            bad.append("op %s (attr %s) is not in the op table" % (op, attr))
        elif table.attr_defaults(op).get(attr) != value:
            bad.append("%s: %s = %r here, the op table's default is %r"
                       % (op, attr, value, table.attr_defaults(op).get(attr)))
    mine = {c.op for c in cases}
    return bad, [n for n in table.bench if n not in mine]


# ---- the machine ---------------------------------------------------------------------------------------

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
    ap.add_argument("--json", help="output file (schema jkernels-bench/1), rewritten after each op (needed "
                    "unless --list)")
    ap.add_argument("--ops", default=".*", help="only ops whose name (e.g. relu_bf16) matches this regex")
    ap.add_argument("--repeat", type=int, default=30, help="samples per op (>= 20)")
    ap.add_argument("--scale", choices=["gpu", "host"], default=None,
                    help="op sizes: gpu (the standard ones, default on cuda) or host (Scale.HOST, default on cpu)")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda", help="where to run (default cuda)")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variants")
    ap.add_argument("--list", action="store_true", help="print the op names, families and sizes, run nothing")
    optable.add_argument(ap)
    a = ap.parse_args()
    if not a.list and not a.json:
        ap.error("--json FILE is required (unless --list)")
    scale = a.scale or ("gpu" if a.device == "cuda" else "host")
    cuda = a.device == "cuda"
    if a.repeat < 20:
        sys.exit("torch_peer.py: at least 20 samples per op, got %d" % a.repeat)
    try:
        pattern = re.compile(a.ops)
    except re.error as e:
        sys.exit("torch_peer.py: --ops %r is not a valid regular expression: %s" % (a.ops, e))
    try:
        table = optable.load(a.table)
    except optable.TableError as e:
        sys.exit("torch_peer.py: %s" % e)

    ctx = Ctx(a.device, scale, None, not a.no_compile)  # the generator once something runs (not for --list)
    every = elementwise_cases(ctx) + optimizer_cases(ctx) + resample_cases(ctx) + vq_cases(ctx) + rl_cases(ctx)
    bad, untimed = against_table(table, every)
    if bad:
        sys.exit("torch_peer.py: the peer and the op table (%s) disagree:\n  %s" % (table.source, "\n  ".join(bad)))
    print("torch_peer.py: %d of the op table's %d bench entries have a PyTorch peer here (table %s, jkernels %s)%s"
          % (len(every), len(table.bench), table.source, table.version,
             "; not timed: " + ", ".join(untimed) if untimed else ""), file=sys.stderr)
    if cuda and not a.list and not torch.cuda.is_available():
        sys.exit("torch_peer.py: no CUDA device visible to PyTorch (--device cpu runs on the host)")
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
