package dev.nuri.format.gguf;

import dev.nuri.format.MappedFile;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A GGUF file (versions 2 and 3, little-endian; ggml docs/gguf.md) mapped into memory. The header is parsed and
 * validated on {@link #open}; tensors are views into the mapping, never copies.
 *
 * <p>Metadata values use these Java types ({@link #metadata()} keeps file order):
 * <ul>
 *   <li>UINT8, INT8, UINT16, INT16, INT32: {@link Integer} (unsigned types as their unsigned value);</li>
 *   <li>UINT32: {@link Long} (its unsigned value); INT64: {@link Long}; UINT64: {@link Long} holding the bit
 *       pattern (values over 2^63-1 read negative);</li>
 *   <li>FLOAT32: {@link Float}; FLOAT64: {@link Double}; BOOL: {@link Boolean}; STRING: {@link String};</li>
 *   <li>ARRAY: {@link GgufArray} (element type + primitive array or list, see there).</li>
 * </ul>
 * The typed getters convert between integer widths where the value fits and fail with a message naming the
 * key otherwise: use {@link #getInt} for a UINT32 such as {@code llama.block_count}.
 *
 * <p>Strings are decoded as UTF-8 when the file is opened (a 100k-token vocabulary takes tens of milliseconds);
 * byte sequences that are not valid UTF-8 become U+FFFD, as llama.cpp does not reject them either. Every string in
 * the fixture vocabularies is valid UTF-8, and reading then writing them is byte-identical.
 */
public final class GgufFile implements TensorSource {
    private final MappedFile file;
    private final int version;
    private final int alignment;
    private final long dataStart;
    private final Map<String, Object> metadata;
    private final Map<String, GgufType> types;
    private final List<GgufTensorInfo> tensorInfos;
    private final Map<String, GgufTensorInfo> byName;
    private final List<String> names;

    private GgufFile(MappedFile file, GgufReader.Header h) {
        this.file = file;
        this.version = h.version();
        this.alignment = h.alignment();
        this.dataStart = h.dataStart();
        this.metadata = h.metadata();
        this.types = h.types();
        this.tensorInfos = h.tensors();
        this.byName = new HashMap<>();
        for (GgufTensorInfo t : tensorInfos) {
            byName.put(t.name(), t);
        }
        this.names = tensorInfos.stream().map(GgufTensorInfo::name).toList();
    }

    /** Maps and validates {@code path}; any problem is a {@link ModelFormatException} naming the file. */
    public static GgufFile open(Path path) {
        MappedFile file = MappedFile.map(path);
        try {
            return new GgufFile(file, GgufReader.read(path, file.segment()));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return file.path();
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    /** {@code general.alignment}, or 32 when absent. */
    public int alignment() {
        return alignment;
    }

    /** Absolute file offset where the tensor data section starts. */
    public long dataStart() {
        return dataStart;
    }

    public long fileSize() {
        return file.size();
    }

    /** The whole mapped file (for tools that need the raw bytes). */
    public MemorySegment segment() {
        return file.segment();
    }

    // ---------------------------------------------------------------- tensors

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensorInfos() {
        return tensorInfos;
    }

    public GgufTensorInfo tensorInfo(String name) {
        GgufTensorInfo info = byName.get(name);
        if (info == null) {
            throw new ModelFormatException(path() + ": no tensor '" + name + "'");
        }
        return info;
    }

    /** The tensor's raw bytes, for any type (including ones Nuri cannot compute with), if its size is known. */
    public MemorySegment tensorData(String name) {
        GgufTensorInfo info = tensorInfo(name);
        if (info.byteSize() < 0) {
            throw new ModelFormatException(path() + ": tensor '" + name + "' has unknown ggml type id "
                    + Integer.toUnsignedString(info.ggmlType()) + ", so its size is unknown");
        }
        return file.segment().asSlice(dataStart + info.offset(), info.byteSize());
    }

    @Override
    public Tensor tensor(String name) {
        GgufTensorInfo info = tensorInfo(name);
        DType dtype = info.dtype();
        if (dtype == null) {
            throw new ModelFormatException(path() + ": tensor '" + name + "' has ggml type " + info.typeName()
                    + " (id " + Integer.toUnsignedString(info.ggmlType()) + "), which Nuri cannot read");
        }
        return new Tensor(name, dtype, info.shape(), tensorData(name));
    }

    @Override
    public void close() {
        file.close();
    }

    // ---------------------------------------------------------------- metadata

    /** All metadata in file order (see the class comment for the value types). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public boolean hasKey(String key) {
        return metadata.containsKey(key);
    }

    /** The GGUF type of a key's value. */
    public GgufType type(String key) {
        require(key);
        return types.get(key);
    }

    /** {@code general.architecture}, e.g. {@code "llama"}. */
    public String architecture() {
        return getString("general.architecture");
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new ModelFormatException(path() + ": metadata key '" + key + "' is missing");
        }
        return v;
    }

    private ModelFormatException wrongType(String key, String wanted) {
        GgufType t = types.get(key);
        String actual = t == GgufType.ARRAY ? "an array of " + ((GgufArray) metadata.get(key)).elementType() : t.name();
        return new ModelFormatException(path() + ": metadata key '" + key + "' is " + actual + ", not " + wanted);
    }

    public String getString(String key) {
        if (require(key) instanceof String s) {
            return s;
        }
        throw wrongType(key, "a STRING");
    }

    public String getString(String key, String defaultValue) {
        return hasKey(key) ? getString(key) : defaultValue;
    }

    public Optional<String> findString(String key) {
        return hasKey(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** Any integer type whose value fits in an int. */
    public int getInt(String key) {
        long v = integer(key, "an integer");
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ModelFormatException(path() + ": metadata key '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return hasKey(key) ? getInt(key) : defaultValue;
    }

    public OptionalInt findInt(String key) {
        return hasKey(key) ? OptionalInt.of(getInt(key)) : OptionalInt.empty();
    }

    /** Any integer type; a UINT64 over 2^63-1 fails. */
    public long getLong(String key) {
        return integer(key, "an integer");
    }

    public long getLong(String key, long defaultValue) {
        return hasKey(key) ? getLong(key) : defaultValue;
    }

    public OptionalLong findLong(String key) {
        return hasKey(key) ? OptionalLong.of(getLong(key)) : OptionalLong.empty();
    }

    private long integer(String key, String wanted) {
        Object v = require(key);
        GgufType t = types.get(key);
        if (t == GgufType.UINT64 && (Long) v < 0) {
            throw new ModelFormatException(path() + ": metadata key '" + key + "' = " + Long.toUnsignedString((Long) v)
                    + " does not fit in a long");
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw wrongType(key, wanted);
    }

    /** FLOAT32 or FLOAT64 (narrowed). */
    public float getFloat(String key) {
        return (float) getDouble(key);
    }

    public float getFloat(String key, float defaultValue) {
        return hasKey(key) ? getFloat(key) : defaultValue;
    }

    public Optional<Float> findFloat(String key) {
        return hasKey(key) ? Optional.of(getFloat(key)) : Optional.empty();
    }

    /** FLOAT32 or FLOAT64. */
    public double getDouble(String key) {
        Object v = require(key);
        if (v instanceof Float f) {
            return f;
        }
        if (v instanceof Double d) {
            return d;
        }
        throw wrongType(key, "a FLOAT32 or FLOAT64");
    }

    public double getDouble(String key, double defaultValue) {
        return hasKey(key) ? getDouble(key) : defaultValue;
    }

    public boolean getBoolean(String key) {
        if (require(key) instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "a BOOL");
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return hasKey(key) ? getBoolean(key) : defaultValue;
    }

    public GgufArray getArray(String key) {
        if (require(key) instanceof GgufArray a) {
            return a;
        }
        throw wrongType(key, "an ARRAY");
    }

    /** An array of STRING (unmodifiable). */
    @SuppressWarnings("unchecked")
    public List<String> getStringList(String key) {
        GgufArray a = getArray(key);
        if (a.elementType() != GgufType.STRING) {
            throw wrongType(key, "an array of STRING");
        }
        return (List<String>) a.values();
    }

    public Optional<List<String>> findStringList(String key) {
        return hasKey(key) ? Optional.of(getStringList(key)) : Optional.empty();
    }

    /** An array of FLOAT32 (or FLOAT64, narrowed), as a fresh array. */
    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        return switch (a.values()) {
            case float[] f -> f.clone();
            case double[] d -> {
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield f;
            }
            default -> throw wrongType(key, "an array of FLOAT32");
        };
    }

    /** An array of any integer type of up to 32 bits (UINT32 values must fit in an int), as a fresh array. */
    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        int[] out = new int[a.size()];
        switch (a.values()) {
            case int[] v -> {
                if (a.elementType() == GgufType.UINT32) {
                    for (int i = 0; i < v.length; i++) {
                        if (v[i] < 0) {
                            throw new ModelFormatException(path() + ": metadata key '" + key + "'[" + i + "] = "
                                    + Integer.toUnsignedString(v[i]) + " does not fit in an int");
                        }
                    }
                }
                System.arraycopy(v, 0, out, 0, v.length);
            }
            case short[] v -> {
                for (int i = 0; i < v.length; i++) {
                    out[i] = a.elementType() == GgufType.UINT16 ? Short.toUnsignedInt(v[i]) : v[i];
                }
            }
            case byte[] v -> {
                for (int i = 0; i < v.length; i++) {
                    out[i] = a.elementType() == GgufType.UINT8 ? Byte.toUnsignedInt(v[i]) : v[i];
                }
            }
            default -> throw wrongType(key, "an array of integers");
        }
        return out;
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + path() + " (" + metadata.size() + " keys, " + tensorInfos.size()
                + " tensors)";
    }
}
