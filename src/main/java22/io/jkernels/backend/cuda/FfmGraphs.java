package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmErrors.check;
import static io.jkernels.backend.cuda.FfmErrors.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The {@code ffm} binding's calls for CUDA graphs: capturing a stream into one
 * ({@code cuStreamBeginCapture}, thread-local capture mode, and {@code cuStreamEndCapture}), counting
 * its nodes, instantiating, launching and destroying it; {@link FfmCudaDriver} implements {@link
 * io.jkernels.backend.CudaDriver CudaDriver}'s methods of the same names with them.
 */
final class FfmGraphs {

    private static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    private FfmGraphs() {
    }

    static void streamBeginCapture(long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamBeginCapture.invokeExact(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamBeginCapture");
    }

    static long streamEndCapture(long stream) {
        MemorySegment out = FfmScratch.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamEndCapture.invokeExact(stream, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamEndCapture");
        return out.get(JAVA_LONG, 0);
    }

    static long graphNodeCount(long graph) {
        MemorySegment out = FfmScratch.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphGetNodes.invokeExact(graph, MemorySegment.NULL, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphGetNodes");
        return out.get(JAVA_LONG, 0);
    }

    static long graphInstantiate(long graph) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphInstantiate.invokeExact(out, graph, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphInstantiate");
        return out.get(JAVA_LONG, 0);
    }

    static void graphLaunch(long graphExec, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphLaunch.invokeExact(graphExec, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphLaunch");
    }

    static void graphExecDestroy(long graphExec) {
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphExecDestroy.invokeExact(graphExec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphExecDestroy");
    }

    static void graphDestroy(long graph) {
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphDestroy.invokeExact(graph);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphDestroy");
    }
}
