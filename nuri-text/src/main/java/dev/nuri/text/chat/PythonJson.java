package dev.nuri.text.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=..., indent=..., separators=..., sort_keys=...)}, byte for byte, which
 * is what Hugging Face's {@code tojson} filter for chat templates calls (with {@code ensure_ascii=False} by
 * default, unlike Jinja's own HTML-escaping filter). Numbers print as Python prints them ({@code 1.0},
 * {@code 1e-05}); keys keep the map's order unless sorted.
 */
final class PythonJson {

    private final boolean ensureAscii;
    private final String indent;           // null: single line
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    PythonJson(boolean ensureAscii, Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent == null ? null : " ".repeat(Math.max(0, indent));
        this.itemSeparator = itemSeparator != null ? itemSeparator : (indent == null ? ", " : ",");
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
    }

    static String dumps(Object value) {
        return new PythonJson(false, null, null, null, false).write(value);
    }

    String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(Object value, StringBuilder out, int depth) {
        if (depth > 512) {
            throw new IllegalArgumentException("tojson: value nested deeper than 512 levels");
        }
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Number n -> out.append(number(n));
            case CharSequence s -> string(s.toString(), out);
            case Map<?, ?> map -> object(map, out, depth);
            case Collection<?> list -> array(new ArrayList<>(list), out, depth);
            case Object[] array -> array(List.of(array), out, depth);
            case Map.Entry<?, ?> entry -> array(java.util.Arrays.asList(entry.getKey(), entry.getValue()), out, depth);
            default -> string(value.toString(), out);
        }
    }

    private void object(Map<?, ?> map, StringBuilder out, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NULL : e.getValue()));
        }
        if (sortKeys) {
            entries.sort(Map.Entry.comparingByKey());
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(out, depth + 1);
            string(entries.get(i).getKey(), out);
            out.append(keySeparator);
            Object v = entries.get(i).getValue();
            write(v == NULL ? null : v, out, depth + 1);
        }
        newline(out, depth);
        out.append('}');
    }

    private static final Object NULL = new Object();

    private void array(List<?> list, StringBuilder out, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(out, depth + 1);
            write(list.get(i), out, depth + 1);
        }
        newline(out, depth);
        out.append(']');
    }

    private void newline(StringBuilder out, int depth) {
        if (indent != null) {
            out.append('\n');
            out.append(indent.repeat(depth));
        }
    }

    /** Python converts dict keys to strings: str keys as-is, True/False/None as JSON words, numbers as printed. */
    private static String key(Object key) {
        return switch (key) {
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Number n -> number(n);
            default -> key.toString();
        };
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A number as Python's {@code repr} prints it (also what {@code json.dumps} writes). */
    static String number(Number n) {
        return switch (n) {
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Short s -> s.toString();
            case Byte b -> b.toString();
            case BigInteger b -> b.toString();
            case BigDecimal d -> pythonFloat(d.doubleValue());
            case Float f -> pythonFloat(f.doubleValue());
            default -> pythonFloat(n.doubleValue());
        };
    }

    /** The fewest significant digits that read back as {@code d}, correctly rounded (as Python's repr picks). */
    private static BigDecimal shortestRoundTrip(double d) {
        for (int digits = 1; digits < 17; digits++) {
            String candidate = String.format(java.util.Locale.ROOT, "%." + (digits - 1) + "e", d);
            if (Double.parseDouble(candidate) == d) {
                return new BigDecimal(candidate);
            }
        }
        return new BigDecimal(String.format(java.util.Locale.ROOT, "%.16e", d));
    }

    /** Python's float repr: shortest round-trip digits, scientific notation below 1e-4 and from 1e16. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = shortestRoundTrip(Math.abs(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale(); // d = 0.digits × 10^(exponent+1)
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
            return sign + mantissa + "e" + exp;
        }
        String plain = exact.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
