package io.jkernels.backend;

/**
 * What a kernel backend reports about its processor. The emulator reports its own (a few "SMs",
 * one per worker thread) so grids sized from these stay small on a CPU. {@code gridStrideCap}
 * bounds the grid of every grid-stride launch ({@link LaunchConfig#gridStride}): unbounded on a
 * GPU; on the emulator {@code JK_EMU_MAX_BLOCKS=n}, so that tests reach the second and later
 * passes of each grid-stride loop, as every large launch on a GPU does.
 */
public record DeviceProperties(
        String name,
        int smCount,
        int maxThreadsPerBlock,
        int maxThreadsPerSm,
        int sharedMemPerBlock,
        int warpSize,
        int computeMajor,
        int computeMinor,
        long totalMemory,
        int driverVersion,
        int gridStrideCap) {

    /** Properties without a grid-stride cap. */
    public DeviceProperties(String name, int smCount, int maxThreadsPerBlock, int maxThreadsPerSm, int sharedMemPerBlock,
            int warpSize, int computeMajor, int computeMinor, long totalMemory, int driverVersion) {
        this(name, smCount, maxThreadsPerBlock, maxThreadsPerSm, sharedMemPerBlock, warpSize, computeMajor, computeMinor,
                totalMemory, driverVersion, Integer.MAX_VALUE);
    }

    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }
}
