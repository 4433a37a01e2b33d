#!/usr/bin/python3
"""Golden-case generator for jkernels' activations family (OPS.md "Activations").

How to run (from the repository root; needs PyTorch and NumPy, e.g. Debian's python3-torch):

    /usr/bin/python3 tools/golden/gen_activations.py [--out DIR] [--table FILE]
    python3 tools/golden/gen_activations.py --check-table [--table FILE]

DIR defaults to src/test/resources/golden. The script deletes and rewrites only the family
directories it owns (FAMILIES below), then rewrites DIR/README.md (which lists every family
directory in DIR; golden_common.write_readme); anything else in DIR is left alone.
FILE is the op table (`java -jar target/jkernels.jar info --json`; default $JK_OPTABLE, else that
command is run: tools/optable.py), from which the ops, their input and output names, attr defaults
and default tolerances are taken. The generator stops, writing nothing, when the table has an
activation it has no formula for, or the other way round, or they differ in inputs, outputs or
attrs (activations_table.py); after writing, every case is checked against the table once more
(golden_common.check_family). --check-table makes only the first check and writes nothing (no
NumPy, no PyTorch needed; src/test/java/io/jkernels/table/PythonTableTest.java runs it in the
Java build).
It is deterministic: every case draws from its own NumPy generator seeded with the CRC-32 of the
case name, so a rerun writes byte-identical files.
The reading of the op table is in activations_table.py, both evaluations (PyTorch, NumPy closed
forms) in activations_ops.py, the cases in activations_cases.py; this file computes and checks the
expected outputs and writes them.

Format (OPS.md, "Conformance case format"): one directory per case holding case.json
{"op", "attrs", "inputs": {name: file}, "outputs": {name: file}, optional "rtol"/"atol"} or
{"op", "attrs", "inputs", "expect_error": true} and the .npy files (version 1.0, C order,
little-endian). Outputs are always `<f4`.

Rules this generator follows:
- Expected outputs are "the formula evaluated in float64": the float32 inputs (an `<f8` input is
  first rounded to float32, as the runner must do) are widened to float64, PyTorch's op is applied
  in float64 (autograd in float64 for the backward ops), and the result is rounded to float32.
- Every case is cross-checked before it is written: (a) PyTorch's float64 result against the
  closed form of OPS.md evaluated with NumPy in float64 (tight tolerance), and (b) PyTorch's
  float32 result against the expected output within the tolerance the case will be judged by.
  A disagreement aborts the script, so a generator mistake cannot produce a silent bad case.
- OPS.md rules that differ from plain PyTorch are applied explicitly: heaviside follows NumPy
  (heaviside(NaN) = NaN, heaviside(+-0) = value), relu(NaN) = NaN, relu_backward is
  threshold_backward (x <= 0 ? 0 : grad_output, so a NaN x passes grad_output through), glu is
  sigmoid(gate) * up with separate gate/up inputs.
- Only values whose result OPS.md pins down are compared: NaN inputs appear in every forward op
  (NaN must propagate); +-Inf inputs appear only for relu, relu_backward and heaviside (OPS.md leaves
  the value of the other activations at +-Inf unspecified). In the backward ops a NaN appears only
  where every reading of OPS.md gives the same answer; in particular no NaN input for elu_backward
  (x > 0 ? 1 : alpha e^x "as written" gives NaN, PyTorch's x <= 0 test gives grad_output), and no
  NaN gate, nor NaN up/grad_output at a gate <= 0, for reglu_backward (a select gives 0 where a
  multiplication gives NaN).
- Tolerances: the op defaults of OPS.md (the op table's rtol/atol: relu, leaky_relu, reglu and
  heaviside forward rtol 1e-5, atol 1e-6; every other activation and every backward rtol 1e-5,
  atol 1e-5) are used and not written, except in a few cases that spell them out (or tighten them)
  to exercise the rtol/atol fields; a case with tolerance 0 must be of an op the table calls
  bit_exact (relu, heaviside).
- attrs hold only non-default values, except the *_explicit_defaults cases, which spell the
  defaults (the op table's) out.
- Error cases (expect_error, no outputs): integer and bool inputs, gate/up and grad_output shape
  mismatches, approximate="fast", an attr the op does not take, a missing and an extra input.
- Sizes stay small (largest input 1000 elements) so the whole set is a few hundred kB of data.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # the modules beside this file; tools/optable.py
import activations_table  # noqa: E402
import optable  # noqa: E402

FAMILIES = ["activations"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="the golden directory (default src/test/resources/golden)")
    optable.add_argument(ap)
    ap.add_argument("--check-table", action="store_true",
                    help="only check the op table against the ops this generator has formulas for; write nothing")
    return ap.parse_args()


def bind_table(path):
    """The op table, checked against the generator's formulas (activations_table.bind), or exit."""
    try:
        return activations_table.bind(optable.load(path))
    except optable.TableError as e:
        sys.exit("gen_activations.py: %s" % e)


