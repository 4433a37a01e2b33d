package io.jkernels.table;

import io.jkernels.table.OpEntry.ErrorSample;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Bad calls made from a valid one, the {@link ErrorSample}s of the family tables and of {@link ElementwiseOp}: an input
 * replaced by zeros of another dtype or shape, an input added, an attr set to a bad value. Each
 * takes the bad call's attrs whole (an op with a required attr gives it in every sample).
 */
public final class BadCalls {
    private BadCalls() {
    }

    /** {@code input} replaced by zeros of {@code dtype}, its shape kept; the message must name the input. */
    public static ErrorSample retyped(String input, DType dtype, Map<String, Object> attrs) {
        return new ErrorSample(input + " as " + words(dtype), input,
                m -> replace(m, input, dtype, m.get(input).shape()), attrs);
    }

    /**
     * {@code input} replaced by zeros of its dtype and the shape {@code reshape} makes of its
     * shape; the message must name {@code argument}.
     */
    public static ErrorSample reshaped(String what, String input, String argument, UnaryOperator<long[]> reshape,
                                       Map<String, Object> attrs) {
        return new ErrorSample(what, argument, m -> {
            Tensor old = m.get(input);
            return replace(m, input, old.dtype(), reshape.apply(old.shape().clone()));
        }, attrs);
    }

    /** {@link #reshaped} whose message names the input itself. */
    public static ErrorSample reshaped(String what, String input, UnaryOperator<long[]> reshape,
                                       Map<String, Object> attrs) {
        return reshaped(what, input, input, reshape, attrs);
    }

    /** An (optional) input added: zeros of {@code dtype} and the shape {@code shape} makes of the valid inputs. */
    public static ErrorSample added(String what, String input, DType dtype,
                                    Function<Map<String, Tensor>, long[]> shape, Map<String, Object> attrs) {
        return new ErrorSample(what, input, m -> replace(m, input, dtype, shape.apply(m)), attrs);
    }

    /** The valid inputs with bad attrs; the message must name {@code argument}. */
    public static ErrorSample attrs(String what, String argument, Map<String, Object> attrs) {
        return new ErrorSample(what, argument, m -> m, attrs);
    }

    /** {@code base} with the given attrs added or replaced (key, value, key, value...). */
    public static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A shape with axis {@code axis} (negative: from the end) changed by {@code delta}. */
    public static UnaryOperator<long[]> axis(int axis, long delta) {
        return s -> {
            int a = axis < 0 ? s.length + axis : axis;
            s[a] += delta;
            return s;
        };
    }

    /** A shape with one more trailing axis of 1 ({@code (S)} becomes {@code (S, 1)}). */
    public static long[] unsqueezed(long[] s) {
        long[] o = java.util.Arrays.copyOf(s, s.length + 1);
        o[s.length] = 1;
        return o;
    }

    /** A shape with its leading axes flattened into one ({@code (T, B)} becomes {@code (T B)}). */
    public static long[] flat(long[] s) {
        long n = 1;
        for (long d : s) {
            n *= d;
        }
        return new long[] {n};
    }

    private static Map<String, Tensor> replace(Map<String, Tensor> valid, String which, DType dtype, long[] shape) {
        Map<String, Tensor> m = new LinkedHashMap<>(valid);
        m.put(which, Tensor.zeros(dtype, Device.cpu(), shape));
        return m;
    }

    private static String words(DType d) {
        return switch (d) {
            case F32 -> "float32";
            case F64 -> "float64";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            case I64 -> "int64";
            case I32 -> "int32";
            case BOOL -> "bool";
        };
    }
}
