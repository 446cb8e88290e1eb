package io.seqs.cli;

import java.util.Map;

/** A JSON writer for the flat objects and arrays the commands print; no dependency. */
public final class Json {
    private Json() {}

    /**
     * A JSON string literal.
     *
     * @param s the text
     * @return it quoted and escaped
     */
    public static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
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
        return b.append('"').toString();
    }

    /**
     * A JSON value: strings quoted, numbers, booleans and nested maps or lists as JSON, null as null.
     *
     * @param v the value
     * @return its JSON text
     */
    public static String value(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
                return "null";
            }
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, x) -> b.append(b.length() > 1 ? "," : "")
                    .append(string(k.toString()))
                    .append(':')
                    .append(value(x)));
            return b.append('}').toString();
        }
        if (v instanceof Iterable<?> it) {
            StringBuilder b = new StringBuilder("[");
            for (Object x : it) {
                b.append(b.length() > 1 ? "," : "").append(value(x));
            }
            return b.append(']').toString();
        }
        return string(v.toString());
    }
}
