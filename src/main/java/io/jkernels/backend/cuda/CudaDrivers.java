package io.jkernels.backend.cuda;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.CudaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * Chooses and opens the CUDA driver binding: {@code ffm} ({@link java.lang.foreign} downcalls into
 * libcuda.so.1, Java 22+) or {@code jcuda} (JCuda 12.6, Java 17+).
 *
 * <p>The system property {@code jkernels.cuda.binding} ({@code ffm} or {@code jcuda}) overrides
 * the default, which is {@code ffm} when the runtime is Java 22+ and the class is present (it lives
 * in META-INF/versions/22 of the multi-release jar), else {@code jcuda}.
 */
public final class CudaDrivers {

    /** System property selecting the binding. */
    public static final String BINDING_PROPERTY = "jkernels.cuda.binding";

    static final String FFM_CLASS = "io.jkernels.backend.cuda.FfmCudaDriver";
    private static final String FFM_RESOURCE = "META-INF/versions/22/" + FFM_CLASS.replace('.', '/') + ".class";

    private CudaDrivers() {
    }

    /**
     * The binding {@link #open(String) open(null)} uses: the system property when set, else
     * {@code ffm} where it can be loaded, else {@code jcuda}.
     */
    public static String defaultBinding() {
        String p = System.getProperty(BINDING_PROPERTY);
        if (p != null && !p.isBlank()) {
            return normalise(p);
        }
        return ffmAvailable() ? "ffm" : "jcuda";
    }

