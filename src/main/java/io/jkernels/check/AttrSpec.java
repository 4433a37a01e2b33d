package io.jkernels.check;

import io.jkernels.tensor.TensorException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One attr an op takes (OPS.md: name, type, default or required, domain), and the parser of its
 * case.json value. Immutable: the modifiers return a new spec.
 *
 * <pre>{@code
 * AttrSpec.real("negative_slope", 0.01)
 * AttrSpec.string("approximate", "none", "none", "tanh")       // default, then the allowed values
 * AttrSpec.real("lr", 1e-3).atLeast(0)
 * AttrSpec.real("beta1", 0.9).where(v -> (double) v >= 0 && (double) v < 1, "in [0, 1)")
 * AttrSpec.integer("step").atLeast(1)                           // no default: required
 * AttrSpec.longs("size").optional().length(2)                   // may be absent
 * AttrSpec.doubles("scale_factor").optional().length(2).scalarForAll()   // 2.0 means [2.0, 2.0]
 * }</pre>
 *
 * <p>Parsed values are {@code Double}, {@code Long}, {@code Boolean}, {@code String},
 * {@code long[]} or {@code double[]}. A JSON {@code null} counts as not given (the default, if
 * any). A wrong JSON type, a value outside the domain or a missing required attr is a
 * {@link TensorException.BadAttr} naming the op, the attr, what it takes and what it got.
 */
public final class AttrSpec {
    /** The value types an attr can have. */
    public enum Type {
        DOUBLE("a number"), LONG("an integer"), BOOL("true or false"), STRING("a string"),
        LONGS("a list of integers"), DOUBLES("a list of numbers");

        private final String description;

        Type(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final String name;
    private final Type type;
    private final Object defaultValue;
    private final boolean required;
    private final Set<String> allowed;
    private final Predicate<Object> check;
    private final String domain;
    private final int length;
    private final boolean scalarForAll;

    private AttrSpec(String name, Type type, Object defaultValue, boolean required, Set<String> allowed,
                     Predicate<Object> check, String domain, int length, boolean scalarForAll) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.defaultValue = defaultValue;
        this.required = required;
        this.allowed = allowed;
        this.check = check;
        this.domain = domain;
        this.length = length;
        this.scalarForAll = scalarForAll;
    }

    private static AttrSpec of(String name, Type type, Object def) {
        return new AttrSpec(name, type, def, def == null, null, null, null, -1, false);
    }

    /** A double attr with a default. */
    public static AttrSpec real(String name, double def) {
        return of(name, Type.DOUBLE, def);
    }

    /** A required double attr. */
    public static AttrSpec real(String name) {
        return of(name, Type.DOUBLE, null);
    }

    /** An integer (long) attr with a default. */
    public static AttrSpec integer(String name, long def) {
        return of(name, Type.LONG, def);
    }

    /** A required integer (long) attr. */
    public static AttrSpec integer(String name) {
        return of(name, Type.LONG, null);
    }

    /** A boolean attr with a default. */
    public static AttrSpec bool(String name, boolean def) {
        return of(name, Type.BOOL, def);
    }

    /** A string attr with a default (null: required) and, when given, the only values it may take. */
    public static AttrSpec string(String name, String def, String... allowed) {
        AttrSpec s = of(name, Type.STRING, def);
        return allowed.length == 0 ? s
                : new AttrSpec(name, Type.STRING, def, s.required, Set.of(allowed), null, null, -1, false);
    }

    /** A required list-of-integers attr ({@link #optional()} to allow it to be absent). */
    public static AttrSpec longs(String name) {
        return of(name, Type.LONGS, null);
    }

    /** A required list-of-numbers attr ({@link #optional()} to allow it to be absent). */
    public static AttrSpec doubles(String name) {
        return of(name, Type.DOUBLES, null);
    }

    // ---- modifiers -----------------------------------------------------------------------------

    /** No default and not required: {@link Attrs#has} says whether the case gave it. */
    public AttrSpec optional() {
        return new AttrSpec(name, type, null, false, allowed, check, domain, length, scalarForAll);
    }

    /**
     * Values must pass {@code test} (given the parsed value: Double, Long, long[]... ; for lists
     * each element is tested as Double or Long); {@code domain} describes them ("in [0, 1)").
     */
    public AttrSpec where(Predicate<Object> test, String domain) {
        Predicate<Object> both = check == null ? test : check.and(test);
        String d = this.domain == null ? domain : this.domain + " and " + domain;
        return new AttrSpec(name, type, defaultValue, required, allowed, both, d, length, scalarForAll);
    }

