package io.jkernels.backend;

import java.util.Optional;

/**
 * Starts the backends of one kind of device ({@link DeviceId#kind()}: "cpu", "emu", "cuda").
 * The providers are found with {@link java.util.ServiceLoader} (listed in
 * META-INF/services/io.jkernels.backend.BackendProvider), so code that names a device, such as
 * the tensor package, starts its backend without naming the backend classes.
 * Implementations need a public no-argument constructor that does no work (loading natives,
 * probing drivers): every provider is made on the first lookup.
 */
public interface BackendProvider {

    /** The device kind this provider serves; unique among the providers. */
    String kind();

    /** Why backends of this kind cannot start here (no driver, library missing...), or null when they can. */
    String unavailableReason();

    /**
     * Starts the backend of {@code device} (of this provider's kind); throws
     * {@link UnsupportedOperationException} with the reason when it cannot.
     */
    Backend open(DeviceId device);

    /** The provider of that device kind, if one is on the class path. */
    static Optional<BackendProvider> find(String kind) {
        return Optional.ofNullable(BackendProviders.BY_KIND.get(kind));
    }
}
