"""Helpers shared by the golden-case generators in tools/golden/, one per family directory of the
golden set: gen_<family>.py (gen_activations.py, gen_optimizers.py, gen_resample.py, gen_rl.py,
gen_vq.py; a generator's own helpers sit beside it as <family>_*.py). Not a script: each
generator imports it from its own directory.

What lives here: the per-case random generator (rng_for), the OPS.md comparison used by the
cross-checks (assert_close), the case format writer (save_npy, write_case, Case), the --out and
--table arguments and family-directory reset, the check of what a generator wrote against the op
table (check_family; the table is read by tools/optable.py, the one definition of every op being
the Java op table, `jkernels info --json`), the per-op tallies printed at the end, and the README
of the golden directory (write_readme), which every generator rewrites after its family so that it
always lists every family directory present.

Conformance case format (OPS.md, "Conformance case format"): one directory per case holding
case.json {"op", "attrs", "inputs": {name: file}, "outputs": {name: file}, optional "rtol"/"atol"}
or {"op", "attrs", "inputs", "expect_error": true}, and the .npy files (version 1.0, C order).
Every family names them alike: the case directory is <family>/<case>/ (one level; case_dir_name),
an input `<name>.npy`, an expected output `expected_<name>.npy` (output_file).
"""

import argparse
import json
import os
import shutil
import sys
import zlib

import numpy as np

F32 = np.float32
F64 = np.float64
NAN = float("nan")
INF = float("inf")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "src", "test", "resources", "golden")

sys.path.insert(0, os.path.join(REPO, "tools"))  # tools/optable.py, the op table reader
import optable  # noqa: E402


# ----------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------

