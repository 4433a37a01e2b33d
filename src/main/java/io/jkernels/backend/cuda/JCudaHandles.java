package io.jkernels.backend.cuda;

import io.jkernels.backend.CudaException;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.NativePointerObject;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * One kind of handle of the {@code jcuda} binding (contexts, modules, functions, streams, events,
 * graphs or graph executables): the JCuda objects behind the {@code long} handles of
 * {@link io.jkernels.backend.CudaDriver CudaDriver}.
 *
 * <p>JCuda represents each handle as an object whose native value is protected. The binding
 * creates them as the tiny subclasses here ({@link Ctx}, {@link Mod}, ...) that can read that
 * value, hands the value out as the {@code long} handle, and keeps the object in a table per kind
 * (a {@link ConcurrentHashMap}, one instance of this class) to get it back from the handle; destroy
 * calls remove it. Handle 0 maps to a JCuda object whose native value is 0 where the kind has one
 * ({@link #DEFAULT_STREAM}, {@link #NO_CONTEXT}: JCuda passes it as NULL, the default stream or no
 * context), else it is an error. Device pointers need no table: a {@link CUdeviceptr} whose base is
 * 0 and whose byte offset is the address is that address to JCuda (it passes base + offset), see
 * {@link #dptr}.
 */
final class JCudaHandles<T extends NativePointerObject> {

    /** Handle 0 as JCuda objects (native value 0). */
    static final CUstream DEFAULT_STREAM = new CUstream();
    static final CUcontext NO_CONTEXT = new CUcontext();

    private final ConcurrentHashMap<Long, T> table = new ConcurrentHashMap<>();
    private final String what;
    private final T zero;

    /**
     * @param what the CUDA type, for messages ({@code "CUstream"})
     * @param zero the object for handle 0, or null where handle 0 is an error
     */
    JCudaHandles(String what, T zero) {
        this.what = what;
        this.zero = zero;
    }

    /**
     * The JCuda object of a handle. Handle 0 gives this kind's zero object: for streams and
     * contexts a JCuda object whose native value is 0 (JCuda passes NULL, i.e. the default stream /
     * no context, while some of its functions reject a Java null), for other kinds an error.
     */
    T lookup(long handle, String call) {
        return lookup(handle, zero, call);
    }

    /** The JCuda object of a handle; handle 0 is an error for every kind. */
    T lookupNonNull(long handle, String call) {
        return lookup(handle, null, call);
    }

    private T lookup(long handle, T ifZero, String call) {
        if (handle == 0) {
            if (ifZero == null) {
                throw new CudaException(call + " failed: null " + what + " handle");
            }
            return ifZero;
        }
        T t = table.get(handle);
        if (t == null) {
            throw new CudaException(call + " failed: unknown " + what + " handle 0x" + Long.toHexString(handle)
                    + " (not created by this driver, or already destroyed)");
        }
        return t;
    }

    void put(long handle, T object) {
        table.put(handle, object);
    }

    void putIfAbsent(long handle, T object) {
        table.putIfAbsent(handle, object);
    }

    void remove(long handle, T object) {
        table.remove(handle, object);
    }

    // ---------------------------------------------------------------- JCuda objects that read their value

    static final class Ctx extends CUcontext {
        long handle() {
            return getNativePointer();
        }
    }

    static final class Mod extends CUmodule {
        long handle() {
            return getNativePointer();
        }
    }

    static final class Fn extends CUfunction {
        long handle() {
            return getNativePointer();
        }
    }

    static final class Stream extends CUstream {
        long handle() {
            return getNativePointer();
        }
    }

    static final class Event extends CUevent {
        long handle() {
            return getNativePointer();
        }
    }

    static final class Graph extends CUgraph {
        long handle() {
            return getNativePointer();
        }
    }

    static final class GraphExec extends CUgraphExec {
        long handle() {
            return getNativePointer();
        }
    }

    /** A device pointer: base 0 plus a byte offset equal to the address (JCuda passes base + offset). */
    static final class DevPtr extends CUdeviceptr {
        private static final CUdeviceptr ZERO = new CUdeviceptr();

        /** An output pointer for cuMemAlloc. */
        DevPtr() {
        }

        DevPtr(long address) {
            super(ZERO, address);
        }

        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** The device pointer {@code address} as JCuda takes it. */
    static CUdeviceptr dptr(long address) {
        return new DevPtr(address);
    }
}
