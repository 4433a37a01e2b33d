package io.jkernels.backend.cuda;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The {@code ffm} binding of {@link CudaDriver}: {@code java.lang.foreign} downcalls straight into
 * the CUDA driver library (Java 22+; compiled into META-INF/versions/22 of the multi-release jar).
 *
 * <p>This class is the binding's entry point ({@link #load()}, which {@link CudaDrivers} calls by
 * name) and its index: each call is made by the package-private class of its API area, under the
 * same name: {@link FfmDevices} (init, devices, contexts), {@link FfmKernels} (modules and
 * launches), {@link FfmMemory}, {@link FfmStreams} (streams and events) and {@link FfmGraphs}
 * (stream capture and graphs). The driver library is opened and its functions bound by
 * {@link FfmLibrary}, as the downcall handles of {@link FfmDowncalls}; output parameters, the
 * device-name buffer and the kernel's {@code void**} live in per-thread native memory,
 * {@link FfmScratch}; a failed call throws as {@link FfmErrors} says.
 *
 * <p>All these classes are only in META-INF/versions/22. Where the classes are an exploded
 * directory, which the JDK does not read as multi-release (Maven's target/classes under test),
 * {@code CudaDrivers} defines this class and its nested classes from there with a class loader of
 * its own; that loader asks its parent first for any other name and, when the parent lacks it (as
 * it lacks these), defines the class from META-INF/versions/22 itself. So the area classes share
 * this class's loader and runtime package, and package-private access between them holds, in the
 * jar and in the directory alike; a class here must not have the name of one in the base version.
 */
public final class FfmCudaDriver implements CudaDriver {

    /** System property naming the driver library to load instead of libcuda.so.1. */
    public static final String LIBRARY_PROPERTY = "jkernels.cuda.library";

    /** The driver functions this binding calls as critical downcalls (empty before {@link #load()}). */
    public static Set<String> criticalCalls() {
        return FfmLibrary.criticalCalls();
    }

    private FfmCudaDriver() {
    }

    /**
     * Opens the driver library and binds every function the binding calls. Does not call cuInit.
     *
     * @throws UnsatisfiedLinkError when the library cannot be opened or lacks a function (the
     *     message says which)
     */
    public static FfmCudaDriver load() {
        FfmLibrary.open();
        return new FfmCudaDriver();
    }

    @Override
    public String name() {
        return "ffm";
    }

    // ---------------------------------------------------------------- init, devices, contexts: FfmDevices

    @Override
    public void init() {
        FfmDevices.init();
    }

    @Override
    public int driverVersion() {
        return FfmDevices.driverVersion();
    }

    @Override
    public int deviceCount() {
        return FfmDevices.deviceCount();
    }

    @Override
    public String deviceName(int ordinal) {
        return FfmDevices.deviceName(ordinal);
    }

    @Override
    public int deviceAttribute(int ordinal, int attribute) {
        return FfmDevices.deviceAttribute(ordinal, attribute);
    }

    @Override
    public long deviceTotalMem(int ordinal) {
        return FfmDevices.deviceTotalMem(ordinal);
    }

    @Override
    public long primaryContextRetain(int ordinal) {
        return FfmDevices.primaryContextRetain(ordinal);
    }

    @Override
    public void contextSetCurrent(long context) {
        FfmDevices.contextSetCurrent(context);
    }

    @Override
    public long contextGetCurrent() {
        return FfmDevices.contextGetCurrent();
    }

    @Override
    public int threadExchangeStreamCaptureMode(int mode) {
        return FfmDevices.threadExchangeStreamCaptureMode(mode);
    }

    @Override
    public void contextSynchronize() {
        FfmDevices.contextSynchronize();
    }

    // ---------------------------------------------------------------- modules and launches: FfmKernels

    @Override
    public long moduleLoadData(byte[] image) {
        return FfmKernels.moduleLoadData(image);
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        return FfmKernels.moduleGetFunction(module, name);
    }

    @Override
    public void launchKernel(long function, LaunchConfig config, long stream, KernelArgs args) {
        FfmKernels.launchKernel(function, config, stream, args);
    }

    // ---------------------------------------------------------------- memory: FfmMemory

    @Override
    public long memAlloc(long bytes) {
        return FfmMemory.memAlloc(bytes);
    }

    @Override
    public void memFree(long devicePtr) {
        FfmMemory.memFree(devicePtr);
    }

    @Override
    public void memcpyHtoD(long dst, ByteBuffer src, long bytes) {
        FfmMemory.memcpyHtoD(dst, src, bytes);
    }

    @Override
    public void memcpyDtoH(ByteBuffer dst, long src, long bytes) {
        FfmMemory.memcpyDtoH(dst, src, bytes);
    }

    @Override
    public void memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        FfmMemory.memcpyDtoDAsync(dst, src, bytes, stream);
    }

    @Override
    public void memcpyPeerAsync(long dst, long dstContext, long src, long srcContext, long bytes, long stream) {
        FfmMemory.memcpyPeerAsync(dst, dstContext, src, srcContext, bytes, stream);
    }

    @Override
    public void memsetD8Async(long dst, byte value, long count, long stream) {
        FfmMemory.memsetD8Async(dst, value, count, stream);
    }

    @Override
    public void memsetD16Async(long dst, short value, long count, long stream) {
        FfmMemory.memsetD16Async(dst, value, count, stream);
    }

    @Override
    public void memsetD32Async(long dst, int value, long count, long stream) {
        FfmMemory.memsetD32Async(dst, value, count, stream);
    }

    // ---------------------------------------------------------------- streams and events: FfmStreams

    @Override
    public long streamCreate(boolean nonBlocking) {
        return FfmStreams.streamCreate(nonBlocking);
    }

    @Override
    public void streamDestroy(long stream) {
        FfmStreams.streamDestroy(stream);
    }

    @Override
    public void streamSynchronize(long stream) {
        FfmStreams.streamSynchronize(stream);
    }

    @Override
    public long eventCreate() {
        return FfmStreams.eventCreate();
    }

    @Override
    public void eventDestroy(long event) {
        FfmStreams.eventDestroy(event);
    }

    @Override
    public void eventRecord(long event, long stream) {
        FfmStreams.eventRecord(event, stream);
    }

    @Override
    public void eventSynchronize(long event) {
        FfmStreams.eventSynchronize(event);
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        return FfmStreams.eventElapsedTime(start, end);
    }

    // ---------------------------------------------------------------- graphs: FfmGraphs

    @Override
    public void streamBeginCapture(long stream) {
        FfmGraphs.streamBeginCapture(stream);
    }

    @Override
    public long streamEndCapture(long stream) {
        return FfmGraphs.streamEndCapture(stream);
    }

    @Override
    public long graphNodeCount(long graph) {
        return FfmGraphs.graphNodeCount(graph);
    }

    @Override
    public long graphInstantiate(long graph) {
        return FfmGraphs.graphInstantiate(graph);
    }

    @Override
    public void graphLaunch(long graphExec, long stream) {
        FfmGraphs.graphLaunch(graphExec, stream);
    }

    @Override
    public void graphExecDestroy(long graphExec) {
        FfmGraphs.graphExecDestroy(graphExec);
    }

    @Override
    public void graphDestroy(long graph) {
        FfmGraphs.graphDestroy(graph);
    }

    @Override
    public String toString() {
        return "FfmCudaDriver[" + FfmLibrary.name() + "]";
    }
}
