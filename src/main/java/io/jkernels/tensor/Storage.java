package io.jkernels.tensor;

import io.jkernels.backend.Backend;
import io.jkernels.backend.Memory;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One allocation shared by a tensor and its views, reference counted: each tensor holds one
 * reference and releases it on close; the memory is freed when the last is released. A Cleaner
 * frees the memory of storages that became unreachable without being released (a leak backup).
 */
final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    final Device device;
    final Backend backend;
    final Memory memory;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final Cleaner.Cleanable cleanable;

    /** Allocates {@code bytes} on the backend of {@code device}. */
    Storage(Device device, long bytes) {
        this.device = device;
        this.backend = device.backend();
        this.memory = backend.allocate(bytes);
        this.cleanable = CLEANER.register(this, new Free(backend, memory));
    }

    /** The freeing action: holds no reference to the Storage. */
    private static final class Free implements Runnable {
        private final Backend backend;
        private final Memory memory;

        Free(Backend backend, Memory memory) {
            this.backend = backend;
            this.memory = memory;
        }

        @Override
        public void run() {
            backend.free(memory);
        }
    }

    void retain() {
        int r;
        do {
            r = refs.get();
            if (r == 0) {
                throw new IllegalStateException("storage already freed");
            }
        } while (!refs.compareAndSet(r, r + 1));
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            cleanable.clean();
        }
    }
}
