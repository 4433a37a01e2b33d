package io.jkernels.backend.emu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * JNI binding of the host CUDA emulator, {@code libjkernels_emu.so} (built by {@code native/Makefile}
 * from the same {@code kernels/*.cu} sources as the fatbin; runtime in {@code native/emu/}).
 *
 * <p>"Device" memory is host memory allocated with 256-byte alignment; a pointer is a {@code long}
 * exactly as on the GPU. A launch runs the kernel's blocks on a pool of worker threads (one per
 * hardware thread, at least 2, or {@code JK_EMU_WORKERS}) and returns when all have finished.
 *
 * <p><b>Loading.</b> If the system property {@code jkernels.emu.library} is set, that file is loaded
 * (the tests point it at {@code libjkernels_emu_asan.so} for the ASan run); otherwise the resource
 * {@code /io/jkernels/native/libjkernels_emu.so} is copied from the class path to a temporary
 * directory, once per process, and loaded from there. Any failure makes the emulator unavailable:
 * {@link #available()} is false and {@link #unavailableReason()} says why; class initialization
 * never throws.
 *
 * <p><b>Natives.</b> Each public method checks that the library is loaded (else
 * {@link UnsupportedOperationException} with the reason) and calls a private native method of the
 * same name with a {@code 0} suffix; the JNI symbols are therefore
 * {@code Java_io_jkernels_backend_emu_EmuNative_<name>0} (native/emu/jni.cpp).
 *
 * <p><b>Errors.</b> Invalid arguments (a block of more than 1024 threads, a dimension below 1, more
 * than {@value #SHARED_MEM_PER_BLOCK} bytes of dynamic shared memory, an unknown function handle, a
 * wrong argument count, a heap buffer) throw {@link IllegalArgumentException}; a kernel that calls
 * {@code __trap()}, throws, or deadlocks at a barrier makes {@link #launch} throw
 * {@link IllegalStateException} naming the kernel, the block and the thread.
 */
public final class EmuNative {
    /** Resource path of the emulator library inside the jar. */
    public static final String RESOURCE = "/io/jkernels/native/libjkernels_emu.so";
    /** System property naming a library file to load instead of the resource. */
    public static final String LIBRARY_PROPERTY = "jkernels.emu.library";
    /** Dynamic shared memory limit of a launch, as reported by {@link #properties()}. */
    public static final int SHARED_MEM_PER_BLOCK = 49152;

    private static final String UNAVAILABLE = load();

    private EmuNative() {
    }

    private static String load() {
        try {
            String explicit = System.getProperty(LIBRARY_PROPERTY);
            if (explicit != null && !explicit.isEmpty()) {
                System.load(Path.of(explicit).toAbsolutePath().toString());
                return null;
            }
            try (InputStream in = EmuNative.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    return "resource " + RESOURCE + " is not on the class path (native build skipped?)";
                }
                Path dir = Files.createTempDirectory("jkernels-emu");
                Path lib = dir.resolve("libjkernels_emu.so");
                Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
                lib.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                System.load(lib.toString());
            }
            return null;
        } catch (Throwable t) {
            return "cannot load the emulator library: " + t;
        }
    }

    /** Whether the emulator library is loaded. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the emulator is unavailable, or null when it is available. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static void ensureLoaded() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("host emulator unavailable: " + UNAVAILABLE);
        }
    }

    /**
     * Allocates {@code bytes} of 256-byte aligned memory (0 gives a valid, unique pointer).
     *
     * @throws OutOfMemoryError when the allocation fails
     */
    public static long malloc(long bytes) {
        ensureLoaded();
        return malloc0(bytes);
    }

    /** Frees memory from {@link #malloc} (0 is ignored). */
    public static void free(long ptr) {
        ensureLoaded();
        free0(ptr);
    }

    /** Copies {@code bytes} from the direct buffer {@code src} at {@code srcOffset} (absolute) to {@code dst}. */
    public static void copyFromBuffer(long dst, ByteBuffer src, long srcOffset, long bytes) {
        ensureLoaded();
        copyFromBuffer0(dst, src, srcOffset, bytes);
    }

    /** Copies {@code bytes} from {@code src} into the direct buffer {@code dst} at {@code dstOffset} (absolute). */
    public static void copyToBuffer(ByteBuffer dst, long dstOffset, long src, long bytes) {
        ensureLoaded();
        copyToBuffer0(dst, dstOffset, src, bytes);
    }

    /** Copies {@code bytes} from {@code src} to {@code dst}; the ranges may overlap (memmove). */
    public static void copy(long dst, long src, long bytes) {
        ensureLoaded();
        copy0(dst, src, bytes);
    }

    /** Sets {@code count} elements of {@code elemBytes} (1, 2, 4 or 8) to the low bytes of {@code pattern}. */
    public static void fill(long dst, long count, int elemBytes, long pattern) {
        ensureLoaded();
        fill0(dst, count, elemBytes, pattern);
    }

    /** Names of every kernel compiled into the library. */
    public static String[] kernelNames() {
        ensureLoaded();
        return kernelNames0();
    }

    /** Handle of the kernel {@code name} for {@link #launch}, or 0 when there is none. */
    public static long function(String name) {
        ensureLoaded();
        return function0(name);
    }

    /**
     * Runs {@code function} over a grid of blocks and returns when every block has finished. The
     * kernel's parameter {@code i} is read from {@code address(args) + offsets[i]}, as
     * cuLaunchKernel reads {@code void** kernelParams}.
     *
     * @param args a direct buffer with the argument values (e.g. {@code KernelArgs.buffer()})
     * @throws IllegalArgumentException for an invalid configuration or argument list
     * @throws IllegalStateException when the kernel traps, throws, or deadlocks
     */
    public static void launch(long function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
            ByteBuffer args, int[] offsets, int nargs) {
        launch(function, gx, gy, gz, bx, by, bz, sharedBytes, args, offsets, null, nargs);
    }

    /**
     * As {@link #launch(long, int, int, int, int, int, int, int, ByteBuffer, int[], int)}, and each
     * argument's size in bytes ({@code sizes[i]}, null: unchecked) must be the size of the kernel's
     * parameter {@code i}: an i32/i64 or pointer/struct mix-up is an IllegalArgumentException naming
     * the kernel and the argument, not wrong numbers (a GPU driver cannot tell; the emulator can).
     */
    public static void launch(long function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
            ByteBuffer args, int[] offsets, int[] sizes, int nargs) {
        ensureLoaded();
        launch0(function, gx, gy, gz, bx, by, bz, sharedBytes, args, offsets, sizes, nargs);
    }

    /**
     * {smCount (= worker threads), maxThreadsPerBlock 1024, maxThreadsPerSm 2048, sharedMemPerBlock
     * 49152, warpSize 32}.
     */
    public static int[] properties() {
        ensureLoaded();
        return properties0();
    }

    private static native long malloc0(long bytes);

    private static native void free0(long ptr);

    private static native void copyFromBuffer0(long dst, ByteBuffer src, long srcOffset, long bytes);

    private static native void copyToBuffer0(ByteBuffer dst, long dstOffset, long src, long bytes);

    private static native void copy0(long dst, long src, long bytes);

    private static native void fill0(long dst, long count, int elemBytes, long pattern);

    private static native String[] kernelNames0();

    private static native long function0(String name);

    private static native void launch0(long function, int gx, int gy, int gz, int bx, int by, int bz,
            int sharedBytes, ByteBuffer args, int[] offsets, int[] sizes, int nargs);

    private static native int[] properties0();
}
