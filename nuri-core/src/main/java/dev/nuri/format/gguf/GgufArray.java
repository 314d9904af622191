package dev.nuri.format.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array: its element type and its values, held as the cheapest Java form:
 * <ul>
 *   <li>UINT8/INT8: {@code byte[]}; UINT16/INT16: {@code short[]}; UINT32/INT32: {@code int[]};
 *       UINT64/INT64: {@code long[]} (unsigned types keep their bit pattern: read them with
 *       {@code Byte.toUnsignedInt} and friends, or use {@link GgufFile#getIntArray}, which widens correctly);</li>
 *   <li>FLOAT32: {@code float[]}; FLOAT64: {@code double[]}; BOOL: {@code boolean[]};</li>
 *   <li>STRING: an unmodifiable {@code List<String>} (from a file, decoded lazily on access so a 150k-entry
 *       vocabulary costs only an offset table to open);</li>
 *   <li>ARRAY (nested arrays): an unmodifiable {@code List<GgufArray>}.</li>
 * </ul>
 * The arrays are shared, not copied: do not modify them.
 */
public record GgufArray(GgufType elementType, Object values) {

    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(values, "values");
        Class<?> expected = javaClass(elementType);
        if (!expected.isInstance(values)) {
            throw new IllegalArgumentException("a GGUF array of " + elementType + " holds a "
                    + expected.getSimpleName() + ", not a " + values.getClass().getSimpleName());
        }
    }

    public static GgufArray ofStrings(List<String> values) {
        return new GgufArray(GgufType.STRING, List.copyOf(values));
    }

    public static GgufArray ofFloats(float... values) {
        return new GgufArray(GgufType.FLOAT32, values);
    }

    public static GgufArray ofInts(int... values) {
        return new GgufArray(GgufType.INT32, values);
    }

    static Class<?> javaClass(GgufType elementType) {
        return switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING, ARRAY -> List.class;
        };
    }

    public int size() {
        return switch (values) {
            case byte[] a -> a.length;
            case short[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case List<?> l -> l.size();
            default -> throw new IllegalStateException();
        };
    }

    /** Element {@code i} as a Java value, with the same conventions as {@link GgufFile#metadata()} scalars. */
    public Object get(int i) {
        return switch (values) {
            case byte[] a -> elementType == GgufType.UINT8 ? Byte.toUnsignedInt(a[i]) : (int) a[i];
            case short[] a -> elementType == GgufType.UINT16 ? Short.toUnsignedInt(a[i]) : (int) a[i];
            case int[] a -> elementType == GgufType.UINT32 ? Integer.toUnsignedLong(a[i]) : (Object) a[i];
            case long[] a -> a[i];
            case float[] a -> a[i];
            case double[] a -> a[i];
            case boolean[] a -> a[i];
            case List<?> l -> l.get(i);
            default -> throw new IllegalStateException();
        };
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufArray other) || other.elementType != elementType) {
            return false;
        }
        return switch (values) {
            case byte[] a -> Arrays.equals(a, (byte[]) other.values);
            case short[] a -> Arrays.equals(a, (short[]) other.values);
            case int[] a -> Arrays.equals(a, (int[]) other.values);
            case long[] a -> Arrays.equals(a, (long[]) other.values);
            case float[] a -> Arrays.equals(a, (float[]) other.values);
            case double[] a -> Arrays.equals(a, (double[]) other.values);
            case boolean[] a -> Arrays.equals(a, (boolean[]) other.values);
            case List<?> l -> l.equals(other.values);
            default -> false;
        };
    }

    @Override
    public int hashCode() {
        int h = elementType.hashCode() * 31;
        return h + switch (values) {
            case byte[] a -> Arrays.hashCode(a);
            case short[] a -> Arrays.hashCode(a);
            case int[] a -> Arrays.hashCode(a);
            case long[] a -> Arrays.hashCode(a);
            case float[] a -> Arrays.hashCode(a);
            case double[] a -> Arrays.hashCode(a);
            case boolean[] a -> Arrays.hashCode(a);
            case List<?> l -> l.hashCode();
            default -> 0;
        };
    }

    /** A short summary: the element type, count and first few values. */
    @Override
    public String toString() {
        return summary(8);
    }

    public String summary(int firstFew) {
        StringBuilder sb = new StringBuilder();
        sb.append(elementType).append('[').append(size()).append("] [");
        int n = Math.min(size(), firstFew);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object v = get(i);
            sb.append(v instanceof String s ? quote(s) : v);
        }
        if (size() > n) {
            sb.append(", ...");
        }
        return sb.append(']').toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
