package io.jkernels.tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * New tensors on any device: uninitialised, filled with one value, or seeded random samples. The
 * bodies of {@link Tensor#empty}, {@link Tensor#full} and {@link Tensor#randn}/{@link Tensor#rand};
 * the tensors made from host data are {@link HostTransfers}'.
 */
final class TensorFactories {
    private TensorFactories() {
    }

    static Tensor empty(DType dtype, Device device, long[] shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        long n = Shapes.checkShape("shape", shape);
        if (n > Long.MAX_VALUE / dtype.bytes()) {
            throw new TensorException.Shape("shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs more than 2^63 bytes");
        }
        Storage s = new Storage(device, n * dtype.bytes());
        return new Tensor(s, dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** The value's bits are found (or the value refused) before anything is allocated. */
    static Tensor full(double value, DType dtype, Device device, long[] shape) {
        return filled(Shapes.bitPattern(Objects.requireNonNull(dtype, "dtype"), value), dtype, device, shape);
    }

    /** The value's bits are found (or the value refused) before anything is allocated. */
    static Tensor full(long value, DType dtype, Device device, long[] shape) {
        return filled(Shapes.bitPattern(Objects.requireNonNull(dtype, "dtype"), value), dtype, device, shape);
    }

    /** A new tensor with every element {@code pattern} (the bits of one element); closed again on failure. */
    private static Tensor filled(long pattern, DType dtype, Device device, long[] shape) {
        Tensor t = empty(dtype, device, shape);
        try {
            return TensorFill.fillBits(t, pattern);
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    /**
     * Standard normal ({@code normal}) or uniform [0, 1) samples of a {@link SplittableRandom}
     * seeded with {@code seed}, drawn on the host in row-major order and rounded to the dtype, then
     * moved: the same values on every device.
     */
    static Tensor random(long seed, boolean normal, DType dtype, Device device, long[] shape) {
        if (!dtype.isFloating()) {
            throw new TensorException.DTypeMismatch("random tensors are floating point, not " + dtype);
        }
        SplittableRandom r = new SplittableRandom(seed);
        Tensor host = empty(dtype, Device.cpu(), shape);
        for (long i = 0; i < host.numel; i++) {
            host.setDouble(i, normal ? r.nextGaussian() : r.nextDouble());
        }
        if (device.isCpu()) {
            return host;
        }
        try (host) {
            return host.to(device);
        }
    }
}