def check_table(path):
    t = bind_table(path)
    print(f"op table {t.source} (jkernels {t.version}): its {len(activations_table.ops())} activations "
          "and the generator's formulas agree (names, inputs, outputs, attrs)")
    return 0


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.check_table:  # before the imports below: needs neither NumPy nor PyTorch
        sys.exit(check_table(ARGS.table))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import golden_common as gc  # noqa: E402
from activations_cases import activation_cases  # noqa: E402
from activations_ops import closed_eval, torch_eval  # noqa: E402
from activations_table import base_op, default_tol, full_attrs, output_names  # noqa: E402
from golden_common import F32, F64, assert_close  # noqa: E402

# ----------------------------------------------------------------------------------------------
# Evaluation, checks and writing
# ----------------------------------------------------------------------------------------------

def round_f32(arr):
    """how the runner reads a float input: <f4 as is, <f8 rounded to nearest even."""
    return np.asarray(arr).astype(F32)


def expected_for(case):
    """Expected float32 outputs, with all cross-checks."""
    op, attrs = case.op, case.attrs
    b = base_op(op)
    ins32 = {k: round_f32(v) for k, v in case.inputs.items()}
    rtol, atol = default_tol(op)
    if case.rtol is not None:
        rtol, atol = case.rtol, case.atol

    closed = closed_eval(op, attrs, ins32)
    if b == "heaviside":
        # NumPy semantics (OPS.md): heaviside(NaN) = NaN, heaviside(+-0) = value
        x = ins32["input"].astype(F64)
        exp64 = {"output": np.heaviside(x, float(full_attrs(op, attrs)["value"]))}
        # torch agrees except at NaN (torch gives 0 there)
        t64 = torch_eval(op, attrs, ins32, torch.float64)["output"]
        t32 = torch_eval(op, attrs, ins32, torch.float32)["output"]
        nan = np.isnan(x)
        assert (t64[nan] == 0).all()
        assert_close(np.where(nan, np.nan, t64), exp64["output"], 0, 0, case.name + " torch f64 heaviside")
        assert_close(np.where(nan, np.nan, t32), exp64["output"], 0, 0, case.name + " torch f32 heaviside")
    else:
        exp64 = torch_eval(op, attrs, ins32, torch.float64)
        t32 = torch_eval(op, attrs, ins32, torch.float32)
        for k in exp64:
            assert_close(t32[k], exp64[k].astype(F32), rtol, atol, f"{case.name}:{k} torch f32 vs f64")
    for k in exp64:
        assert_close(exp64[k], closed[k], 1e-9, 1e-12, f"{case.name}:{k} torch f64 vs closed form")
    return {k: exp64[k].astype(F32) for k in output_names(op)}


def expected_f4(case):
    return {k: v.astype("<f4") for k, v in expected_for(case).items()}


def main(args):
    table = bind_table(args.table)
    root = args.out or gc.DEFAULT_OUT
    os.makedirs(root, exist_ok=True)
    for fam in FAMILIES:
        gc.reset_dir(os.path.join(root, fam))

    cases = activation_cases()
    for c in cases:
        gc.write_case(os.path.join(root, "activations"), c, expected_f4)
    gc.check_family(table, root, "activations")
    gc.write_readme(root)
    counts = gc.tally(cases)
    total = sum(v[0] for v in counts.values())
    errs = sum(v[1] for v in counts.values())
    gc.print_tally(counts, 22)
    print(f"wrote {total} cases ({errs} expect_error) under {root}")


if __name__ == "__main__":
    sys.exit(main(ARGS))
