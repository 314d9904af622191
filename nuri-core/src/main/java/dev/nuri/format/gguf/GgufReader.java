package dev.nuri.format.gguf;

import dev.nuri.format.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a GGUF header (ggml docs/gguf.md) from a mapped file. The file is untrusted: every count,
 * length and offset is checked against the bytes actually present before anything is allocated or read, and
 * every failure is a {@link ModelFormatException} naming the file, the key or tensor, and the problem.
 */
final class GgufReader {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 8;
    /**
     * The most values one metadata array may hold. Real vocabularies and merge lists hold well under a million;
     * the cap keeps a forged count in a multi-gigabyte file from allocating gigabytes of heap.
     */
    static final int MAX_ARRAY_LENGTH = 1 << 24;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What the header says. */
    record Header(int version, int alignment, long dataStart, Map<String, Object> metadata,
                  Map<String, GgufType> types, List<GgufTensorInfo> tensors) {
    }

    private final Path path;
    private final MemorySegment seg;
    private final long size;
    private long pos;
    /** The key or tensor being read, for error messages. */
    private String context = "header";

    private GgufReader(Path path, MemorySegment seg) {
        this.path = path;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    static Header read(Path path, MemorySegment seg) {
        return new GgufReader(path, seg).readHeader();
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(path + ": " + context + ": " + problem);
    }

    private long remaining() {
        return size - pos;
    }

    private void need(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw fail("truncated: " + what + " needs " + (bytes < 0 ? Long.toUnsignedString(bytes) : bytes)
                    + " bytes at offset " + pos + " but the file ends at " + size);
        }
    }

    private int u32(String what) {
        need(4, what);
        int v = seg.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = seg.get(U64, pos);
        pos += 8;
        return v;
    }

    /** A uint64 count or size that must fit in a non-negative long. */
    private long count(String what) {
        long v = u64(what);
        if (v < 0) {
            throw fail(what + " " + Long.toUnsignedString(v) + " is impossibly large");
        }
        return v;
    }

