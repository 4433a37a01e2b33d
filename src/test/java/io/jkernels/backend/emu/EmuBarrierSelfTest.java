package io.jkernels.backend.emu;

import static io.jkernels.backend.emu.EmuSelfTestSupport.launch;
import static io.jkernels.backend.emu.EmuSelfTestSupport.smallInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.emu.EmuSelfTestSupport.Dev;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The emulator's barriers with static and dynamic shared memory: a block reduction
 * ({@code __syncthreads()} between the tree steps) of {@code kernels/emu_selftest.cu} over block
 * sizes from one thread to the maximum and several grids.
 */
@Tag("emu")
class EmuBarrierSelfTest {
    /** Block sizes: one thread, one warp, one warp + 1 lane, a typical block, the maximum. */
    private static final int[] BLOCKS = {1, 32, 33, 256, 1024};

    @BeforeAll
    static void emulatorAvailable() {
        EmuSelfTestSupport.assumeEmulator();
    }

    @ParameterizedTest
    @ValueSource(strings = {"selftest_block_reduce_f32", "selftest_dynamic_reduce_f32"})
    void blockReduction(String kernel) {
        boolean dynamic = kernel.contains("dynamic");
        for (int n : new int[] {1, 1000, 100_003}) {
            float[] x = smallInts(n, n);
            try (Dev dx = Dev.of(x)) {
                for (int block : BLOCKS) {
                    for (int grid : new int[] {1, 2, 7, 40}) {
                        float[] want = new float[grid];
                        for (int i = 0; i < n; i++) {
                            want[(i % (grid * block)) / block] += x[i];  // owner of i in the grid-stride loop
                        }
                        try (Dev out = Dev.zeros(4L * grid)) {
                            launch(kernel, LaunchConfig.of(grid, block, dynamic ? 4 * block : 0),
                                    KernelArgs.get().ptr(dx.ptr).ptr(out.ptr).i64(n));
                            assertArrayEquals(want, out.floats(), kernel + " n=" + n + " grid=" + grid + " block=" + block);
                        }
                    }
                }
            }
        }
    }
}
