package io.jkernels.check;

import io.jkernels.tensor.TensorException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The parsed attrs of one op call: every attr the op declares, with the case's value or its
 * default ({@link OpDef#parseAttrs}). Typed getters; asking for an attr of another type, or for an
 * optional attr the case did not give, is an {@link IllegalStateException} (a registration bug).
 */
public final class Attrs {
    private final String op;
    private final Map<String, Object> values;
    private final Set<String> given;

    Attrs(String op, Map<String, Object> values, Set<String> given) {
        this.op = op;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.given = Set.copyOf(given);
    }

    /** The op these attrs belong to. */
    public String op() {
        return op;
    }

    /** Whether the attr has a value (given by the case or by default). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Whether the case gave the attr explicitly. */
    public boolean isGiven(String name) {
        return given.contains(name);
    }

    public double getDouble(String name) {
        return get(name, Double.class);
    }

    public long getLong(String name) {
        return get(name, Long.class);
    }

    /** A long attr that must fit an int. */
    public int getInt(String name) {
        long v = getLong(name);
        if (v != (int) v) {
            throw new TensorException.BadAttr("attr '" + name + "' of " + op + " = " + v + " does not fit a 32-bit int");
        }
        return (int) v;
    }

    public boolean getBool(String name) {
        return get(name, Boolean.class);
    }

    public String getString(String name) {
        return get(name, String.class);
    }

    public long[] getLongs(String name) {
        return get(name, long[].class).clone();
    }

    public double[] getDoubles(String name) {
        return get(name, double[].class).clone();
    }

    private <T> T get(String name, Class<T> type) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalStateException(op + " has no value for attr '" + name + "' (not declared, or optional and not given)");
        }
        if (!type.isInstance(v)) {
            throw new IllegalStateException("attr '" + name + "' of " + op + " is a " + v.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(v);
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, v instanceof long[] l ? java.util.Arrays.toString(l)
                : v instanceof double[] d ? java.util.Arrays.toString(d) : String.valueOf(v)));
        return shown.toString();
    }
}
