package io.jkernels.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.CudaException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Choosing and opening a CUDA binding. Without a GPU (no libcuda.so.1, no device) opening must fail
 * with a message that says why, never crash the JVM; with one, it must give a working driver.
 */
class CudaDriversTest {

    /** Opens the binding; on failure checks the message explains it. Returns the driver or null. */
    private static CudaDriver openOrExplain(String binding) {
        try {
            CudaDriver d = CudaDrivers.open(binding);
            assertEquals(binding, d.name());
            return d;
        } catch (UnsatisfiedLinkError | CudaException e) {
            String m = e.getMessage();
            assertNotNull(m, "failure without a message: " + e);
            assertTrue(m.contains(binding), "the message names the binding: " + m);
            assertTrue(m.contains("libcuda.so.1") || m.contains("Java 22") || m.contains("CUDA_ERROR_")
                    || m.contains("no devices") || m.contains("JCuda") || m.contains("driver"),
                    "the message says why: " + m);
            assertFalse(m.contains("\n"), "a one-line message: " + m);
            return null;
        }
    }

    private static void checkWorking(CudaDriver d) {
        assertTrue(d.deviceCount() > 0);
        assertTrue(d.driverVersion() > 0);
        assertFalse(d.deviceName(0).isBlank());
        assertTrue(d.deviceTotalMem(0) > 0);
        assertEquals(32, d.deviceAttribute(0, CudaDriver.Attr.WARP_SIZE));
    }

    @Test
    void jcudaOpensOrSaysWhy() {
        CudaDriver d = openOrExplain("jcuda");
        if (d != null) {
            checkWorking(d);
        }
        // A second attempt behaves the same (JCuda's failed class initialisation is not retried).
        CudaDriver again = openOrExplain("jcuda");
        assertEquals(d == null, again == null);
    }

    @Test
    void ffmOpensOrSaysWhy() {
        CudaDriver d = openOrExplain("ffm");
        if (Runtime.version().feature() < 22) {
            assertEquals(null, d, "ffm opened on Java " + Runtime.version().feature());
            UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> CudaDrivers.open("ffm"));
            assertTrue(e.getMessage().contains("Java 22+"), e.getMessage());
        }
        if (d != null) {
            checkWorking(d);
        }
        CudaDriver again = openOrExplain("ffm");
        assertEquals(d == null, again == null);
    }

    @Test
    void bindingNamesAreCaseInsensitive() {
        for (String b : new String[] {"JCuda", " ffm "}) {
            try {
                CudaDrivers.open(b);
            } catch (IllegalArgumentException e) {
                fail("'" + b + "' is a valid binding name: " + e);
            } catch (UnsatisfiedLinkError | CudaException e) {
                // no driver or device here
            }
        }
    }

    @Test
    void unknownBindingIsIllegalArgument() {
        for (String b : new String[] {"cuda", "", "jni", "ffm2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaDrivers.open(b));
            assertTrue(e.getMessage().contains("ffm") && e.getMessage().contains("jcuda"), e.getMessage());
        }
    }

    @Test
    void defaultBinding() {
        String previous = System.getProperty(CudaDrivers.BINDING_PROPERTY);
        try {
            System.clearProperty(CudaDrivers.BINDING_PROPERTY);
            String b = CudaDrivers.defaultBinding();
            assertTrue(Set.of("ffm", "jcuda").contains(b), b);
            assertEquals(Runtime.version().feature() >= 22 && CudaDrivers.ffmAvailable(), b.equals("ffm"));
            if (Runtime.version().feature() < 22) {
                assertEquals("jcuda", b);
            }
            System.setProperty(CudaDrivers.BINDING_PROPERTY, "jcuda");
            assertEquals("jcuda", CudaDrivers.defaultBinding());
            System.setProperty(CudaDrivers.BINDING_PROPERTY, "FFM");
            assertEquals("ffm", CudaDrivers.defaultBinding());
            System.setProperty(CudaDrivers.BINDING_PROPERTY, "bogus");
            assertThrows(IllegalArgumentException.class, CudaDrivers::defaultBinding);
            assertThrows(IllegalArgumentException.class, () -> CudaDrivers.open(null));
        } finally {
            if (previous == null) {
                System.clearProperty(CudaDrivers.BINDING_PROPERTY);
            } else {
                System.setProperty(CudaDrivers.BINDING_PROPERTY, previous);
            }
        }
    }
}
