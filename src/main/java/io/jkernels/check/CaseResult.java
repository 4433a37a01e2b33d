package io.jkernels.check;

/**
 * The outcome of one conformance case on one backend (OPS.md "Conformance case format").
 *
 * @param name    the case's path relative to the suite root ('/' separated)
 * @param backend the device it ran on ("cpu", "emu", "cuda:0")
 * @param passed  whether it passed
 * @param maxAbs  largest absolute error over the compared outputs (NaN when nothing was compared)
 * @param maxRel  largest relative error over elements with non-zero expected value (NaN likewise)
 * @param worst   the worst element as output name and index, e.g. {@code grad_gate[2, 7]}, or "-"
 * @param message null on a plain pass; why it failed; or, for a passed expect_error case, the error the op gave
 */
public record CaseResult(String name, String backend, boolean passed, double maxAbs, double maxRel, String worst,
                         String message) {

    static CaseResult fail(String name, String backend, String message) {
        return new CaseResult(name, backend, false, Double.NaN, Double.NaN, "-", message);
    }
}
