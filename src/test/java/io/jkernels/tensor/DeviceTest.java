package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceTest {

    @Test
    void parseKnownNames() {
        assertSame(Device.cpu(), Device.parse("cpu"));
        assertSame(Device.emu(), Device.parse("emu"));
        assertSame(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        assertSame(Device.cuda(1), Device.parse("cuda:1"));
        assertSame(Device.cpu(), Device.parse(" CPU "));
        assertEquals(Device.Kind.CUDA, Device.parse("cuda:3").kind());
        assertEquals(3, Device.parse("cuda:3").index());
        assertEquals(Device.Kind.EMU, Device.emu().kind());
        assertTrue(Device.cpu().isCpu());
        assertFalse(Device.emu().isCpu());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "cuda:", "cuda:x", "cuda1", "", "tpu:0"})
    void parseRejectsBadNamesNamingTheInput(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad));
        assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("cuda:N"), "lists the accepted forms: " + e.getMessage());
    }

    @Test
    void negativeOrdinalIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:-1"));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-2));
    }

    @Test
    void equalityAndToString() {
        assertEquals(Device.cuda(2), Device.cuda(2));
        assertEquals(Device.cuda(2).hashCode(), Device.parse("cuda:2").hashCode());
        assertNotEquals(Device.cuda(0), Device.cuda(1));
        assertNotEquals(Device.cpu(), Device.emu());
        assertNotEquals(Device.emu(), Device.cuda(0));
        assertEquals("cpu", Device.cpu().toString());
        assertEquals("emu", Device.emu().toString());
        assertEquals("cuda:0", Device.cuda().toString());
        assertEquals("cuda:7", Device.cuda(7).toString());
        for (Device d : new Device[] {Device.cpu(), Device.emu(), Device.cuda(5)}) {
            assertEquals(d, Device.parse(d.toString()), "parse(toString) of " + d);
        }
    }

    @Test
    void idNamesTheDeviceForTheBackendsAndMapsBack() {
        for (Device d : new Device[] {Device.cpu(), Device.emu(), Device.cuda(0), Device.cuda(3)}) {
            assertEquals(d.toString(), d.id().toString(), "id of " + d);
            assertSame(d, Device.of(d.id()));
        }
        assertEquals(new io.jkernels.backend.DeviceId("cuda", 3), Device.cuda(3).id());
        assertThrows(IllegalArgumentException.class, () -> Device.of(new io.jkernels.backend.DeviceId("tpu", 0)));
    }

    @Test
    void cpuHasABackendButNoKernels() {
        assertSame(Device.cpu(), Device.of(Device.cpu().backend().deviceId()));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Device.cpu().kernels());
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());
        Device.cpu().synchronize();
    }

    /** Whether this machine plausibly has an NVIDIA GPU (a driver device node). */
    private static boolean hasNvidiaDeviceNode() {
        return Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/proc/driver/nvidia/version"));
    }

    @Test
    void cudaUnavailableWithoutAGpuSaysWhy() {
        assumeFalse(hasNvidiaDeviceNode(), "this machine has an NVIDIA device node");
        assertFalse(Device.cudaAvailable(), "no NVIDIA device node, yet CUDA reports available");
        String why = Device.cudaUnavailableReason();
        assertNotNull(why);
        assertTrue(why.length() > 15, "reason too short to be useful: '" + why + "'");
        String l = why.toLowerCase(Locale.ROOT);
        assertTrue(l.contains("cuda") || l.contains("driver") || l.contains("device") || l.contains("gpu"),
                "reason names what is missing: " + why);
        // the backend refuses to start with that same reason, and nothing else breaks
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Device.cuda(0).backend());
        assertTrue(e.getMessage().contains(why), e.getMessage() + " / " + why);
        assertEquals(0, Device.cuda(0).liveBytes());
    }

    @Test
    void availabilityAndReasonAgree() {
        assertEquals(Device.cudaAvailable(), Device.cudaUnavailableReason() == null);
        assertEquals(Device.emuAvailable(), Device.emuUnavailableReason() == null);
        // the reasons are the backends' own, found through their providers
        assertEquals(io.jkernels.backend.cuda.CudaBackend.unavailableReason(), Device.cudaUnavailableReason());
        assertEquals(io.jkernels.backend.emu.EmuBackend.unavailableReason(), Device.emuUnavailableReason());
    }

    @Test
    @Tag("gpu")
    void cudaDeviceStartsWhenPresent() {
        io.jkernels.testing.Gpu.requireCuda();
        Device d = Device.cuda(0);
        assertEquals(Device.Kind.CUDA, Device.of(d.backend().deviceId()).kind());
        assertTrue(d.kernels().properties().smCount() > 0);
        assertTrue(d.kernels().hasKernel("copy_strided_b4"), "fatbin has the tensor kernels");
        d.synchronize();
    }
}