    private String string(String what) {
        long len = count(what + " length");
        if (len > remaining()) {
            throw fail(what + " length " + len + " exceeds the " + remaining() + " bytes left in the file");
        }
        if (len > Integer.MAX_VALUE - 8) {
            throw fail(what + " length " + len + " is too large for a string");
        }
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Header readHeader() {
        if (size < 4) {
            throw fail("file too small to be GGUF (" + size + " bytes)");
        }
        int magic = seg.get(U32, 0);
        if (magic != MAGIC) {
            byte[] m = new byte[4];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, m, 0, 4);
            throw fail(String.format("not a GGUF file: magic is %02x %02x %02x %02x, expected 47 47 55 46 (\"GGUF\")",
                    m[0], m[1], m[2], m[3]));
        }
        pos = 4;
        int version = u32("version");
        if (version == 1) {
            throw fail("GGUF version 1 (2023, 32-bit counts) is not supported; re-convert the model with a current "
                    + "llama.cpp to get version 3");
        }
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw fail("big-endian GGUF files are not supported");
            }
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (Nuri reads versions 2 and 3)");
        }
        long tensorCount = count("tensor count");
        long kvCount = count("metadata key/value count");
        // The smallest tensor info is 24 bytes (empty name, 0 dims, type, offset); the smallest pair is 13 bytes.
        if (tensorCount > remaining() / 24) {
            throw fail("tensor count " + tensorCount + " cannot fit in a file of " + size + " bytes");
        }
        if (kvCount > remaining() / 13) {
            throw fail("metadata key/value count " + kvCount + " cannot fit in a file of " + size + " bytes");
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, GgufType> types = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            context = "metadata pair #" + i;
            String key = string("key");
            if (key.isEmpty()) {
                throw fail("empty metadata key");
            }
            context = "metadata key '" + shorten(key) + "'";
            if (metadata.containsKey(key)) {
                throw fail("duplicate metadata key");
            }
            GgufType type = valueType(u32("value type"), "value type");
            metadata.put(key, value(type, 0));
            types.put(key, type);
        }

        context = "metadata key 'general.alignment'";
        int alignment = alignment(metadata.get("general.alignment"));

        List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 4096));
        Map<String, GgufTensorInfo> byName = new HashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            context = "tensor info #" + i;
            String name = string("tensor name");
            context = "tensor '" + shorten(name) + "'";
            if (byName.containsKey(name)) {
                throw fail("duplicate tensor name");
            }
            GgufTensorInfo info = tensorInfo(name);
            tensors.add(info);
            byName.put(name, info);
        }

        context = "header";
        long dataStart = alignUp(pos, alignment);
        if (!tensors.isEmpty() && dataStart > size) {
            throw fail("truncated: the data section would start at offset " + dataStart + " but the file ends at "
                    + size);
        }
        checkTensorRanges(tensors, alignment, Math.max(0, size - dataStart));
        return new Header(version, alignment, dataStart, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(types), List.copyOf(tensors));
    }

    private GgufType valueType(int id, String what) {
        GgufType type = GgufType.fromId(id);
        if (type == null) {
            throw fail("unknown " + what + " id " + Integer.toUnsignedString(id));
        }
        return type;
    }

    private Object value(GgufType type, int depth) {
        return switch (type) {
            case UINT8 -> {
                need(1, "UINT8 value");
                yield Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++));
            }
            case INT8 -> {
                need(1, "INT8 value");
                yield (int) seg.get(ValueLayout.JAVA_BYTE, pos++);
            }
            case UINT16 -> {
                need(2, "UINT16 value");
                int v = Short.toUnsignedInt(seg.get(U16, pos));
                pos += 2;
                yield v;
            }
            case INT16 -> {
                need(2, "INT16 value");
                int v = seg.get(U16, pos);
                pos += 2;
                yield v;
            }
            case UINT32 -> Integer.toUnsignedLong(u32("UINT32 value"));
            case INT32 -> u32("INT32 value");
            case UINT64 -> u64("UINT64 value");
            case INT64 -> u64("INT64 value");
            case FLOAT32 -> Float.intBitsToFloat(u32("FLOAT32 value"));
            case FLOAT64 -> Double.longBitsToDouble(u64("FLOAT64 value"));
            case BOOL -> {
                need(1, "BOOL value");
                pos++;
                yield bool(seg.get(ValueLayout.JAVA_BYTE, pos - 1), pos - 1);
            }
            case STRING -> string("string value");
            case ARRAY -> array(depth);
        };
    }

    private boolean bool(byte b, long at) {
        if (b != 0 && b != 1) {
            throw fail("BOOL value at offset " + at + " is " + Byte.toUnsignedInt(b) + ", not 0 or 1");
        }
        return b == 1;
    }

    private GgufArray array(int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw fail("arrays nested deeper than " + MAX_ARRAY_NESTING + " levels");
        }
        GgufType elementType = valueType(u32("array element type"), "array element type");
        long count = count("array length");
        int minSize = elementType.minEncodedSize();
        if (count > remaining() / minSize) {
            throw fail("array of " + count + " " + elementType + " values cannot fit in the " + remaining()
                    + " bytes left in the file");
        }
        if (count > MAX_ARRAY_LENGTH) {
            throw fail("array of " + count + " values is over Nuri's limit of " + MAX_ARRAY_LENGTH);
        }
        int n = (int) count;
        Object values = switch (elementType) {
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, a, 0, n);
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                MemorySegment.copy(seg, U16, pos, a, 0, n);
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                MemorySegment.copy(seg, U32, pos, a, 0, n);
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                MemorySegment.copy(seg, U64, pos, a, 0, n);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                MemorySegment.copy(seg, F32, pos, a, 0, n);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                MemorySegment.copy(seg, F64, pos, a, 0, n);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = bool(seg.get(ValueLayout.JAVA_BYTE, pos + i), pos + i);
                }
                yield a;
            }
            case STRING -> strings(n);
            case ARRAY -> {
                List<GgufArray> a = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    a.add(array(depth + 1));
                }
                yield Collections.unmodifiableList(a);
            }
        };
        pos += (long) n * elementType.size(); // 0 for STRING and ARRAY, which advanced as they read
        return new GgufArray(elementType, values);
    }

    /**
     * Reads {@code n} strings. The lengths are validated first, then the whole run of bytes is copied once and
     * decoded from that copy: a 150k-token vocabulary opens in milliseconds.
     * Invalid UTF-8 is decoded with replacement characters, as llama.cpp's Python tools would have rejected it.
     */
    private List<String> strings(int n) {
        long start = pos;
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            if (remaining() < 8) {
                need(8, "string #" + i + " length"); // throws
            }
            long len = seg.get(U64, pos);
            pos += 8;
            if (len < 0 || len > remaining()) {
                throw fail("string #" + i + " length " + Long.toUnsignedString(len) + " exceeds the " + remaining()
                        + " bytes left in the file");
            }
            lengths[i] = (int) len;
            pos += len;
        }
        long total = pos - start;
        if (total > Integer.MAX_VALUE - 8) {
            throw fail("string array of " + total + " bytes is too large");
        }
        byte[] bytes = new byte[(int) total];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, start, bytes, 0, bytes.length);
        String[] out = new String[n];
        int off = 0;
        for (int i = 0; i < n; i++) {
            off += 8;
            out[i] = new String(bytes, off, lengths[i], StandardCharsets.UTF_8);
            off += lengths[i];
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    private int alignment(Object value) {
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof Integer || value instanceof Long)) {
            throw fail("must be an unsigned integer, not " + value);
        }
        long a = ((Number) value).longValue();
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw fail("alignment " + a + " is not a power of two");
        }
        return (int) a;
    }

    private GgufTensorInfo tensorInfo(String name) {
        int nDims = u32("dimension count");
        if (nDims < 0 || nDims > MAX_DIMS) {
            throw fail("has " + Integer.toUnsignedString(nDims) + " dimensions; GGUF allows at most " + MAX_DIMS);
        }
        long[] ne = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            ne[d] = u64("dimension " + d);
            if (ne[d] <= 0) {
                throw fail("dimension ne[" + d + "] = " + Long.toUnsignedString(ne[d]) + " is not positive");
            }
            try {
                elements = Math.multiplyExact(elements, ne[d]);
            } catch (ArithmeticException overflow) {
                throw fail("shape " + Arrays.toString(ne) + " has more elements than a long can count");
            }
        }
        int type = u32("ggml type");
        long offset = u64("data offset");
        if (offset < 0) {
            throw fail("data offset " + Long.toUnsignedString(offset) + " is impossibly large");
        }
        long byteSize = -1;
        int blockSize = GgmlTypes.blockSize(type);
        if (blockSize > 0) {
            String typeName = GgmlTypes.name(type);
            if (nDims > 0 && ne[0] % blockSize != 0) {
                throw fail("row length ne[0] = " + ne[0] + " is not a multiple of the " + typeName + " block size "
                        + blockSize);
            }
            if (elements % blockSize != 0) {
                throw fail(elements + " elements are not a whole number of " + typeName + " blocks of " + blockSize);
            }
            try {
                byteSize = Math.multiplyExact(elements / blockSize, (long) GgmlTypes.blockBytes(type));
            } catch (ArithmeticException overflow) {
                throw fail("byte size of " + typeName + Arrays.toString(ne) + " overflows a long");
            }
        }
        return new GgufTensorInfo(name, type, ne, offset, byteSize);
    }

    private void checkTensorRanges(List<GgufTensorInfo> tensors, int alignment, long dataSize) {
        List<GgufTensorInfo> sized = new ArrayList<>();
        for (GgufTensorInfo t : tensors) {
            context = "tensor '" + t.name() + "'";
            if (t.offset() % alignment != 0) {
                throw fail("data offset " + t.offset() + " is not a multiple of the alignment " + alignment);
            }
            long end = t.byteSize() >= 0 ? t.offset() + t.byteSize() : t.offset(); // both < 2^63: no overflow
            if (t.offset() > dataSize || end > dataSize || end < 0) {
                throw fail("data [" + t.offset() + ", " + (t.byteSize() >= 0 ? end : "?") + ") of " + t.typeName()
                        + Arrays.toString(t.shape()) + " runs past the end of the file (the data section holds "
                        + dataSize + " bytes)");
            }
            if (t.byteSize() >= 0) {
                sized.add(t);
            }
        }
        sized.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < sized.size(); i++) {
            GgufTensorInfo a = sized.get(i - 1);
            GgufTensorInfo b = sized.get(i);
            if (a.offset() + a.byteSize() > b.offset() && a.byteSize() > 0 && b.byteSize() > 0) {
                context = "tensor '" + b.name() + "'";
                throw fail("data [" + b.offset() + ", " + (b.offset() + b.byteSize()) + ") overlaps tensor '"
                        + a.name() + "' at [" + a.offset() + ", " + (a.offset() + a.byteSize()) + ")");
            }
        }
    }

    /** A name as error messages show it: forged names can be megabytes long. */
    private static String shorten(String name) {
        return name.length() <= 200 ? name : name.substring(0, 200) + "...";
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }
}
