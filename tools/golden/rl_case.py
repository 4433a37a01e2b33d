"""The rl cases as they are made: every Case registers itself in CASES, which gen_rl.py writes
after the case modules (rl_tabular.py, rl_mean_linear_dqn.py, rl_trajectory.py) have run.
Not a script.
"""

import golden_common as gc

CASES = []


class Case(gc.Case):
    """a case with its expected outputs, registered in CASES"""

    def __init__(self, name, op, attrs, inputs, outputs=None, expect_error=False):
        super().__init__(name, op, attrs, inputs, expect_error=expect_error, outputs=outputs or {})
        CASES.append(self)


def write(root):
    for c in CASES:
        # directory rl/<op>_<tag> for the case named <op>/<tag>; outputs expected_<name>.npy, distinct
        # from the input of an in-place op named alike (q, values, counts...)
        gc.write_case(root, c, indent=1, sort_keys=True)


def attr(attrs, k, default):
    """attrs[k], else OPS.md's default for it"""
    return attrs.get(k, default)
