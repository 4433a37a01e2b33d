package io.jkernels.backend;

/**
 * What a kernel backend reports about its processor. The emulator reports its own (a few "SMs",
 * one per worker thread) so grids sized from these stay small on a CPU.
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
        int driverVersion) {

    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }
}
