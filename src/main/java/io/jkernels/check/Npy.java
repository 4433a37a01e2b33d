package io.jkernels.check;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) to and from cpu {@link Tensor}s,
 * as OPS.md "Conformance case format" uses them.
 *
 * <p>Read: C order, little-endian, descr {@code <f4} (f32), {@code <f8} (f64), {@code <i8} (i64),
 * {@code <i4} (i32) or {@code |b1} (bool, bytes 0 or 1); a 0-d array gives shape {@code []}.
 * Anything else (Fortran order, big-endian, another descr, a malformed header, bad magic,
 * truncated or trailing data) is an {@link NpyException} naming the problem. The data is streamed
 * into the tensor in 1 MiB pieces, so no byte array of the whole file is made.
 *
 * <p>Write: any cpu or device tensor of those dtypes, or f16 as {@code <f2}; bf16 has no NumPy
 * type and is an error. The header is byte for byte what NumPy 1.24+ writes ({@code np.save}):
 * version 1.0 (2.0 when the header needs it), the keys sorted, 21 spare characters for the
 * first dimension to grow, padded with spaces to a multiple of 64 bytes.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** Spare header characters NumPy leaves so the first dimension can grow in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int PIECE = HostBytes.PIECE;

    private Npy() {
    }

    /** The parsed header of a {@code .npy} file. */
    public record Header(int major, int minor, String descr, DType dtype, long[] shape) {
        /** Number of elements. */
        public long numel() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    /** Reads a {@code .npy} file into a cpu tensor; errors name the file. */
    public static Tensor read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in);
        } catch (NpyException e) {
            throw new NpyException(file + ": " + e.getMessage());
        }
    }

    /** Reads one array from {@code in}, which must hold nothing after it. */
    public static Tensor read(InputStream in) throws IOException {
        Header h = readHeader(in);
        long n = h.numel();
        int eb = h.dtype().bytes();
        Tensor t = Tensor.empty(h.dtype(), Device.cpu(), h.shape());
        try {
            if (n > 0) {
                readData(in, h, t, n, eb);
            }
            if (in.read() != -1) {
                throw new NpyException("trailing bytes after the " + n + " elements of shape " + Arrays.toString(h.shape()));
            }
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static void readData(InputStream in, Header h, Tensor t, long n, int eb) throws IOException {
        byte[] buf = new byte[(int) Math.min((long) PIECE, n * eb)];
        int perPiece = buf.length / eb;
        try (Tensor flat = t.reshape(n)) {
            for (long start = 0; start < n; start += perPiece) {
                int count = (int) Math.min(perPiece, n - start);
                int bytes = count * eb;
                int got = in.readNBytes(buf, 0, bytes);
                if (got < bytes) {
                    long have = start * eb + got;
                    throw new NpyException("truncated data: shape " + Arrays.toString(h.shape()) + " of " + h.descr()
                            + " needs " + n * eb + " bytes, the file holds " + have);
                }
                if (h.dtype() == DType.BOOL) {
                    for (int i = 0; i < bytes; i++) {
                        if (buf[i] != 0 && buf[i] != 1) {
                            throw new NpyException("bool element " + (start + i) + " holds byte " + (buf[i] & 0xff)
                                    + ", expected 0 or 1");
                        }
                    }
                }
                try (Tensor piece = Tensor.fromBuffer(ByteBuffer.wrap(buf, 0, bytes), h.dtype(), count);
                     Tensor dst = flat.narrow(0, start, count)) {
                    dst.copyFrom(piece);
                }
            }
        }
    }

    /** Reads and checks the magic, version and header of a {@code .npy} stream, leaving it at the data. */
    public static Header readHeader(InputStream in) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new NpyException("not a .npy file (bad magic: the file must start with \\x93NUMPY)");
        }
        int major = magic[6] & 0xff;
        int minor = magic[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new NpyException("unsupported .npy format version " + major + "." + minor + " (expected 1.0, 2.0 or 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        byte[] lb = in.readNBytes(lenBytes);
        if (lb.length < lenBytes) {
            throw new NpyException("truncated header length");
        }
        long hlen = 0;
        for (int i = lenBytes - 1; i >= 0; i--) {
            hlen = (hlen << 8) | (lb[i] & 0xff);
        }
        if (hlen > 1 << 24) {
            throw new NpyException("header length " + hlen + " is implausibly large");
        }
        byte[] hb = in.readNBytes((int) hlen);
        if (hb.length < hlen) {
            throw new NpyException("truncated header: " + hb.length + " of " + hlen + " bytes");
        }
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> d = new HeaderParser(text).dict();
        if (!d.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new NpyException("header keys " + d.keySet() + " must be exactly descr, fortran_order, shape");
        }
        if (!(d.get("descr") instanceof String descr)) {
            throw new NpyException("header 'descr' must be a string, got " + d.get("descr"));
        }
        if (!(d.get("fortran_order") instanceof Boolean fortran)) {
            throw new NpyException("header 'fortran_order' must be True or False, got " + d.get("fortran_order"));
        }
        if (!(d.get("shape") instanceof long[] shape)) {
            throw new NpyException("header 'shape' must be a tuple of integers, got " + d.get("shape"));
        }
        if (fortran) {
            throw new NpyException("Fortran-order arrays are not supported (save with np.ascontiguousarray or order='C')");
        }
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new NpyException("negative size in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                throw new NpyException("shape " + Arrays.toString(shape) + " overflows 64-bit element counts");
            }
        }
        return new Header(major, minor, descr, dtypeOf(descr), shape);
    }

    /** The dtype of a descr the reader takes, or an {@link NpyException}. */
    static DType dtypeOf(String descr) throws NpyException {
        switch (descr) {
            case "<f4": return DType.F32;
            case "<f8": return DType.F64;
            case "<i8": return DType.I64;
            case "<i4": return DType.I32;
            case "|b1": return DType.BOOL;
            default:
                if (descr.startsWith(">")) {
                    throw new NpyException("big-endian data (descr '" + descr + "') is not supported: save little-endian");
                }
                throw new NpyException("unsupported descr '" + descr + "': expected one of <f4, <f8, <i8, <i4, |b1");
        }
    }

    /** Parser for the Python literal of a header: a dict of str keys to str, bool or int tuples. */
    private static final class HeaderParser {
        private final String s;
        private int p;

        HeaderParser(String s) {
            this.s = s;
        }

        private NpyException bad(String what) {
            return new NpyException("malformed header (" + what + " at offset " + p + "): " + s.strip());
        }

        private void ws() {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
                p++;
            }
        }

        private boolean eat(char c) {
            ws();
            if (p < s.length() && s.charAt(p) == c) {
                p++;
                return true;
            }
            return false;
        }

        Map<String, Object> dict() throws NpyException {
            if (!eat('{')) {
                throw bad("expected '{'");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            while (!eat('}')) {
                ws();
                String key = str();
                if (!eat(':')) {
                    throw bad("expected ':'");
                }
                if (m.put(key, value()) != null) {
                    throw bad("repeated key '" + key + "'");
                }
                if (!eat(',')) {
                    if (!eat('}')) {
                        throw bad("expected ',' or '}'");
                    }
                    break;
                }
            }
            ws();
            if (p != s.length()) {
                throw bad("text after the dict");
            }
            return m;
        }

        private Object value() throws NpyException {
            ws();
            if (p >= s.length()) {
                throw bad("unexpected end");
            }
            char c = s.charAt(p);
            if (c == '\'' || c == '"') {
                return str();
            }
            if (s.startsWith("True", p)) {
                p += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", p)) {
                p += 5;
                return Boolean.FALSE;
            }
            if (c == '(') {
                p++;
                List<Long> dims = new ArrayList<>();
                boolean comma = false;
                while (!eat(')')) {
                    dims.add(integer());
                    comma = eat(',');
                    if (!comma) {
                        if (!eat(')')) {
                            throw bad("expected ',' or ')' in the shape");
                        }
                        break;
                    }
                }
                if (dims.size() == 1 && !comma) {
                    throw bad("a one-element tuple needs a trailing comma");
                }
                return dims.stream().mapToLong(Long::longValue).toArray();
            }
            throw bad("unexpected '" + c + "'");
        }

        private long integer() throws NpyException {
            ws();
            int start = p;
            while (p < s.length() && Character.isDigit(s.charAt(p))) {
                p++;
            }
            if (start == p) {
                throw bad("expected an integer");
            }
            try {
                return Long.parseLong(s.substring(start, p));
            } catch (NumberFormatException e) {
                throw bad("integer out of range");
            }
        }

        private String str() throws NpyException {
            if (p >= s.length() || (s.charAt(p) != '\'' && s.charAt(p) != '"')) {
                throw bad("expected a quoted string");
            }
            char q = s.charAt(p++);
            int end = s.indexOf(q, p);
            if (end < 0) {
                throw bad("unterminated string");
            }
            String v = s.substring(p, end);
            p = end + 1;
            return v;
        }
    }

    // ---- writing -------------------------------------------------------------------------------

    /** Writes {@code t} (any device, any strides) to {@code file} as NumPy's {@code np.save} would. */
    public static void write(Tensor t, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(t, out);
        }
    }

    /** Writes header and data of {@code t} to {@code out} (left open). */
    public static void write(Tensor t, OutputStream out) throws IOException {
        out.write(header(t.dtype(), t.shape()));
        HostBytes.forEach(t, out::write);
    }

    /** The complete header (magic, version, length, padded dict) for an array of that dtype and shape. */
    public static byte[] header(DType dtype, long[] shape) throws NpyException {
        String descr = dtype.npyDescr();
        if (descr == null) {
            throw new NpyException(dtype + " has no .npy type: convert to f32 first");
        }
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sh.append(i > 0 ? ", " : "").append(shape[i]);
        }
        sh.append(shape.length == 1 ? ",)" : ")");
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
                .append(sh).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int padded = padTo(prefix, dict.length() + 1);
        if (padded > 0xffff) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            padded = padTo(prefix, dict.length() + 1);
        }
        byte[] out = new byte[prefix + padded];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) major;
        out[7] = 0;
        for (int i = 0; i < prefix - 8; i++) {
            out[8 + i] = (byte) (padded >>> (8 * i));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, out, prefix, text.length);
        Arrays.fill(out, prefix + text.length, out.length - 1, (byte) ' ');
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * Header text length (including the final newline) padded with 1 to 64 spaces so prefix + text
     * is a multiple of 64 (NumPy pads even an aligned header by a full 64).
     */
    private static int padTo(int prefix, int textWithNewline) {
        int pad = ALIGN - (prefix + textWithNewline) % ALIGN;
        return textWithNewline + pad;
    }
}
