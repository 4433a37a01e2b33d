#!/usr/bin/python3
"""Golden-case generator of the rl family (OPS.md "Reinforcement learning").

    /usr/bin/python3 tools/golden/gen_rl.py [--out DIR] [--table FILE]

DIR defaults to src/test/resources/golden; FILE is the op table (tools/optable.py), against which
every case written is checked (golden_common.check_family: its ops, inputs and outputs); the script
deletes and rewrites only DIR/rl, then DIR/README.md (golden_common.write_readme). Deterministic:
each case draws from a NumPy generator seeded with the CRC-32 of its name.
The two references (a) and (b) below are in rl_reference.py, the cases in rl_tabular.py,
rl_mean_linear_dqn.py and rl_trajectory.py (each registers itself in rl_case.CASES); this file
runs them and writes the family directory, one level deep like every family: a case named
`<op>/<tag>` (the name seeds its generator) is the directory DIR/rl/<op>_<tag>/, its expected
outputs `expected_<output>.npy` (golden_common.write_case).

Every expected output is computed twice, in float64 on the float32 inputs, and the two must agree
(else the script aborts): (a) plain Python loops written from OPS.md's formulas (the expected value
written to the case), (b) a vectorised PyTorch formulation (torch.where selects, torch.max /
torch.argmax over actions, index_add_ / bincount for collisions; per-step tensor ops over all
columns for the trajectories). Float outputs are rounded to float32 (`<f4`), counts stay `<i8`.

Rules: synchronous tabular updates (every TD error from the table before the call), collisions
summed ("sum") or averaged ("mean"; linear_td: divided by B); a done transition's next value is a
select (NaN/Inf there does not reach the result); likewise (1 - terminated) and (1 - done) in the
trajectory ops; max over actions propagates NaN and argmax takes the first NaN, else the first
maximum. Default tolerance rtol = atol = 1e-5 (not written into the cases).

Cases: random small cases per op, collisions (many transitions on one entry, both reductions),
done transitions with NaN/Inf next values, NaN in Q rows, B = 0, int32 index inputs, columns long
enough to span several kernel tiles (T = 5000 with B = 1; T = 200 with B = 33), and expect_error
cases (index out of range, non-bool dones, gamma 1.5, negative alpha, reduction "max", A = 0 for
dqn_target, shape mismatches).
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the modules below sit beside this file
import golden_common as gc  # noqa: E402
from rl_case import CASES, write  # noqa: E402
from rl_mean_linear_dqn import gen_dqn, gen_linear_td, gen_running_mean  # noqa: E402
from rl_tabular import gen_tabular  # noqa: E402
from rl_trajectory import gen_traj  # noqa: E402

FAMILY = "rl"


def main():
    args = gc.parse_args(__doc__.split("\n")[0])
    table = gc.load_table(args.table)
    out = args.out
    root = os.path.join(out, FAMILY)
    gen_tabular()
    gen_running_mean()
    gen_linear_td()
    gen_dqn()
    gen_traj()
    names = [gc.case_dir_name(c.name) for c in CASES]  # "<op>/<tag>" -> directory rl/<op>_<tag>
    assert len(names) == len(set(names)), "duplicate case directories"
    gc.reset_dir(root)
    write(root)
    gc.check_family(table, out, FAMILY)
    gc.write_readme(out)
    n_err = sum(c.expect_error for c in CASES)
    print(f"{len(CASES)} rl cases ({n_err} expect_error) written to {root} "
          f"(PyTorch {torch.__version__}, NumPy {np.__version__})")


if __name__ == "__main__":
    main()
