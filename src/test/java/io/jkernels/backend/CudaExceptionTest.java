package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sticky-error table of {@link CudaException#isSticky()} against cuda.h's CUresult documentation,
 * and {@link CudaDeviceLostException}, the one exception for a sticky error.
 */
class CudaExceptionTest {
    /** Every CUresult whose cuda.h documentation says the process must be relaunched / the context destroyed. */
    @ParameterizedTest
    @ValueSource(ints = {226, 700, 702, 710, 714, 715, 716, 717, 718, 719, 721, 810, 911})
    void stickyCodes(int code) {
        CudaException e = new CudaException("cuCtxSynchronize", code, "CUDA_ERROR_X");
        assertEquals(code, e.code());
        assertTrue(e.isSticky(), code + " is sticky");
    }

    /**
     * Neighbours of the sticky codes and the usual API errors: the call failed, the context is fine.
     * 701 (launch out of resources) did not launch at all; 214, 220 and 999 say nothing about the
     * context (see the table's comments).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 34, 36, 46, 100, 101, 200, 201, 209, 214, 218, 220, 222, 225, 227,
        300, 400, 401, 402, 500, 600, 701, 703, 704, 705, 708, 709, 711, 712, 713, 720, 722, 800, 801, 802,
        809, 811, 812, 999, 1000, -1})
    void nonStickyCodes(int code) {
        assertFalse(new CudaException("cuLaunchKernel", code, "CUDA_ERROR_X").isSticky(), code + " is not sticky");
    }

    static IntStream streamCaptureAndLaterCodes() {
        return IntStream.rangeClosed(900, 916).filter(c -> c != 911);
    }

    /** The 9xx stream-capture, graph and resource errors reject one operation; only 911 (external device) is sticky. */
    @ParameterizedTest
    @MethodSource("streamCaptureAndLaterCodes")
    void streamCaptureCodesAreNotSticky(int code) {
        assertFalse(new CudaException("cuStreamEndCapture", code, "CUDA_ERROR_X").isSticky(), code + " is not sticky");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no devices", ""})
    void aMessageOnlyErrorHasNoCodeAndIsNotSticky(String message) {
        CudaException e = new CudaException(message);
        assertEquals(-1, e.code());
        assertFalse(e.isSticky());
        assertEquals(message, e.getMessage());
    }

    static final CudaException ILLEGAL_ADDRESS = new CudaException("cuCtxSynchronize", 700, "CUDA_ERROR_ILLEGAL_ADDRESS");

    @Test
    void deviceLostKeepsTheCodeTheCauseAndTheDevice() {
        CudaDeviceLostException lost = new CudaDeviceLostException("cuda:0", ILLEGAL_ADDRESS);
        assertEquals(700, lost.code());
        assertTrue(lost.isSticky());
        assertSame(ILLEGAL_ADDRESS, lost.getCause());
        assertEquals("cuda:0", lost.device());
        assertTrue(lost instanceof CudaException, "callers catching CudaException still catch it");
    }

    @Test
    void deviceLostSaysPlainlyThatOnlyARestartHelps() {
        assertEquals("CUDA device cuda:0 is lost for the rest of this process: cuCtxSynchronize failed: "
                + "CUDA_ERROR_ILLEGAL_ADDRESS (700) is a sticky error, from which a CUDA context cannot recover "
                + "(every later call on the device fails); restart the process to use the device again",
            new CudaDeviceLostException("cuda:0", ILLEGAL_ADDRESS).getMessage());
        CudaException assertFailed = new CudaException("cuStreamSynchronize", 710, "CUDA_ERROR_ASSERT");
        String m = new CudaDeviceLostException("cuda:3", assertFailed).getMessage();
        assertTrue(m.startsWith("CUDA device cuda:3 is lost for the rest of this process: "
            + "cuStreamSynchronize failed: CUDA_ERROR_ASSERT (710)"), m);
    }

    @Test
    void deviceLostRejectsANonStickyCause() {
        CudaException outOfResources = new CudaException("cuLaunchKernel", 701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new CudaDeviceLostException("cuda:0", outOfResources));
        assertEquals("cause is not a sticky CUDA error: cuLaunchKernel failed: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701)",
            e.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new CudaDeviceLostException("cuda:0", new CudaException("no devices")));
        assertThrows(NullPointerException.class, () -> new CudaDeviceLostException(null, ILLEGAL_ADDRESS));
        assertThrows(NullPointerException.class, () -> new CudaDeviceLostException("cuda:0", null));
    }

    @Test
    void ifStickyWrapsOnlyStickyErrorsAndOnlyOnce() {
        CudaException lost = CudaDeviceLostException.ifSticky("cuda:1", ILLEGAL_ADDRESS);
        assertTrue(lost instanceof CudaDeviceLostException, lost.getClass().getName());
        assertEquals("cuda:1", ((CudaDeviceLostException) lost).device());
        assertSame(lost, CudaDeviceLostException.ifSticky("cuda:1", lost));
        CudaException invalidValue = new CudaException("cuMemAlloc", 1, "CUDA_ERROR_INVALID_VALUE");
        assertSame(invalidValue, CudaDeviceLostException.ifSticky("cuda:1", invalidValue));
    }
}
