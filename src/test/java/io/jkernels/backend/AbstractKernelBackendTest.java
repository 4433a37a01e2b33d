package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * mergeDims, and the strided-copy launch of the kernel backends checked without native code: a
 * fake backend records each launch and runs {@code copy_strided_b<N>} as kernels/tensor.cu
 * documents it (element i, row-major over sizes, from src + sum idx*src_strides to dst + sum
 * idx*dst_strides), reading the packed argument buffer the way cuLaunchKernel would.
 */
class AbstractKernelBackendTest {

    // ---- mergeDims ---------------------------------------------------------------------------

    private static void assertMerged(long[][] got, long[] sizes, long[] dst, long[] src) {
        assertArrayEquals(sizes, got[0], "sizes " + Arrays.toString(got[0]));
        assertArrayEquals(dst, got[1], "dst strides " + Arrays.toString(got[1]));
        assertArrayEquals(src, got[2], "src strides " + Arrays.toString(got[2]));
    }

    @Test
    void contiguousDimsMergeIntoOne() {
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1}),
                new long[] {24}, new long[] {1}, new long[] {1});
    }

    @Test
    void sizeOneDimsAreDroppedWhateverTheirStrides() {
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {1, 5, 1}, new long[] {99, 2, 7}, new long[] {3, 3, 0}),
                new long[] {5}, new long[] {2}, new long[] {3});
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {1, 1}, new long[] {1, 1}, new long[] {5, 9}),
                new long[0], new long[0], new long[0]);
        assertMerged(AbstractKernelBackend.mergeDims(new long[0], new long[0], new long[0]),
                new long[0], new long[0], new long[0]);
    }

    @Test
    void transposedLayoutsDoNotMerge() {
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {3, 4}, new long[] {4, 1}, new long[] {1, 3}),
                new long[] {3, 4}, new long[] {4, 1}, new long[] {1, 3});
    }

    @Test
    void mergesOnlyWhereBothLayoutsAgree() {
        // (2, 3, 4): dst contiguous; src narrowed from (2, 3, 8): dims 0, 1 merge, dim 2 does not
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {24, 8, 1}),
                new long[] {6, 4}, new long[] {4, 1}, new long[] {8, 1});
        // dst contiguous, src with a gap between dims 0 and 1 only
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {100, 4, 1}),
                new long[] {2, 12}, new long[] {12, 1}, new long[] {100, 1});
        // a size-1 dim between two mergeable dims does not block the merge
        assertMerged(AbstractKernelBackend.mergeDims(new long[] {2, 1, 4}, new long[] {4, 77, 1}, new long[] {4, 1, 1}),
                new long[] {8}, new long[] {1}, new long[] {1});
    }

    /** Flat (dst, src) offset pairs visited in row-major order. */
    private static List<long[]> pairs(long[] sizes, long[] ds, long[] ss) {
        List<long[]> out = new ArrayList<>();
        long n = 1;
        for (long s : sizes) {
            n *= s;
        }
        long[] idx = new long[sizes.length];
        for (long i = 0; i < n; i++) {
            long d = 0;
            long s = 0;
            for (int k = 0; k < sizes.length; k++) {
                d += idx[k] * ds[k];
                s += idx[k] * ss[k];
            }
            out.add(new long[] {d, s});
            for (int k = sizes.length - 1; k >= 0; k--) {
                if (++idx[k] < sizes[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return out;
    }

    @Test
    void mergingKeepsTheVisitOrderOfRandomLayouts() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 2000; trial++) {
            int rank = 1 + r.nextInt(5);
            long[] sizes = new long[rank];
            for (int k = 0; k < rank; k++) {
                sizes[k] = 1 + r.nextInt(4);
            }
            long[] ds = layout(r, sizes);
            long[] ss = layout(r, sizes);
            long[][] m = AbstractKernelBackend.mergeDims(sizes, ds, ss);
            assertTrue(m[0].length <= rank);
            List<long[]> want = pairs(sizes, ds, ss);
            List<long[]> got = pairs(m[0], m[1], m[2]);
            assertEquals(want.size(), got.size(), Arrays.toString(sizes));
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i), got.get(i), "element " + i + " of " + Arrays.toString(sizes) + " dst "
                        + Arrays.toString(ds) + " src " + Arrays.toString(ss));
            }
        }
    }

    /** Strides of a random permutation of a contiguous layout, sometimes with padding. */
    private static long[] layout(SplittableRandom r, long[] sizes) {
        int rank = sizes.length;
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        if (r.nextBoolean()) {
            for (int i = rank - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
        }
        long[] st = new long[rank];
        long s = 1 + (r.nextInt(4) == 0 ? 1 : 0);
        for (int i = rank - 1; i >= 0; i--) {
            st[perm[i]] = s;
            s *= sizes[perm[i]] + (r.nextInt(4) == 0 ? 1 : 0);
        }
        return st;
    }

    // ---- the launch, through a fake kernel backend ------------------------------------------------

    /** Memory at fake addresses backed by a byte array; executes copy_strided_b<N> launches. */
    static final class FakeBackend extends AbstractKernelBackend {
        final List<String> launched = new ArrayList<>();
        final List<LaunchConfig> configs = new ArrayList<>();
        final List<byte[]> heaps = new ArrayList<>();
        FakeBackend() {
            super(DeviceId.EMU);
            describe(new DeviceProperties("fake", 2, 1024, 1024, 48 << 10, 32, 0, 0, 1L << 30, 0),
                    List.of("copy_strided_b1", "copy_strided_b2", "copy_strided_b4", "copy_strided_b8"));
        }

        @Override
        protected long resolveFunction(String name) {
            return name.hashCode();
        }

        /** Address of allocation k: k+1 in the upper 32 bits, plus an unaligned 0x10 so offsets show. */
        @Override
        public Memory allocate(long bytes) {
            heaps.add(new byte[(int) bytes]);
            allocated(bytes);
            return new DeviceMemory(((long) heaps.size() << 32) + 0x10, bytes);
        }

        @Override
        public void free(Memory memory) {
            freed(memory.bytes());
        }

        byte[] heap(long address) {
            return heaps.get((int) (address >>> 32) - 1);
        }

        int at(long address) {
            return (int) ((address & 0xffffffffL) - 0x10);
        }

        @Override
        public void launch(String kernel, LaunchConfig config, KernelArgs args) {
            launched.add(kernel);
            configs.add(config);
            int eb = Integer.parseInt(kernel.substring("copy_strided_b".length()));
            ByteBuffer b = args.buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(3, args.count(), "copy_strided takes (dst, src, layout)");
            long dst = b.getLong(args.offset(0));
            long src = b.getLong(args.offset(1));
            int L = args.offset(2);
            assertEquals(8 * (3 * 8 + 2), args.size(2), "struct jk_copy_layout is 26 int64 words");
            long[] sizes = new long[8];
            long[] srcSt = new long[8];
            long[] dstSt = new long[8];
            for (int k = 0; k < 8; k++) {
                sizes[k] = b.getLong(L + 8 * k);
                srcSt[k] = b.getLong(L + 64 + 8 * k);
                dstSt[k] = b.getLong(L + 128 + 8 * k);
            }
            int rank = (int) b.getLong(L + 192);
            long n = b.getLong(L + 200);
            byte[] dh = heap(dst);
            byte[] sh = heap(src);
            for (long i = 0; i < n; i++) {
                long rem = i;
                long so = 0;
                long d = 0;
                for (int k = rank - 1; k >= 0; k--) {
                    long idx = rem % sizes[k];
                    rem /= sizes[k];
                    so += idx * srcSt[k];
                    d += idx * dstSt[k];
                }
                System.arraycopy(sh, at(src) + (int) so * eb, dh, at(dst) + (int) d * eb, eb);
            }
        }

        @Override
        public void copyFromHost(Memory dst, long dstOff, HostMemory src, long srcOff, long n) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void copyToHost(HostMemory dst, long dstOff, Memory src, long srcOff, long n) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void copy(Memory dst, long dstOff, Memory src, long srcOff, long n) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void fill(Memory dst, long off, long count, int elemBytes, long pattern) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void synchronize() {
        }

        @Override
        public KernelGraph capture(Runnable body) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void copyStridedLaunchesTheKernelOfTheElementSizeWithTheMergedLayout() {
        for (int eb : new int[] {1, 2, 4, 8}) {
            FakeBackend fb = new FakeBackend();
            // src: a (4, 6) row-major block at element offset 5, read transposed as (6, 4) and narrowed to (6, 3)
            Memory src = fb.allocate(40L * eb);
            Memory dst = fb.allocate(40L * eb);
            byte[] s = fb.heaps.get(0);
            for (int i = 0; i < s.length; i++) {
                s[i] = (byte) (i + 1);
            }
            long[] sizes = {6, 1, 3};
            long[] srcStrides = {1, 1000, 6};
            long[] dstStrides = {3, 77, 1};
            fb.copyStrided(dst, 7, dstStrides, src, 5, srcStrides, sizes, eb);
            assertEquals(List.of("copy_strided_b" + eb), fb.launched);
            byte[] want = new byte[40 * eb];
            for (int i = 0; i < 6; i++) {
                for (int k = 0; k < 3; k++) {
                    int from = (5 + i + 6 * k) * eb;
                    int to = (7 + 3 * i + k) * eb;
                    System.arraycopy(s, from, want, to, eb);
                }
            }
            assertArrayEquals(want, fb.heaps.get(1), "b" + eb);
            LaunchConfig c = fb.configs.get(0);
            assertEquals(256, c.blockX());
            assertTrue(c.gridX() >= 1 && (long) c.gridX() * c.blockX() >= 1);
            assertEquals(80L * eb, fb.liveBytes());
        }
    }

    @Test
    void zeroElementsLaunchNothing() {
        FakeBackend fb = new FakeBackend();
        Memory a = fb.allocate(16);
        Memory b = fb.allocate(16);
        fb.copyStrided(a, 0, new long[] {4, 1}, b, 0, new long[] {1, 3}, new long[] {3, 0}, 4);
        fb.copyStrided(a, 0, new long[] {1}, b, 0, new long[] {1}, new long[] {0}, 4);
        assertEquals(List.of(), fb.launched);
    }

    @Test
    void allSizeOneDimsCopyOneElement() {
        FakeBackend fb = new FakeBackend();
        Memory src = fb.allocate(16);
        Memory dst = fb.allocate(16);
        fb.heaps.get(0)[9] = 42;
        fb.copyStrided(dst, 3, new long[] {5, 5}, src, 9, new long[] {2, 2}, new long[] {1, 1}, 1);
        assertEquals(1, fb.launched.size());
        assertEquals(42, fb.heaps.get(1)[3]);
    }

    @Test
    void moreThanMaxRankNonMergeableDimsIsUnsupported() {
        FakeBackend fb = new FakeBackend();
        int rank = AbstractKernelBackend.MAX_COPY_RANK + 1;
        long[] sizes = new long[rank];
        long[] dst = new long[rank];
        long[] src = new long[rank];
        for (int k = 0; k < rank; k++) {
            sizes[k] = 2;
            dst[k] = 1L << (rank - 1 - k); // row-major
            src[k] = 1L << k;              // fully reversed: nothing merges
        }
        Memory a = fb.allocate(1 << rank);
        Memory b = fb.allocate(1 << rank);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> fb.copyStrided(a, 0, dst, b, 0, src, sizes, 1));
        assertTrue(e.getMessage().contains(String.valueOf(rank)) && e.getMessage().contains("8"), e.getMessage());
        assertEquals(List.of(), fb.launched);
    }
}
