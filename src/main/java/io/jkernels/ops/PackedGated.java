package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.tensor.Tensor;
import io.jkernels.ops.ActivationLaunch.Ref;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * The packed gated activations ({@code Activations.swiglu(x, dim, gateFirst)} ...): gate and up are
 * the two halves of one dimension of {@code x}; the kernels {@code <op>_packed_<fwd|bwd>_<dtype>}
 * work on the last dimension, another one is moved last by a contiguous copy (and back).
 */
final class PackedGated {
    private PackedGated() {
    }


    static int packedDim(String name, Tensor x, int dim) {
        Checks.floating(name, x);
        int rank = x.dim();
        if (rank == 0) {
            throw new TensorException.Shape(name + " must have at least one dimension to split, got a scalar");
        }
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new TensorException.Shape("dim " + dim + " out of range for " + name + " of rank " + rank);
        }
        long size = x.shape()[d];
        if (size % 2 != 0) {
            throw new TensorException.Shape(name + " dimension " + dim + " must be even to split into gate and up, got size "
                    + size + " (shape " + Arrays.toString(x.shape()) + ")");
        }
        return d;
    }

    static long[] halved(long[] shape, int d) {
        long[] s = shape.clone();
        s[d] /= 2;
        return s;
    }

    /** The packed forward along the last dimension; x contiguous-or-not, last dim even. */
    static Tensor packedLast(String op, Tensor x, boolean gateFirst, Object attr, Ref ref) {
        int last = x.dim() - 1;
        long h = x.shape()[last] / 2;
        try (Tensor xc = x.contiguous()) {
            Tensor out = Tensor.empty(x.dtype(), x.device(), halved(x.shape(), last));
            try {
                launchPacked(op + "_packed_fwd", null, xc, out, h, gateFirst, attr, ref);
                return out;
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
        }
    }

    static Tensor packedLastBackward(String op, Tensor gradOutput, Tensor x, boolean gateFirst, Object attr,
            Ref ref) {
        int last = x.dim() - 1;
        long h = x.shape()[last] / 2;
        try (Tensor xc = x.contiguous(); Tensor gc = gradOutput.contiguous()) {
            Tensor dx = Tensor.empty(x.dtype(), x.device(), x.shape());
            try {
                launchPacked(op + "_packed_bwd", gc, xc, dx, h, gateFirst, attr, ref);
                return dx;
            } catch (RuntimeException | Error e) {
                dx.close();
                throw e;
            }
        }
    }

    /**
     * {@code kernel(x, y, rows, h, gate_first [, attr])} or, with grad, {@code kernel(grad, x, dx,
     * ...)}; the reference on cpu runs the unpacked op on the two half views.
     */
    static void launchPacked(String kernel, Tensor grad, Tensor x, Tensor y, long h, boolean gateFirst,
            Object attr, Ref ref) {
        if (x.numel() == 0) {
            return;
        }
        int last = x.dim() - 1;
        KernelBackend kb = Kernels.of(x);
        if (kb == null) {
            try (Tensor gate = x.narrow(last, gateFirst ? 0 : h, h); Tensor up = x.narrow(last, gateFirst ? h : 0, h)) {
                if (grad == null) {
                    ref.run(new Tensor[] {gate, up}, new Tensor[] {y});
                } else {
                    try (Tensor dg = y.narrow(last, gateFirst ? 0 : h, h); Tensor du = y.narrow(last, gateFirst ? h : 0, h)) {
                        ref.run(new Tensor[] {grad, gate, up}, new Tensor[] {dg, du});
                    }
                }
            }
            return;
        }
        long rows = x.numel() / (2 * h);
        KernelArgs a = KernelArgs.get();
        if (grad != null) {
            a.ptr(grad);
        }
        a.ptr(x).ptr(y).i64(rows).i64(h).i32(gateFirst ? 1 : 0);
        ActivationLaunch.attr(a, attr);
        kb.launch(kernel + "_" + x.dtype().suffix(), Kernels.elementwise(kb, rows * h, ActivationLaunch.perThread(x)), a);
    }

    /** Packed forward along {@code dim}: another dim is moved last (contiguous copies) and back. */
    static Tensor packed(String op, Tensor x, int dim, boolean gateFirst, Object attr, Ref ref) {
        int d = packedDim("input", x, dim);
        int last = x.dim() - 1;
        if (d == last) {
            return packedLast(op, x, gateFirst, attr, ref);
        }
        try (Tensor xt = x.transpose(d, last); Tensor rt = packedLast(op, xt, gateFirst, attr, ref);
                Tensor back = rt.transpose(d, last)) {
            return back.contiguous();
        }
    }

    static Tensor packedBackward(String op, Tensor gradOutput, Tensor x, int dim, boolean gateFirst,
            Object attr, Ref ref) {
        int d = packedDim("input", x, dim);
        Checks.open("grad_output", gradOutput);
        long[] expect = halved(x.shape(), d);
        if (!Arrays.equals(expect, gradOutput.shape())) {
            throw new TensorException.Shape("grad_output shape " + Arrays.toString(gradOutput.shape())
                    + " does not match the output shape " + Arrays.toString(expect) + " of input shape "
                    + Arrays.toString(x.shape()) + " split along dim " + dim);
        }
        if (gradOutput.dtype() != x.dtype()) {
            throw new TensorException.DTypeMismatch("grad_output dtype " + gradOutput.dtype()
                    + " does not match input dtype " + x.dtype());
        }
        if (!gradOutput.device().equals(x.device())) {
            throw new TensorException.DeviceMismatch("grad_output is on " + gradOutput.device() + " but input is on "
                    + x.device());
        }
        int last = x.dim() - 1;
        if (d == last) {
            return packedLastBackward(op, gradOutput, x, gateFirst, attr, ref);
        }
        try (Tensor xt = x.transpose(d, last); Tensor gt = gradOutput.transpose(d, last);
                Tensor rt = packedLastBackward(op, gt, xt, gateFirst, attr, ref); Tensor back = rt.transpose(d, last)) {
            return back.contiguous();
        }
    }
}
