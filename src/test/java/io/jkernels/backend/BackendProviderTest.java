package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.backend.cuda.CudaBackendProvider;
import io.jkernels.backend.emu.EmuBackend;
import io.jkernels.backend.emu.EmuBackendProvider;
import org.junit.jupiter.api.Test;

class BackendProviderTest {

    @Test
    void theServiceFileListsOneProviderPerKind() {
        assertInstanceOf(CpuBackendProvider.class, BackendProvider.find("cpu").orElseThrow());
        assertInstanceOf(EmuBackendProvider.class, BackendProvider.find("emu").orElseThrow());
        assertInstanceOf(CudaBackendProvider.class, BackendProvider.find("cuda").orElseThrow());
        for (String kind : new String[] {"cpu", "emu", "cuda"}) {
            assertEquals(kind, BackendProvider.find(kind).orElseThrow().kind());
        }
        assertFalse(BackendProvider.find("tpu").isPresent());
    }

    @Test
    void reasonsAreTheBackends() {
        assertNull(BackendProvider.find("cpu").orElseThrow().unavailableReason());
        assertEquals(EmuBackend.unavailableReason(), BackendProvider.find("emu").orElseThrow().unavailableReason());
        assertEquals(CudaBackend.unavailableReason(), BackendProvider.find("cuda").orElseThrow().unavailableReason());
    }

    @Test
    void cpuProviderOpensACpuBackend() {
        Backend b = BackendProvider.find("cpu").orElseThrow().open(DeviceId.CPU);
        assertInstanceOf(CpuBackend.class, b);
        assertEquals(DeviceId.CPU, b.deviceId());
    }

    @Test
    void providersRefuseOtherKinds() {
        assertThrows(IllegalArgumentException.class, () -> new CpuBackendProvider().open(DeviceId.EMU));
        assertThrows(IllegalArgumentException.class, () -> new EmuBackendProvider().open(DeviceId.cuda(0)));
        assertThrows(IllegalArgumentException.class, () -> new CudaBackendProvider().open(DeviceId.CPU));
    }

    @Test
    void deviceIdNames() {
        assertEquals("cpu", DeviceId.CPU.toString());
        assertEquals("emu", DeviceId.EMU.toString());
        assertEquals("cuda:0", DeviceId.cuda(0).toString());
        assertEquals("cuda:7", DeviceId.cuda(7).toString());
        assertEquals(DeviceId.cuda(2), new DeviceId("cuda", 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceId.cuda(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DeviceId("", 0));
    }
}