def rng_for(name):
    """The NumPy generator of one case, seeded with the CRC-32 of its name (deterministic)."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def randn(rng, shape, scale=3.0):
    """float32 normal samples times `scale`."""
    return (rng.standard_normal(shape) * scale).astype(F32)


def shape_tag(shape):
    """(7, 13, 5) -> "7x13x5", () -> "scalar" (for case names)."""
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"


# ----------------------------------------------------------------------------------------------
# Comparison (OPS.md semantics)
# ----------------------------------------------------------------------------------------------

def assert_close(actual, expected, rtol, atol, what):
    """OPS.md comparison in float64: NaN where and only where expected is NaN, +-Inf equal,
    finite values within atol + rtol * |expected|. Raises AssertionError otherwise."""
    a = np.asarray(actual, dtype=F64)
    e = np.asarray(expected, dtype=F64)
    if a.shape != e.shape:
        raise AssertionError(f"{what}: shape {a.shape} != {e.shape}")
    an, en = np.isnan(a), np.isnan(e)
    if not np.array_equal(an, en):
        idx = np.argwhere(an != en)[0]
        raise AssertionError(f"{what}: NaN mismatch at {tuple(idx)}: {a[tuple(idx)]} vs {e[tuple(idx)]}")
    ei = np.isinf(e)
    if not np.array_equal(a[ei], e[ei]):
        raise AssertionError(f"{what}: Inf mismatch")
    fin = ~(en | ei)
    with np.errstate(all="ignore"):
        err = np.abs(a[fin] - e[fin])
        bound = atol + rtol * np.abs(e[fin])
    bad = ~(err <= bound)
    if bad.any():
        k = int(np.argmax(np.where(bad, err - bound, -np.inf)))
        raise AssertionError(f"{what}: |{a[fin][k]!r} - {e[fin][k]!r}| = {err[k]:.3g} > "
                             f"{bound[k]:.3g} (rtol {rtol}, atol {atol})")


# ----------------------------------------------------------------------------------------------
# Writing cases
# ----------------------------------------------------------------------------------------------

class Case:
    """One conformance case. `outputs` ({name: array}) is for generators that compute the expected
    values up front; the others pass a function to write_case instead."""

    def __init__(self, name, op, attrs, inputs, expect_error=False, rtol=None, atol=None,
                 note=None, outputs=None):
        self.name, self.op, self.attrs, self.inputs = name, op, attrs, inputs
        self.expect_error, self.rtol, self.atol, self.note = expect_error, rtol, atol, note
        self.outputs = outputs if outputs is not None else {}


def save_npy(path, arr):
    """.npy version 1.0, C order (a 0-d array stays 0-d); floats must be little-endian f4/f8."""
    arr = np.array(arr, order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)
    if arr.dtype.kind == "f":
        assert arr.dtype in (np.dtype("<f4"), np.dtype("<f8")), arr.dtype
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


OUTPUT_PREFIX = "expected_"


def output_file(name):
    """The file of the expected output `name` in every family: `expected_<name>.npy` (distinct
    from the input file `<name>.npy` of an in-place op whose input and output share a name)."""
    return OUTPUT_PREFIX + name + ".npy"


def case_dir_name(name):
    """The directory of a case named `name` in its family directory: one level, so a name
    `<op>/<tag>` (rl names its cases so; the name seeds rng_for) becomes `<op>_<tag>`."""
    return name.replace("/", "_")


def write_case(family_dir, case, expected=None, indent=2, sort_keys=False):
    """Write case.json and the .npy files of `case` into family_dir/case_dir_name(case.name)
    (which must not exist). Inputs are `<name>.npy`, outputs `expected_<name>.npy` (output_file).
    `expected`: a function case -> {output name: array}, called after the inputs are written
    (default: case.outputs). rtol/atol go into case.json when case.rtol is set."""
    d = os.path.join(family_dir, case_dir_name(case.name))
    if os.path.exists(d):
        raise AssertionError("duplicate case " + case.name)
    os.makedirs(d)
    meta = {"op": case.op, "attrs": case.attrs, "inputs": {}}
    for k, v in case.inputs.items():
        save_npy(os.path.join(d, k + ".npy"), v)
        meta["inputs"][k] = k + ".npy"
    if case.expect_error:
        meta["expect_error"] = True
    else:
        outs = expected(case) if expected is not None else case.outputs
        meta["outputs"] = {}
        for k, v in outs.items():
            fname = output_file(k)
            save_npy(os.path.join(d, fname), v)
            meta["outputs"][k] = fname
        if case.rtol is not None:
            meta["rtol"] = case.rtol
            meta["atol"] = case.atol
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(meta, f, indent=indent, sort_keys=sort_keys)
        f.write("\n")


# ----------------------------------------------------------------------------------------------
# Command line, directories, tallies
# ----------------------------------------------------------------------------------------------

def parse_args(description):
    """--out DIR (the golden directory; default src/test/resources/golden of this repository) and
    --table FILE (the op table, tools/optable.py)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default=DEFAULT_OUT)
    optable.add_argument(ap)
    return ap.parse_args()


def load_table(path):
    """The op table (optable.load), or exit with why there is none."""
    try:
        return optable.load(path)
    except optable.TableError as e:
        sys.exit("%s: %s" % (os.path.basename(sys.argv[0]), e))


def check_family(table, root, family):
    """What a generator wrote into root/family against the op table: every case's op is an op of
    that family, every valid case has the op's input names (its required ones, optional ones or
    not) and output names (a subset: adamw without amsgrad has no max_exp_avg_sq), and every op of
    the family has a valid case. Raises optable.TableError listing every difference."""
    ops = table.family_ops(family)
    bad, covered = [], set()
    for dirpath, dirnames, files in os.walk(os.path.join(root, family)):
        dirnames.sort()
        if "case.json" not in files:
            continue
        with open(os.path.join(dirpath, "case.json")) as f:
            meta = json.load(f)
        name, op = os.path.relpath(dirpath, root), meta.get("op")
        if op not in table.ops:
            bad.append("%s: op %s is not in the op table" % (name, op))
            continue
        if op not in ops:
            bad.append("%s: op %s is of family %s in the op table, not %s" % (name, op, table.ops[op]["family"],
                                                                              family))
            continue
        if meta.get("expect_error"):
            continue
        ins, outs = list(meta["inputs"]), list(meta["outputs"])
        extra = [i for i in ins if i not in table.inputs(op)]
        missing = [i for i in table.required_inputs(op) if i not in ins]
        if extra or missing:
            bad.append("%s: inputs %s, the op table's %s (required %s)" % (name, ins, table.inputs(op),
                                                                           table.required_inputs(op)))
        if not outs or any(o not in table.outputs(op) for o in outs):
            bad.append("%s: outputs %s, the op table's %s" % (name, outs, table.outputs(op)))
        covered.add(op)
    bad += ["op %s of the op table has no valid case in %s/" % (op, family) for op in ops if op not in covered]
    if bad:
        raise optable.TableError("%s/ and the op table (%s) disagree:\n  %s" % (family, table.source,
                                                                                "\n  ".join(bad)))