    /** Whether the runtime is Java 22+ and the ffm binding's class can be found. */
    public static boolean ffmAvailable() {
        if (Runtime.version().feature() < 22) {
            return false;
        }
        try {
            ffmClass();
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Opens a binding and initialises the driver (cuInit), checking there is at least one device.
     *
     * @param binding {@code "ffm"}, {@code "jcuda"}, or null for {@link #defaultBinding()}
     * @return the initialised driver
     * @throws IllegalArgumentException for an unknown binding name
     * @throws UnsatisfiedLinkError when the binding or the driver library cannot be loaded (message
     *     says why: Java version, libcuda.so.1 or JCuda natives missing)
     * @throws CudaException when cuInit or the device query fails (e.g. CUDA_ERROR_NO_DEVICE), or
     *     there is no device
     */
    public static CudaDriver open(String binding) {
        String b = binding == null ? defaultBinding() : normalise(binding);
        CudaDriver driver = "ffm".equals(b) ? loadFfm() : loadJCuda();
        try {
            driver.init();
        } catch (CudaException e) {
            throw withBinding(b, "cuInit", e);
        }
        int count;
        try {
            count = driver.deviceCount();
        } catch (CudaException e) {
            throw withBinding(b, "cuDeviceGetCount", e);
        }
        if (count < 1) {
            throw new CudaException(b + " binding: the CUDA driver reports no devices");
        }
        return driver;
    }

    /** The same driver error, its call prefixed with the binding, the CUresult kept. */
    private static CudaException withBinding(String binding, String call, CudaException e) {
        if (e.code() < 0) {
            CudaException w = new CudaException(binding + " binding: " + e.getMessage());
            w.initCause(e);
            return w;
        }
        // CudaException's message is "<call> failed: <name> (<code>)".
        String m = String.valueOf(e.getMessage());
        int from = m.indexOf(" failed: ");
        int to = m.lastIndexOf(" (");
        String name = from >= 0 && to > from ? m.substring(from + 9, to) : "CUresult";
        CudaException w = new CudaException(binding + " binding: " + call, e.code(), name);
        w.initCause(e);
        return w;
    }

    private static String normalise(String binding) {
        String b = binding.trim().toLowerCase(Locale.ROOT);
        if (!b.equals("ffm") && !b.equals("jcuda")) {
            throw new IllegalArgumentException(
                    "unknown CUDA binding '" + binding + "' (expected 'ffm' or 'jcuda', property " + BINDING_PROPERTY + ")");
        }
        return b;
    }

    /** The first failure to load JCuda (a class whose initialisation failed cannot be retried). */
    private static volatile UnsatisfiedLinkError jcudaFailure;

    private static CudaDriver loadJCuda() {
        UnsatisfiedLinkError first = jcudaFailure;
        if (first != null) {
            throw again(first);
        }
        try {
            return JCudaDriver.load();
        } catch (LinkageError e) {
            String full = fullText(e);
            String why;
            if (full.contains("libcuda.so") && full.contains("cannot open shared object file")) {
                why = "libcuda.so.1 (the NVIDIA driver) was not found";
            } else if (full.contains("undefined symbol")) {
                why = "libcuda.so.1 lacks a function JCuda 12.6 needs (driver older than CUDA 12.6?)";
            } else {
                why = "JCuda's native library could not be loaded (jcuda-natives jar for this platform missing?)";
            }
            UnsatisfiedLinkError u = new UnsatisfiedLinkError("jcuda binding: " + why + ": " + firstLine(e));
            u.initCause(e);
            jcudaFailure = u;
            throw u;
        }
    }

    private static UnsatisfiedLinkError again(UnsatisfiedLinkError first) {
        UnsatisfiedLinkError u = new UnsatisfiedLinkError(first.getMessage());
        u.initCause(first);
        return u;
    }

    private static CudaDriver loadFfm() {
        if (Runtime.version().feature() < 22) {
            throw new UnsatisfiedLinkError("the ffm binding needs Java 22+ (this is Java " + Runtime.version().feature()
                    + "); use -D" + BINDING_PROPERTY + "=jcuda");
        }
        Class<?> c;
        try {
            c = ffmClass();
        } catch (ClassNotFoundException | LinkageError e) {
            UnsatisfiedLinkError u = new UnsatisfiedLinkError("the ffm binding needs Java 22+ and its class "
                    + FFM_CLASS + " (built with JDK 22+ into META-INF/versions/22), which is absent: " + firstLine(e));
            u.initCause(e);
            throw u;
        }
        try {
            Method load = c.getMethod("load");
            return (CudaDriver) load.invoke(null);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof Error err) {
                UnsatisfiedLinkError u = new UnsatisfiedLinkError("ffm binding: " + firstLine(err));
                u.initCause(err);
                throw u;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("ffm binding: " + firstLine(t), t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ffm binding: " + FFM_CLASS + ".load() cannot be called: " + e, e);
        }
    }

    /** The first line of the message (of the innermost cause for a failed class initialisation). */
    private static String firstLine(Throwable t) {
        Throwable s = t;
        while ((s instanceof NoClassDefFoundError || s instanceof ExceptionInInitializerError) && s.getCause() != null
                && s.getCause() != s) {
            s = s.getCause();
        }
        String m = s.getMessage();
        if (m == null || m.isBlank()) {
            return s.toString();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl).strip();
        return s instanceof UnsatisfiedLinkError || s instanceof ClassNotFoundException ? m
                : s.getClass().getSimpleName() + ": " + m;
    }

    private static String fullText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- finding the ffm class

    private static volatile Class<?> ffmClass;

    /**
     * The ffm binding's class: from the class path (a multi-release jar on Java 22+), or, when the
     * classes are an exploded directory (which the JDK does not read as multi-release, e.g. Maven's
     * target/classes under test), from its META-INF/versions/22 copy next to this class.
     */
    private static Class<?> ffmClass() throws ClassNotFoundException {
        Class<?> c = ffmClass;
        if (c != null) {
            return c;
        }
        synchronized (CudaDrivers.class) {
            if (ffmClass == null) {
                ClassLoader parent = CudaDrivers.class.getClassLoader();
                try {
                    ffmClass = Class.forName(FFM_CLASS, false, parent);
                } catch (ClassNotFoundException e) {
                    if (parent == null || parent.getResource(FFM_RESOURCE) == null) {
                        throw e;
                    }
                    ffmClass = Class.forName(FFM_CLASS, false, new VersionedLoader(parent));
                }
            }
            return ffmClass;
        }
    }

    /**
     * Defines the ffm binding class (and its nested classes) from the META-INF/versions/22 copies
     * of an exploded class directory; everything else comes from the parent. The binding uses only
     * public types of io.jkernels.backend, so the separate runtime package does not matter.
     */
    private static final class VersionedLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        VersionedLoader(ClassLoader parent) {
            super("jkernels-ffm", parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(FFM_CLASS) && !name.startsWith(FFM_CLASS + "$")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            String resource = "META-INF/versions/22/" + name.replace('.', '/') + ".class";
            try (InputStream in = getParent().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                in.transferTo(bytes);
                byte[] b = bytes.toByteArray();
                return defineClass(name, b, 0, b.length, CudaDrivers.class.getProtectionDomain());
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
