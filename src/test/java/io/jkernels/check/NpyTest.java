package io.jkernels.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reader against NumPy-written fixtures (src/test/resources/npy, described by manifest.json), and the writer. */
class NpyTest {

    static Path fixtures() throws URISyntaxException {
        return Path.of(NpyTest.class.getResource("/npy/manifest.json").toURI()).getParent();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> manifest(boolean reject) throws Exception {
        Map<String, Object> m = Json.parseObject(Files.readString(fixtures().resolve("manifest.json")));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object f : (List<Object>) m.get("files")) {
            Map<String, Object> e = (Map<String, Object>) f;
            if (Boolean.valueOf(reject).equals(e.get("reject"))) {
                out.add(e);
            }
        }
        return out;
    }

    static Stream<Map<String, Object>> accepted() throws Exception {
        return manifest(false).stream();
    }

    static Stream<Map<String, Object>> rejected() throws Exception {
        return manifest(true).stream();
    }

    private static long[] longs(Object list) {
        return ((List<?>) list).stream().mapToLong(v -> (Long) v).toArray();
    }

    private static double value(Object v) {
        if (v instanceof String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(s);
            };
        }
        return ((Number) v).doubleValue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void readsWhatNumpyWrote(Map<String, Object> f) throws Exception {
        try (Tensor t = Npy.read(fixtures().resolve((String) f.get("file")))) {
            assertEquals(Device.cpu(), t.device());
            assertEquals(Npy.dtypeOf((String) f.get("dtype")), t.dtype());
            assertArrayEquals(longs(f.get("shape")), t.shape());
            List<?> values = (List<?>) f.get("values");
            assertEquals(values.size(), t.numel());
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                switch (t.dtype()) {
                    case F32 -> assertEquals(Float.floatToIntBits((float) value(v)), Float.floatToIntBits((float) t.getDouble(i)),
                            "element " + i);
                    case F64 -> assertEquals(Double.doubleToLongBits(value(v)), Double.doubleToLongBits(t.getDouble(i)),
                            "element " + i);
                    case I64, I32 -> assertEquals((long) (Long) v, t.getLong(i), "element " + i);
                    case BOOL -> assertEquals(v, t.getLong(i) != 0, "element " + i);
                    default -> throw new AssertionError(t.dtype());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithAClearError(Map<String, Object> f) throws Exception {
        Path file = fixtures().resolve((String) f.get("file"));
        NpyException e = assertThrows(NpyException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void rejectionsNameTheProblem() throws Exception {
        assertMessage("fortran_f4_2x3.npy", "Fortran");
        assertMessage("big_endian_f4.npy", "big-endian");
        assertMessage("f2_1d.npy", "unsupported descr '<f2'");
        assertMessage("u1_1d.npy", "unsupported descr '|u1'");
        assertMessage("truncated_data_f4_4x4.npy", "truncated data");
        assertMessage("truncated_header.npy", "truncated header");
        assertMessage("bad_magic.npy", "bad magic");
    }

    private static void assertMessage(String file, String part) throws Exception {
        NpyException e = assertThrows(NpyException.class, () -> Npy.read(fixtures().resolve(file)));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** The writer gives NumPy's bytes for every version 1.0 fixture. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void writesNumpysBytes(Map<String, Object> f) throws Exception {
        Path file = fixtures().resolve((String) f.get("file"));
        byte[] original = Files.readAllBytes(file);
        try (Tensor t = Npy.read(file)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(t, out);
            if (longs(f.get("version"))[0] == 1) {
                assertArrayEquals(original, out.toByteArray());
            } else {
                try (Tensor back = Npy.read(new ByteArrayInputStream(out.toByteArray()))) {
                    assertArrayEquals(t.toByteArray(), back.toByteArray());
                    assertArrayEquals(t.shape(), back.shape());
                }
            }
        }
    }

    @Test
    void writesNumpysBytesForGoldenFiles() throws Exception {
        Path golden = Path.of(NpyTest.class.getResource("/golden").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.walk(golden)) {
            files = s.filter(p -> p.toString().endsWith(".npy")).sorted().limit(200).toList();
        }
        assertFalse(files.isEmpty());
        for (Path p : files) {
            byte[] original = Files.readAllBytes(p);
            try (Tensor t = Npy.read(p)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Npy.write(t, out);
                assertArrayEquals(original, out.toByteArray(), p.toString());
            }
        }
    }

    @Test
    void roundTripsEveryDtypeAndStrides(@TempDir Path dir) throws IOException {
        try (Tensor f = Tensor.of(new float[] {1, -0f, Float.NaN, 4, 5, 6}, 2, 3); Tensor ft = f.transpose(0, 1)) {
            Path p = dir.resolve("t.npy");
            Npy.write(ft, p);
            try (Tensor back = Npy.read(p); Tensor c = ft.contiguous()) {
                assertArrayEquals(new long[] {3, 2}, back.shape());
                assertArrayEquals(c.toByteArray(), back.toByteArray());
            }
        }
        List<Tensor> all = List.of(Tensor.of(new double[] {0.1, -2}), Tensor.of(new long[] {Long.MIN_VALUE, 3}, 2, 1),
                Tensor.of(new int[] {-1, 7, 9}), Tensor.of(new boolean[] {true, false, true}),
                Tensor.full(2.5, DType.F32, Device.cpu()), Tensor.zeros(DType.F64, Device.cpu(), 0, 4));
        for (Tensor t : all) {
            try (t) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Npy.write(t, out);
                try (Tensor back = Npy.read(new ByteArrayInputStream(out.toByteArray()))) {
                    assertEquals(t.dtype(), back.dtype());
                    assertArrayEquals(t.shape(), back.shape());
                    assertArrayEquals(t.toByteArray(), back.toByteArray());
                }
            }
        }
    }

    @Test
    void streamsLargeArrays(@TempDir Path dir) throws IOException {
        long n = 3 * (1 << 20) + 17; // several 1 MiB pieces and a partial one
        try (Tensor t = Tensor.randn(7, DType.F32, Device.cpu(), n)) {
            Path p = dir.resolve("big.npy");
            Npy.write(t, p);
            assertEquals(128 + 4 * n, Files.size(p));
            try (Tensor back = Npy.read(p)) {
                assertArrayEquals(t.toByteArray(), back.toByteArray());
            }
        }
    }

    @Test
    void headerIsPaddedTo64AndSwitchesToVersion2WhenLong() throws IOException {
        byte[] h = Npy.header(DType.F32, new long[] {3, 4});
        assertEquals(128, h.length);
        assertEquals('\n', h[h.length - 1]);
        long[] many = new long[25000]; // "1, " each: a header over 65535 bytes
        Arrays.fill(many, 1);
        byte[] h2 = Npy.header(DType.F32, many);
        assertEquals(2, h2[6]);
        assertEquals(0, h2.length % 64);
        try (Tensor t = Tensor.zeros(DType.F32, Device.cpu(), many)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(t, out);
            try (Tensor back = Npy.read(new ByteArrayInputStream(out.toByteArray()))) {
                assertArrayEquals(many, back.shape());
            }
        }
    }

    @Test
    void writesF16ButNotBf16() throws IOException {
        try (Tensor h = Tensor.of(new float[] {1, 2}, DType.F16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(h, out);
            assertTrue(new String(out.toByteArray(), StandardCharsets.ISO_8859_1).contains("'descr': '<f2'"));
        }
        try (Tensor b = Tensor.of(new float[] {1, 2}, DType.BF16)) {
            NpyException e = assertThrows(NpyException.class, () -> Npy.write(b, new ByteArrayOutputStream()));
            assertTrue(e.getMessage().contains("bf16"), e.getMessage());
        }
    }

    private static byte[] file(String header, byte[] data, int major) {
        byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        byte[] out = new byte[prefix + text.length + data.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0};
        System.arraycopy(magic, 0, out, 0, 8);
        for (int i = 0; i < prefix - 8; i++) {
            out[8 + i] = (byte) (text.length >>> (8 * i));
        }
        System.arraycopy(text, 0, out, prefix, text.length);
        System.arraycopy(data, 0, out, prefix + text.length, data.length);
        return out;
    }

    private static String rejected(String header, byte[] data, int major) {
        return assertThrows(NpyException.class, () -> Npy.read(new ByteArrayInputStream(file(header, data, major))))
                .getMessage();
    }

    @Test
    void rejectsMalformedInput() {
        byte[] four = new byte[4];
        assertTrue(rejected("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new byte[5], 1)
                .contains("trailing"));
        assertTrue(rejected("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }\n", new byte[] {2}, 1)
                .contains("expected 0 or 1"));
        assertTrue(rejected("{'descr': '<f4', 'shape': (1,), }\n", four, 1).contains("keys"));
        assertTrue(rejected("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }\n", four, 1)
                .contains("trailing comma"));
        assertTrue(rejected("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }\n", four, 1)
                .contains("malformed header"));
        assertTrue(rejected("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }\n", four, 1)
                .contains("malformed header"));
        assertTrue(rejected("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", four, 1)
                .contains("malformed header"));
        assertTrue(rejected("{'descr': '<b1', 'fortran_order': False, 'shape': (1,), }\n", new byte[1], 1)
                .contains("unsupported descr"));
        assertTrue(rejected("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", four, 4)
                .contains("version 4.0"));
        // version 2.0 and 3.0 headers are read
        for (int major : new int[] {2, 3}) {
            try (Tensor t = assertDoesNotThrowRead(file("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n",
                    new byte[] {5, 0, 0, 0}, major))) {
                assertEquals(5, t.getLong(0));
            }
        }
    }

    private static Tensor assertDoesNotThrowRead(byte[] bytes) {
        try {
            return Npy.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