    /** Numbers (or every list element) must be {@code >= min}. */
    public AttrSpec atLeast(double min) {
        return where(v -> ((Number) v).doubleValue() >= min, ">= " + num(min));
    }

    /** Numbers (or every list element) must lie in {@code [lo, hi]}. */
    public AttrSpec between(double lo, double hi) {
        return where(v -> ((Number) v).doubleValue() >= lo && ((Number) v).doubleValue() <= hi,
                "in [" + num(lo) + ", " + num(hi) + "]");
    }

    /** Lists must have exactly {@code n} elements. */
    public AttrSpec length(int n) {
        return new AttrSpec(name, type, defaultValue, required, allowed, check, domain, n, scalarForAll);
    }

    /** A single number stands for a list of {@link #length} copies of it ("both axes"). */
    public AttrSpec scalarForAll() {
        return new AttrSpec(name, type, defaultValue, required, allowed, check, domain, length, true);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ---- accessors -----------------------------------------------------------------------------

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public boolean required() {
        return required;
    }

    /** The default (null when required or optional). */
    public Object defaultValue() {
        return defaultValue;
    }

    /** "negative_slope (number, default 0.01)", for usage text. */
    public String describe() {
        String d = required ? "required" : defaultValue == null ? "optional" : "default " + show(defaultValue);
        String values = allowed != null ? ", one of " + allowed : domain != null ? ", " + domain : "";
        return name + " (" + type.description() + ", " + d + values + ")";
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        if (v instanceof long[] l) {
            return Arrays.toString(l);
        }
        if (v instanceof double[] d) {
            return Arrays.toString(d);
        }
        return String.valueOf(v);
    }

    // ---- parsing -------------------------------------------------------------------------------

    /** The parsed and checked value of the JSON value {@code json} (not null) for op {@code op}. */
    Object parse(String op, Object json) {
        Object v = switch (type) {
            case DOUBLE -> number(op, json);
            case LONG -> integral(op, json);
            case BOOL -> {
                if (!(json instanceof Boolean b)) {
                    throw wrongType(op, json);
                }
                yield b;
            }
            case STRING -> {
                if (!(json instanceof String s)) {
                    throw wrongType(op, json);
                }
                if (allowed != null && !allowed.contains(s)) {
                    throw new TensorException.BadAttr("attr '" + name + "' of " + op + " must be one of "
                            + allowed.stream().sorted().map(a -> "\"" + a + "\"").toList() + ", got \"" + s + "\"");
                }
                yield s;
            }
            case LONGS -> {
                List<?> l = list(op, json);
                long[] out = new long[l.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = integral(op, l.get(i));
                }
                yield out;
            }
            case DOUBLES -> {
                List<?> l = list(op, json);
                double[] out = new double[l.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = number(op, l.get(i));
                }
                yield out;
            }
        };
        checkDomain(op, v);
        return v;
    }

    private void checkDomain(String op, Object v) {
        if (check == null) {
            return;
        }
        if (v instanceof long[] l) {
            for (long x : l) {
                checkOne(op, x, v);
            }
        } else if (v instanceof double[] d) {
            for (double x : d) {
                checkOne(op, x, v);
            }
        } else {
            checkOne(op, v, v);
        }
    }

    private void checkOne(String op, Object element, Object whole) {
        if (!check.test(element)) {
            throw new TensorException.BadAttr("attr '" + name + "' of " + op + " must be " + domain + ", got "
                    + show(whole));
        }
    }

    private List<?> list(String op, Object json) {
        List<?> l;
        if (json instanceof List<?> given) {
            l = given;
        } else if (scalarForAll && json instanceof Number && length > 0) {
            l = java.util.Collections.nCopies(length, json);
        } else {
            throw wrongType(op, json);
        }
        if (length >= 0 && l.size() != length) {
            throw new TensorException.BadAttr("attr '" + name + "' of " + op + " must have " + length
                    + " elements, got " + l.size());
        }
        return l;
    }

    private double number(String op, Object json) {
        if (json instanceof Long || json instanceof Double) {
            return ((Number) json).doubleValue();
        }
        throw wrongType(op, json);
    }

    private long integral(String op, Object json) {
        if (json instanceof Long l) {
            return l;
        }
        throw wrongType(op, json);
    }

    private TensorException.BadAttr wrongType(String op, Object json) {
        String what = scalarForAll && length > 0 ? type.description() + " or a single number" : type.description();
        return new TensorException.BadAttr("attr '" + name + "' of " + op + " must be " + what + ", got "
                + Json.typeName(json) + " (" + json + ")");
    }
}
