package io.jkernels.backend.emu;

import static io.jkernels.backend.emu.EmuSelfTestSupport.launch;
import static io.jkernels.backend.emu.EmuSelfTestSupport.smallInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.emu.EmuSelfTestSupport.Dev;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The emulator's warp operations, partial warps included: shuffle reductions
 * ({@code __shfl_down_sync}, {@code __shfl_xor_sync}), scan and broadcast ({@code __shfl_up_sync},
 * {@code __shfl_sync}) and votes ({@code __ballot_sync}, {@code __all_sync}, {@code __any_sync}).
 */
@Tag("emu")
class EmuWarpSelfTest {
    /** Block sizes for warp tests: partial warps of 1 and 4 lanes, several full warps. */
    private static final int[] WARP_BLOCKS = {1, 32, 33, 64, 100, 256, 1024};

    @BeforeAll
    static void emulatorAvailable() {
        EmuSelfTestSupport.assumeEmulator();
    }

    @Test
    void warpShuffleReductions() {
        for (int block : WARP_BLOCKS) {
            for (int grid : new int[] {1, 3}) {
                int n = grid * block;
                int warpsPerBlock = (block + 31) / 32;
                float[] x = smallInts(n, block);
                float[] wantWarp = new float[grid * warpsPerBlock];
                for (int i = 0; i < n; i++) {
                    wantWarp[(i / block) * warpsPerBlock + (i % block) / 32] += x[i];
                }
                try (Dev dx = Dev.of(x); Dev down = Dev.zeros(4L * wantWarp.length); Dev butterfly = Dev.zeros(4L * n)) {
                    launch("selftest_warp_reduce_f32", LaunchConfig.of(grid, block),
                            KernelArgs.get().ptr(dx.ptr).ptr(down.ptr).ptr(butterfly.ptr));
                    assertArrayEquals(wantWarp, down.floats(), "__shfl_down_sync block=" + block + " grid=" + grid);
                    float[] lanes = butterfly.floats();
                    for (int i = 0; i < n; i++) {
                        int warpStart = (i % block) / 32 * 32;
                        if (block - warpStart >= 32) {  // full warp: every lane holds the warp's sum
                            assertEquals(wantWarp[(i / block) * warpsPerBlock + warpStart / 32], lanes[i],
                                    "__shfl_xor_sync block=" + block + " element " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void warpScanAndBroadcast() {
        for (int block : WARP_BLOCKS) {
            int grid = 2;
            int n = grid * block;
            int[] x = new int[n];
            Random r = new Random(block);
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(1000) - 500;
            }
            int[] wantScan = new int[n];
            int[] wantFirst = new int[n];
            for (int i = 0; i < n; i++) {
                int lane = (i % block) % 32;
                wantScan[i] = lane == 0 ? x[i] : wantScan[i - 1] + x[i];
                wantFirst[i] = x[i - lane];
            }
            try (Dev dx = Dev.of(x); Dev scan = Dev.zeros(4L * n); Dev first = Dev.zeros(4L * n)) {
                launch("selftest_warp_scan_i32", LaunchConfig.of(grid, block),
                        KernelArgs.get().ptr(dx.ptr).ptr(scan.ptr).ptr(first.ptr));
                assertArrayEquals(wantScan, scan.ints(), "__shfl_up_sync scan, block " + block);
                assertArrayEquals(wantFirst, first.ints(), "__shfl_sync broadcast, block " + block);
            }
        }
    }

    @Test
    void warpVotes() {
        for (int block : WARP_BLOCKS) {
            int grid = 3;
            int n = grid * block;
            int[] pred = new int[n];
            Random r = new Random(block);
            for (int i = 0; i < n; i++) {
                int warp = i / 32;  // some warps all true, some all false, the rest random
                pred[i] = warp % 4 == 0 ? 1 : warp % 4 == 1 ? 0 : r.nextInt(2) * (1 + r.nextInt(5));
            }
            try (Dev dp = Dev.of(pred); Dev votes = Dev.zeros(12L * n)) {
                launch("selftest_vote", LaunchConfig.of(grid, block), KernelArgs.get().ptr(dp.ptr).ptr(votes.ptr));
                int[] got = votes.ints();
                for (int i = 0; i < n; i++) {
                    int inBlock = i % block;
                    int warpStart = i - inBlock % 32;
                    int lanes = Math.min(32, block - inBlock / 32 * 32);
                    int ballot = 0;
                    for (int l = 0; l < lanes; l++) {
                        if (pred[warpStart + l] != 0) {
                            ballot |= 1 << l;
                        }
                    }
                    int all = lanes == 32 ? -1 : (1 << lanes) - 1;
                    String at = "block " + block + " element " + i;
                    assertEquals(ballot, got[3 * i], "__ballot_sync " + at);
                    assertEquals(ballot == all ? 1 : 0, got[3 * i + 1], "__all_sync " + at);
                    assertEquals(ballot != 0 ? 1 : 0, got[3 * i + 2], "__any_sync " + at);
                }
            }
        }
    }
}
