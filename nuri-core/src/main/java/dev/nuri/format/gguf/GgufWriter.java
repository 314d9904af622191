package dev.nuri.format.gguf;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.util.AtomicFiles;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes GGUF version 3 files laid out as llama.cpp's {@code gguf_write_to_file} does (ggml docs/gguf.md):
 * header, metadata in insertion order, tensor infos in insertion order, zero padding up to the alignment, then
 * each tensor's data at the next aligned offset, each followed by zero padding up to the alignment. A file without
 * tensors ends right after its metadata, as llama.cpp's Python writer leaves vocabulary-only files.
 * The alignment is {@code general.alignment} when that key is set (as UINT32), else 32.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .putString("general.architecture", "llama")
 *     .putUInt32("llama.block_count", 4)
 *     .addTensor("token_embd.weight", DType.F32, new long[] {vocab, dim}, segment)
 *     .write(path);
 * }</pre>
 */
public final class GgufWriter {
    /** llama.cpp's GGML_MAX_NAME: names, with their terminating NUL, fit in 64 bytes. */
    static final int MAX_NAME_BYTES = 63;

    private record PendingTensor(String name, int ggmlType, long[] ne, MemorySegment data) {
    }

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, GgufType> types = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    /**
     * A writer holding every metadata pair and tensor of {@code file}, in file order. The tensors are views into
     * {@code file}'s mapping: keep it open until {@link #write} returns.
     */
    public static GgufWriter copyOf(GgufFile file) {
        GgufWriter w = new GgufWriter();
        for (var e : file.metadata().entrySet()) {
            w.put(e.getKey(), file.type(e.getKey()), e.getValue());
        }
        for (GgufTensorInfo t : file.tensorInfos()) {
            w.addRawTensor(t.name(), t.ggmlType(), t.ne(), file.tensorData(t.name()));
        }
        return w;
    }

    // ---------------------------------------------------------------- metadata