def reset_dir(path):
    """Delete `path` (a family directory the calling generator owns) and create it empty."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def tally(cases):
    """{op: [cases, expect_error cases]}"""
    counts = {}
    for c in cases:
        n = counts.setdefault(c.op, [0, 0])
        n[0] += 1
        n[1] += 1 if c.expect_error else 0
    return counts


def print_tally(counts, width):
    for op in sorted(counts):
        print(f"{op:{width}s} {counts[op][0]:4d} cases ({counts[op][1]} expect_error)")


# ----------------------------------------------------------------------------------------------
# README of the golden directory
# ----------------------------------------------------------------------------------------------

def generator_of(family):
    """The generator that owns a family directory: tools/golden/gen_<family>.py."""
    return f"tools/golden/gen_{family}.py"


def scan_family(family_dir):
    """{op: [cases, expect_error cases]} of every case.json under family_dir."""
    counts = {}
    for dirpath, dirnames, files in os.walk(family_dir):
        dirnames.sort()
        if "case.json" not in files:
            continue
        with open(os.path.join(dirpath, "case.json")) as f:
            meta = json.load(f)
        n = counts.setdefault(meta.get("op", "(no op)"), [0, 0])
        n[0] += 1
        n[1] += 1 if meta.get("expect_error") else 0
    return counts


def write_readme(root):
    """Rewrite root/README.md from what is on disk: every family directory under root with its
    case count per op and the command that regenerates it."""
    import torch  # only for the version line

    fams = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    scans = {f: scan_family(os.path.join(root, f)) for f in fams}
    lines = [
        "# Golden conformance cases",
        "",
        "Cases in the format of the op catalogue OPS.md (shared/spec/OPS.md, \"Conformance case",
        "format\"): every directory `<family>/<case>/` holding a `case.json` is a case (one level",
        "in every family; rl's cases are `rl/<op>_<tag>/`); inputs are `<name>.npy`, expected",
        "outputs `expected_<name>.npy`.",
        "",
        "Generated; do not edit by hand. Each family directory is owned by one generator in",
        "`tools/golden/` (shared helpers: `tools/golden/golden_common.py`), which deletes and",
        "rewrites only that directory and then rewrites this README from the directories present.",
        "Regenerate a family from the repository root with the command in the table.",
        "",
        f"Last written with PyTorch {torch.__version__} (CPU) and NumPy {np.__version__}.",
        "Expected outputs are evaluated in float64 on the float32 inputs, rounded to float32, and",
        "cross-checked against an independent evaluation before they are written; see the header",
        "of each generator for the rules it follows.",
        "",
        "| family | cases | expect_error | regenerate with |",
        "|---|---|---|---|",
    ]
    for f in fams:
        n = sum(v[0] for v in scans[f].values())
        e = sum(v[1] for v in scans[f].values())
        lines.append(f"| `{f}/` | {n} | {e} | `/usr/bin/python3 {generator_of(f)}` |")
    for f in fams:
        lines += ["", f"## `{f}/`", "",
                  f"Regenerate with `/usr/bin/python3 {generator_of(f)}`. Cases per op (including",
                  "expect_error cases):", ""]
        for op in sorted(scans[f]):
            c = scans[f][op]
            lines.append(f"- `{op}`: {c[0]} ({c[1]} expect_error)")
    lines += ["", "The .npy reader/writer fixtures in `../npy/` (with `manifest.json`) come from",
              "`tools/golden/gen_npy_fixtures.py`.", ""]
    with open(os.path.join(root, "README.md"), "w") as f:
        f.write("\n".join(lines))
