package io.seqs.bench;

import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer for the results file: maps (insertion order kept), collections, arrays of
 * doubles and longs, strings, numbers, booleans and null. Non-finite numbers become null, since
 * JSON has no NaN.
 */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder b = new StringBuilder(4096);
        write(b, value, 0);
        return b.append('\n').toString();
    }

    /** Rounds to {@code digits} decimals; NaN and infinities stay as they are (and are written as null). */
    static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    private static void write(StringBuilder b, Object v, int indent) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean bool -> b.append(bool);
            case Double d -> number(b, d);
            case Float f -> number(b, f.doubleValue());
            case Number n -> b.append(n.longValue());
            case Map<?, ?> map -> object(b, map, indent);
            case Collection<?> c -> array(b, c.toArray(), indent);
            case double[] a -> {
                b.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    number(b, a[i]);
                }
                b.append(']');
            }
            case long[] a -> {
                b.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    b.append(a[i]);
                }
                b.append(']');
            }
            case Object[] a -> array(b, a, indent);
            default -> string(b, v.toString());
        }
    }

    private static void number(StringBuilder b, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            b.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            b.append((long) d);
        } else {
            b.append(d);
        }
    }

    private static void object(StringBuilder b, Map<?, ?> map, int indent) {
        if (map.isEmpty()) {
            b.append("{}");
            return;
        }
        b.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            pad(b, indent + 1);
            string(b, String.valueOf(e.getKey()));
            b.append(": ");
            write(b, e.getValue(), indent + 1);
            b.append(++i < map.size() ? ",\n" : "\n");
        }
        pad(b, indent);
        b.append('}');
    }

    private static void array(StringBuilder b, Object[] a, int indent) {
        boolean flat = true;
        for (Object o : a) {
            if (o instanceof Map || o instanceof Collection || o instanceof Object[]) {
                flat = false;
                break;
            }
        }
        b.append('[');
        for (int i = 0; i < a.length; i++) {
            if (i > 0) {
                b.append(flat ? ", " : ",");
            }
            if (!flat) {
                b.append('\n');
                pad(b, indent + 1);
            }
            write(b, a[i], indent + 1);
        }
        if (!flat && a.length > 0) {
            b.append('\n');
            pad(b, indent);
        }
        b.append(']');
    }

    private static void pad(StringBuilder b, int indent) {
        b.append("  ".repeat(indent));
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