    /**
     * Sets {@code key} (replacing an earlier value but keeping its position). {@code value} must suit the type:
     * any integral {@link Number} within the type's range for integer types (UINT64 takes any long as a bit
     * pattern), a {@link Number} for floats, a {@link Boolean}, a {@link String}, or a {@link GgufArray}.
     */
    public GgufWriter put(String key, GgufType type, Object value) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("GGUF metadata key must not be empty");
        }
        values.put(key, normalize(key, type, value));
        types.put(key, type);
        return this;
    }

    public GgufWriter remove(String key) {
        values.remove(key);
        types.remove(key);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufType.STRING, value);
    }

    public GgufWriter putUInt8(String key, int value) {
        return put(key, GgufType.UINT8, value);
    }

    public GgufWriter putInt8(String key, int value) {
        return put(key, GgufType.INT8, value);
    }

    public GgufWriter putUInt16(String key, int value) {
        return put(key, GgufType.UINT16, value);
    }

    public GgufWriter putInt16(String key, int value) {
        return put(key, GgufType.INT16, value);
    }

    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufType.INT32, value);
    }

    public GgufWriter putUInt64(String key, long value) {
        return put(key, GgufType.UINT64, value);
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufType.INT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufType.FLOAT32, value);
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufType.FLOAT64, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufType.BOOL, value);
    }

    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufType.ARRAY, value);
    }

    public GgufWriter putStringList(String key, List<String> value) {
        return put(key, GgufType.ARRAY, GgufArray.ofStrings(value));
    }

    private static Object normalize(String key, GgufType type, Object value) {
        String where = "GGUF metadata key '" + key + "': ";
        if (type == null || value == null) {
            throw new IllegalArgumentException(where + "type and value must not be null");
        }
        return switch (type) {
            case UINT8 -> (int) integral(where, type, value, 0, 0xFF);
            case INT8 -> (int) integral(where, type, value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> (int) integral(where, type, value, 0, 0xFFFF);
            case INT16 -> (int) integral(where, type, value, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> integral(where, type, value, 0, 0xFFFF_FFFFL);
            case INT32 -> (int) integral(where, type, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT64, INT64 -> integral(where, type, value, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> {
                if (!(value instanceof Number n)) {
                    throw new IllegalArgumentException(where + "FLOAT32 needs a number, not " + value);
                }
                yield n.floatValue();
            }
            case FLOAT64 -> {
                if (!(value instanceof Number n)) {
                    throw new IllegalArgumentException(where + "FLOAT64 needs a number, not " + value);
                }
                yield n.doubleValue();
            }
            case BOOL -> {
                if (!(value instanceof Boolean b)) {
                    throw new IllegalArgumentException(where + "BOOL needs a Boolean, not " + value);
                }
                yield b;
            }
            case STRING -> {
                if (!(value instanceof String s)) {
                    throw new IllegalArgumentException(where + "STRING needs a String, not " + value);
                }
                yield s;
            }
            case ARRAY -> {
                if (!(value instanceof GgufArray a)) {
                    throw new IllegalArgumentException(where + "ARRAY needs a GgufArray, not " + value);
                }
                checkArray(where, a);
                yield a;
            }
        };
    }

    private static void checkArray(String where, GgufArray a) {
        if (a.values() instanceof List<?> list) {
            Class<?> element = a.elementType() == GgufType.STRING ? String.class : GgufArray.class;
            for (Object o : list) {
                if (!element.isInstance(o)) {
                    throw new IllegalArgumentException(where + "array of " + a.elementType() + " holds " + o);
                }
                if (o instanceof GgufArray inner) {
                    checkArray(where, inner);
                }
            }
        }
    }

    private static long integral(String where, GgufType type, Object value, long min, long max) {
        if (!(value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)) {
            throw new IllegalArgumentException(where + type + " needs an integer, not " + value);
        }
        long v = ((Number) value).longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException(where + v + " is out of range for " + type);
        }
        return v;
    }

    // ---------------------------------------------------------------- tensors

    /**
     * Adds a tensor of a Nuri dtype. {@code shape} is outermost-first (as {@link dev.nuri.tensor.Tensor}); it is
     * written reversed, innermost-first, as GGUF requires. {@code data} must hold exactly the tensor's bytes.
     */
    public GgufWriter addTensor(String name, DType dtype, long[] shape, MemorySegment data) {
        if (dtype.ggmlId() < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': GGUF has no type for " + dtype);
        }
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        return addRawTensor(name, dtype.ggmlId(), ne, data);
    }

    /** Adds a tensor by ggml type id and innermost-first dimensions, as they appear in a GGUF file. */
    public GgufWriter addRawTensor(String name, int ggmlType, long[] ne, MemorySegment data) {
        String where = "tensor '" + name + "': ";
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(where + "name is longer than llama.cpp's limit of " + MAX_NAME_BYTES
                    + " bytes");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException(where + "added twice");
        }
        if (ne.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException(where + ne.length + " dimensions; GGUF allows at most 4");
        }
        long elements = 1;
        for (long d : ne) {
            if (d <= 0) {
                throw new IllegalArgumentException(where + "dimensions must be positive: " + Arrays.toString(ne));
            }
            elements = Math.multiplyExact(elements, d);
        }
        int blockSize = GgmlTypes.blockSize(ggmlType);
        if (blockSize == 0) {
            throw new IllegalArgumentException(where + "unknown ggml type id " + ggmlType);
        }
        if (ne.length > 0 && ne[0] % blockSize != 0) {
            throw new IllegalArgumentException(where + "row length " + ne[0] + " is not a multiple of the "
                    + GgmlTypes.name(ggmlType) + " block size " + blockSize);
        }
        long bytes = elements / blockSize * GgmlTypes.blockBytes(ggmlType);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException(where + GgmlTypes.name(ggmlType) + Arrays.toString(ne) + " needs "
                    + bytes + " bytes but the data holds " + data.byteSize());
        }
        tensors.add(new PendingTensor(name, ggmlType, ne.clone(), data));
        return this;
    }

    // ---------------------------------------------------------------- output

    private int alignment() {
        Object a = values.get("general.alignment");
        if (a == null) {
            return GgufReader.DEFAULT_ALIGNMENT;
        }
        if (types.get("general.alignment") != GgufType.UINT32) {
            throw new IllegalArgumentException("general.alignment must be a UINT32 (llama.cpp requires it)");
        }
        long v = (Long) a;
        if (v <= 0 || v > (1 << 30) || Long.bitCount(v) != 1) {
            throw new IllegalArgumentException("general.alignment " + v + " is not a power of two");
        }
        return (int) v;
    }

    /** Writes the file crash-safely (a temporary file beside it, fsynced and renamed into place). */
    public void write(Path path) {
        int alignment = alignment();
        try {
            AtomicFiles.write(path, ch -> writeTo(ch, alignment));
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    private void writeTo(FileChannel ch, int alignment) throws IOException {
        Out out = new Out(ch);
        out.u32(GgufReader.MAGIC);
        out.u32(3);
        out.u64(tensors.size());
        out.u64(values.size());
        for (var e : values.entrySet()) {
            out.string(e.getKey());
            GgufType type = types.get(e.getKey());
            out.u32(type.id());
            value(out, type, e.getValue());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            out.string(t.name());
            out.u32(t.ne().length);
            for (long d : t.ne()) {
                out.u64(d);
            }
            out.u32(t.ggmlType());
            out.u64(offset);
            offset = GgufReader.alignUp(offset + t.data().byteSize(), alignment);
        }
        if (!tensors.isEmpty()) { // llama.cpp's Python writer leaves a tensor-less (vocab-only) file unpadded
            out.pad(alignment);
        }
        for (PendingTensor t : tensors) {
            out.segment(t.data());
            out.pad(alignment);
        }
        out.flush();
    }

    private static void value(Out out, GgufType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8(((Number) v).intValue());
            case UINT16, INT16 -> out.u16(((Number) v).intValue());
            case UINT32, INT32 -> out.u32((int) ((Number) v).longValue());
            case UINT64, INT64 -> out.u64((Long) v);
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> array(out, (GgufArray) v);
        }
    }

    private static void array(Out out, GgufArray a) throws IOException {
        out.u32(a.elementType().id());
        out.u64(a.size());
        switch (a.values()) {
            case byte[] x -> {
                for (byte b : x) {
                    out.u8(b);
                }
            }
            case short[] x -> {
                for (short s : x) {
                    out.u16(s);
                }
            }
            case int[] x -> {
                for (int i : x) {
                    out.u32(i);
                }
            }
            case long[] x -> {
                for (long l : x) {
                    out.u64(l);
                }
            }
            case float[] x -> {
                for (float f : x) {
                    out.u32(Float.floatToRawIntBits(f));
                }
            }
            case double[] x -> {
                for (double d : x) {
                    out.u64(Double.doubleToRawLongBits(d));
                }
            }
            case boolean[] x -> {
                for (boolean b : x) {
                    out.u8(b ? 1 : 0);
                }
            }
            case List<?> list -> {
                for (Object o : list) {
                    if (o instanceof String s) {
                        out.string(s);
                    } else {
                        array(out, (GgufArray) o);
                    }
                }
            }
            default -> throw new IllegalStateException("unexpected array storage " + a.values().getClass());
        }
    }

    /** A little-endian buffered writer over a channel that tracks the file position. */
    private static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        Out(FileChannel ch) {
            this.ch = ch;
        }

        long position() {
            return written + buf.position();
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void u8(int v) throws IOException {
            room(1);
            buf.put((byte) v);
        }

        void u16(int v) throws IOException {
            room(2);
            buf.putShort((short) v);
        }

        void u32(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void u64(long v) throws IOException {
            room(8);
            buf.putLong(v);
        }

        void string(String s) throws IOException {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        private void bytes(byte[] b) throws IOException {
            u64(b.length);
            int off = 0;
            while (off < b.length) {
                room(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, n);
                off += n;
            }
        }

        void segment(MemorySegment s) throws IOException {
            flush();
            long off = 0;
            long size = s.byteSize();
            while (off < size) {
                int n = (int) Math.min(1 << 26, size - off);
                ByteBuffer src = s.asSlice(off, n).asByteBuffer();
                while (src.hasRemaining()) {
                    written += ch.write(src);
                }
                off += n;
            }
        }

        void pad(int alignment) throws IOException {
            long pad = GgufReader.alignUp(position(), alignment) - position();
            for (long i = 0; i < pad; i++) {
                u8(0);
            }
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                written += ch.write(buf);
            }
            buf.clear();
        }
    }
}
