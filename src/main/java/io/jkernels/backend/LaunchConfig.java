package io.jkernels.backend;

/**
 * Grid and block dimensions and dynamic shared memory of one launch. Built once in ops code and
 * used unchanged by the {@code cuda} and {@code emu} backends.
 */
public record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes) {

    public LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1 || sharedBytes < 0) {
            throw new IllegalArgumentException("invalid launch configuration: grid (" + gridX + ", " + gridY + ", "
                    + gridZ + "), block (" + blockX + ", " + blockY + ", " + blockZ + "), shared " + sharedBytes);
        }
    }

    /** A one-dimensional launch. */
    public static LaunchConfig of(int grid, int block) {
        return new LaunchConfig(grid, 1, 1, block, 1, 1, 0);
    }

    /** A one-dimensional launch with dynamic shared memory. */
    public static LaunchConfig of(int grid, int block, int sharedBytes) {
        return new LaunchConfig(grid, 1, 1, block, 1, 1, sharedBytes);
    }

    /**
     * A grid-stride launch over {@code work} items, each block handling {@code block * perThread}
     * items per pass, capped at {@code wavesPerSm} full waves of the device so the grid stays small
     * (the emulator reports few SMs, so its grids stay small too), and at the device's
     * {@link DeviceProperties#gridStrideCap()}.
     */
    public static LaunchConfig gridStride(long work, int block, int perThread, DeviceProperties props, int wavesPerSm) {
        long perBlock = (long) block * perThread;
        long needed = work / perBlock + (work % perBlock != 0 ? 1 : 0);
        long blocksPerSm = Math.max(1, props.maxThreadsPerSm() / block);
        long cap = Math.min((long) props.smCount() * blocksPerSm * wavesPerSm, Math.max(1, props.gridStrideCap()));
        int grid = (int) Math.max(1, Math.min(needed, Math.min(cap, Integer.MAX_VALUE)));
        return of(grid, block);
    }

    public long threads() {
        return (long) gridX * gridY * gridZ * blockX * blockY * blockZ;
    }
}
