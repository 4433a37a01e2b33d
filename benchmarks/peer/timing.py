"""How the PyTorch peer times a variant: CUDA events (or the wall clock on cpu) around batches of
calls, and the statistics of the samples, as the Java harness (bench.SampleTimer, bench.Stats)."""
import math
import time

import torch


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
