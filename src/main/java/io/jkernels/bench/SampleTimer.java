package io.jkernels.bench;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.tensor.Device;

/**
 * Times a batch of back-to-back calls once. On cuda: two events recorded on the backend's stream
 * around the batch (the GPU's own clock; the host only queues the launches), on emu and cpu: the
 * wall clock between two device synchronizations (emu launches are synchronous).
 */
public interface SampleTimer extends AutoCloseable {

    /** "cuda-events" or "wall-clock". */
    String method();

    /** Seconds from the start of the first of {@code calls} calls of {@code op} to the end of the last. */
    double seconds(Runnable op, int calls);

    @Override
    void close();

    /** The timer for a device: events on cuda, the wall clock elsewhere. */
    static SampleTimer forDevice(Device device) {
        return device.kind() == Device.Kind.CUDA ? new Events((CudaBackend) device.backend()) : new Wall(device);
    }

    /** Wall clock between synchronizations. */
    final class Wall implements SampleTimer {
        private final Device device;

        Wall(Device device) {
            this.device = device;
        }

        @Override
        public String method() {
            return "wall-clock";
        }

        @Override
        public double seconds(Runnable op, int calls) {
            device.synchronize();
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                op.run();
            }
            device.synchronize();
            return (System.nanoTime() - t0) * 1e-9;
        }

        @Override
        public void close() {
        }
    }

    /**
     * cuEventRecord on the backend's stream before and after the batch, cuEventSynchronize on the
     * second, cuEventElapsedTime. Every launch of the backend goes to that stream, so the events
     * bracket exactly the batch's work.
     */
    final class Events implements SampleTimer {
        private final CudaBackend backend;
        private final CudaDriver driver;
        private final long start;
        private final long end;

        Events(CudaBackend backend) {
            this.backend = backend;
            this.driver = backend.cudaDriver();
            long s = driver.eventCreate();
            try {
                this.end = driver.eventCreate();
            } catch (RuntimeException e) {
                driver.eventDestroy(s);
                throw e;
            }
            this.start = s;
        }

        @Override
        public String method() {
            return "cuda-events";
        }

        @Override
        public double seconds(Runnable op, int calls) {
            long stream = backend.stream();
            driver.eventRecord(start, stream);
            for (int i = 0; i < calls; i++) {
                op.run();
            }
            driver.eventRecord(end, stream);
            driver.eventSynchronize(end);
            return driver.eventElapsedTime(start, end) * 1e-3;
        }

        @Override
        public void close() {
            driver.eventDestroy(start);
            driver.eventDestroy(end);
        }
    }
}
