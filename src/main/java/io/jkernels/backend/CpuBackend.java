package io.jkernels.backend;

import java.util.concurrent.atomic.AtomicLong;

/** The cpu backend: host memory, plain Java copies; ops run their pure-Java references here. */
public final class CpuBackend implements Backend {
    private final AtomicLong live = new AtomicLong();

    @Override
    public DeviceId deviceId() {
        return DeviceId.CPU;
    }

    @Override
    public Memory allocate(long bytes) {
        HostMemory m = new HostMemory(bytes);
        live.addAndGet(bytes);
        return m;
    }

    @Override
    public void free(Memory memory) {
        live.addAndGet(-memory.bytes());
    }

    @Override
    public long liveBytes() {
        return live.get();
    }

    private static HostMemory host(Memory m) {
        if (!(m instanceof HostMemory h)) {
            throw new IllegalArgumentException("not host memory: " + m);
        }
        return h;
    }

    @Override
    public void copyFromHost(Memory dst, long dstOff, HostMemory src, long srcOff, long n) {
        host(dst).copyFrom(dstOff, src, srcOff, n);
    }

    @Override
    public void copyToHost(HostMemory dst, long dstOff, Memory src, long srcOff, long n) {
        dst.copyFrom(dstOff, host(src), srcOff, n);
    }

    @Override
    public void copy(Memory dst, long dstOff, Memory src, long srcOff, long n) {
        host(dst).copyFrom(dstOff, host(src), srcOff, n);
    }

    @Override
    public void fill(Memory dst, long off, long count, int elemBytes, long pattern) {
        host(dst).fill(off, count, elemBytes, pattern);
    }

    @Override
    public void copyStrided(Memory dst, long dstOffset, long[] dstStrides, Memory src, long srcOffset,
                            long[] srcStrides, long[] sizes, int elemBytes) {
        HostMemory d = host(dst);
        HostMemory s = host(src);
        int rank = sizes.length;
        long n = 1;
        for (long size : sizes) {
            n *= size;
        }
        long[] idx = new long[rank];
        long so = srcOffset;
        long dO = dstOffset;
        for (long i = 0; i < n; i++) {
            long a = dO * elemBytes;
            long b = so * elemBytes;
            switch (elemBytes) {
                case 1 -> d.putByte(a, s.getByte(b));
                case 2 -> d.putShort(a, s.getShort(b));
                case 4 -> d.putInt(a, s.getInt(b));
                case 8 -> d.putLong(a, s.getLong(b));
                default -> throw new IllegalArgumentException("element size " + elemBytes);
            }
            for (int k = rank - 1; k >= 0; k--) {
                idx[k]++;
                so += srcStrides[k];
                dO += dstStrides[k];
                if (idx[k] < sizes[k]) {
                    break;
                }
                so -= srcStrides[k] * sizes[k];
                dO -= dstStrides[k] * sizes[k];
                idx[k] = 0;
            }
        }
    }

    @Override
    public void synchronize() {
    }
}
