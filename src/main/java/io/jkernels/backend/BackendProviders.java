package io.jkernels.backend;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link BackendProvider}s by kind, loaded once (on the first {@link BackendProvider#find}). */
final class BackendProviders {
    static final Map<String, BackendProvider> BY_KIND = load();

    private BackendProviders() {
    }

    private static Map<String, BackendProvider> load() {
        Map<String, BackendProvider> m = new TreeMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, BackendProvider.class.getClassLoader())) {
            BackendProvider before = m.putIfAbsent(p.kind(), p);
            if (before != null) {
                throw new IllegalStateException("two backend providers for device kind '" + p.kind() + "': "
                        + before.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return Map.copyOf(m);
    }
}
