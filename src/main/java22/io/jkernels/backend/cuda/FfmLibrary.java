package io.jkernels.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA driver library of the {@code ffm} binding: opening it (once, from
 * {@link FfmCudaDriver#load()}) and binding its symbols as the downcall handles of
 * {@link FfmDowncalls}, noting which are bound as critical downcalls.
 *
 * <p>The library is {@code libcuda.so.1}, or the file named by the system property
 * {@code jkernels.cuda.library} ({@link FfmCudaDriver#LIBRARY_PROPERTY}). A failure to open it or
 * to bind a symbol is kept: every later {@link #open()} throws it again.
 */
@SuppressWarnings("restricted")
final class FfmLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    private static final Object LOAD_LOCK = new Object();
    private static volatile SymbolLookup lookup;
    private static volatile String libraryName;
    private static volatile Throwable loadFailure;

    /** The driver functions bound as critical downcalls (filled when the handles are bound). */
    private static final Set<String> CRITICAL_CALLS = ConcurrentHashMap.newKeySet();

    private FfmLibrary() {
    }

    /**
     * Opens the driver library and binds every function in {@link FfmDowncalls}, the first time it
     * succeeds; after that, and after a failure, does nothing but throw that failure again.
     *
     * @throws UnsatisfiedLinkError when the library cannot be opened or lacks a function (the
     *     message says which)
     */
    static void open() {
        synchronized (LOAD_LOCK) {
            if (loadFailure != null) {
                throw relinkError(loadFailure);
            }
            if (lookup == null) {
                String name = System.getProperty(FfmCudaDriver.LIBRARY_PROPERTY, "libcuda.so.1");
                try {
                    if (ADDRESS.byteSize() != 8) {
                        throw new UnsatisfiedLinkError("the ffm CUDA binding needs a 64-bit platform");
                    }
                    SymbolLookup l;
                    try {
                        l = SymbolLookup.libraryLookup(name, Arena.global());
                    } catch (IllegalArgumentException e) {
                        UnsatisfiedLinkError u = new UnsatisfiedLinkError(
                                "cannot open the CUDA driver library " + name + " (no NVIDIA driver installed?): "
                                        + e.getMessage());
                        u.initCause(e);
                        throw u;
                    }
                    libraryName = name;
                    lookup = l;
                    FfmDowncalls.touch(); // binds every handle; throws when a symbol is missing
                } catch (Throwable t) {
                    Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
                    lookup = null;
                    loadFailure = cause;
                    throw relinkError(cause);
                }
            }
        }
    }

    private static Error relinkError(Throwable cause) {
        if (cause instanceof Error e && !(cause instanceof LinkageError)) {
            return e;
        }
        UnsatisfiedLinkError u = new UnsatisfiedLinkError(cause.getMessage());
        u.initCause(cause);
        return u;
    }

    /** The name the library was opened by (null before {@link #open()} first succeeds). */
    static String name() {
        return libraryName;
    }

    /** The driver functions bound as critical downcalls (empty before {@link #open()}). */
    static Set<String> criticalCalls() {
        return Set.copyOf(CRITICAL_CALLS);
    }

    /**
     * A downcall handle to {@code symbol}, returning a CUresult ({@code int}) and taking
     * {@code args}; any {@code options} make it a critical downcall, recorded as such.
     */
    static MethodHandle bind(String symbol, Linker.Option[] options, MemoryLayout... args) {
        if (options.length > 0) {
            CRITICAL_CALLS.add(symbol);
        }
        MemorySegment address = lookup.find(symbol).orElseThrow(() -> new UnsatisfiedLinkError(
                "the CUDA driver library " + libraryName + " has no " + symbol + " (driver too old?)"));
        return LINKER.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, args), options);
    }

    /** A downcall handle to the first of {@code symbols} the library has (as {@link #bind}, no options). */
    static MethodHandle bindFirst(String[] symbols, MemoryLayout... args) {
        for (String s : symbols) {
            Optional<MemorySegment> address = lookup.find(s);
            if (address.isPresent()) {
                return LINKER.downcallHandle(address.get(), FunctionDescriptor.of(JAVA_INT, args));
            }
        }
        throw new UnsatisfiedLinkError("the CUDA driver library " + libraryName + " has none of "
                + String.join(", ", symbols) + " (driver too old?)");
    }
}
