package dev.nuri.format.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nuri.format.MappedFile;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file (https://github.com/huggingface/safetensors) mapped into memory: an 8-byte little-endian
 * header length N, N bytes of JSON header, then the data. The header is validated as strictly as the reference
 * Rust crate does: offsets must tile the data section exactly (no gap, overlap or trailing byte), and each
 * tensor's span must equal its shape times its dtype size.
 */
public final class SafetensorsFile implements TensorSource {
    /** The reference crate refuses headers over 100 MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private final MappedFile file;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsTensorInfo> infos; // header order
    private final List<String> names;

    private SafetensorsFile(MappedFile file, long dataStart, Map<String, String> metadata,
                            Map<String, SafetensorsTensorInfo> infos) {
        this.file = file;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.infos = infos;
        this.names = List.copyOf(infos.keySet());
    }

    /** Maps and validates {@code path}; any problem is a {@link ModelFormatException} naming the file. */
    public static SafetensorsFile open(Path path) {
        MappedFile file = MappedFile.map(path);
        try {
            Header h = parse(path, file.segment());
            return new SafetensorsFile(file, h.dataStart(), h.metadata(), h.infos());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static ModelFormatException fail(Path path, String problem) {
        return new ModelFormatException(path + ": " + problem);
    }

    /** What a header says. */
    record Header(long dataStart, Map<String, String> metadata, Map<String, SafetensorsTensorInfo> infos) {
    }

    /** Parses and validates the header of the safetensors file {@code seg} (named {@code path} in errors). */
    static Header parse(Path path, MemorySegment seg) {
        long size = seg.byteSize();
        if (size < 8) {
            throw fail(path, "file too small to be safetensors (" + size + " bytes; the header length alone is 8)");
        }
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > size - 8) {
            throw fail(path, "header length " + Long.toUnsignedString(n) + " exceeds the " + (size - 8)
                    + " bytes after it: truncated or not a safetensors file");
        }
        if (n > MAX_HEADER_BYTES) {
            throw fail(path, "header length " + n + " is over the 100 MB limit of the safetensors format");
        }
        byte[] header = new byte[(int) n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 8, header, 0, header.length);
        if (n == 0 || header[0] != '{') {
            throw fail(path, "header does not start with '{': not a safetensors file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw fail(path, "header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw fail(path, "cannot read the header: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw fail(path, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;

        Map<String, String> metadata = Map.of();
        Map<String, SafetensorsTensorInfo> infos = new LinkedHashMap<>();
        for (var it = root.properties().iterator(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = readMetadata(path, field.getValue());
            } else {
                infos.put(name, readInfo(path, name, field.getValue()));
            }
        }
        checkTiling(path, infos.values(), dataSize);
        return new Header(dataStart, metadata, Collections.unmodifiableMap(infos));
    }

    private static Map<String, String> readMetadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw fail(path, "'" + METADATA_KEY + "' is not an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var it = node.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw fail(path, "'" + METADATA_KEY + "' key '" + e.getKey() + "' is " + e.getValue().getNodeType()
                        + ", not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static SafetensorsTensorInfo readInfo(Path path, String name, JsonNode node) {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) {
            throw fail(path, where + "entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw fail(path, where + "'dtype' is missing or not a string");
        }
        String dtype = dtypeNode.textValue();
        int elementSize = SafetensorsDTypes.size(dtype);
        if (elementSize == 0) {
            throw fail(path, where + "unknown dtype '" + dtype + "'");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw fail(path, where + "'shape' is missing or not an array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(path, where + "shape[" + i + "]", shapeNode.get(i));
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException overflow) {
                throw fail(path, where + "shape " + shapeNode + " has more elements than a long can count");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw fail(path, where + "'data_offsets' is missing or not a pair [begin, end]");
        }
        long begin = nonNegativeLong(path, where + "data_offsets[0]", offsets.get(0));
        long end = nonNegativeLong(path, where + "data_offsets[1]", offsets.get(1));
        if (end < begin) {
            throw fail(path, where + "data_offsets [" + begin + ", " + end + ") end before they begin");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, (long) elementSize);
        } catch (ArithmeticException overflow) {
            throw fail(path, where + "byte size of " + dtype + shapeNode + " overflows a long");
        }
        if (bytes != end - begin) {
            throw fail(path, where + dtype + shapeNode + " needs " + bytes + " bytes but data_offsets [" + begin
                    + ", " + end + ") span " + (end - begin));
        }
        return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(Path path, String what, JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw fail(path, what + " = " + node + " is not a non-negative integer that fits in a long");
        }
        return node.longValue();
    }

    /** The tensors must cover the data section exactly, in offset order, as the reference crate requires. */
    private static void checkTiling(Path path, java.util.Collection<SafetensorsTensorInfo> infos, long dataSize) {
        List<SafetensorsTensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin).thenComparingLong(SafetensorsTensorInfo::end));
        long expected = 0;
        String previous = null;
        for (SafetensorsTensorInfo t : sorted) {
            if (t.begin() != expected) {
                String after = previous == null ? "the start of the data section" : "tensor '" + previous + "'";
                throw fail(path, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end() + ") "
                        + (t.begin() > expected ? "leave a gap after " : "overlap ") + after + ", which ends at "
                        + expected);
            }
            expected = t.end();
            previous = t.name();
        }
        if (expected > dataSize) {
            throw fail(path, "truncated: " + (previous == null ? "the tensors" : "tensor '" + previous + "'")
                    + " end at data offset " + expected + " but the data section holds " + dataSize + " bytes");
        }
        if (expected < dataSize) {
            throw fail(path, "the tensors end at data offset " + expected + " but the data section holds " + dataSize
                    + " bytes (trailing bytes not described by the header)");
        }
    }

    @Override
    public Path path() {
        return file.path();
    }

    /** The {@code __metadata__} string map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Header entries in header order. */
    public List<SafetensorsTensorInfo> tensorInfos() {
        return List.copyOf(infos.values());
    }

    public SafetensorsTensorInfo tensorInfo(String name) {
        SafetensorsTensorInfo info = infos.get(name);
        if (info == null) {
            throw fail(path(), "no tensor '" + name + "'");
        }
        return info;
    }

    /** Absolute file offset of the data section. */
    public long dataStart() {
        return dataStart;
    }

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean has(String name) {
        return infos.containsKey(name);
    }

    /** A tensor's raw bytes, for any dtype. */
    public MemorySegment tensorData(String name) {
        SafetensorsTensorInfo info = tensorInfo(name);
        return file.segment().asSlice(dataStart + info.begin(), info.byteSize());
    }

    @Override
    public Tensor tensor(String name) {
        SafetensorsTensorInfo info = tensorInfo(name);
        DType dtype = info.nuriDType();
        if (dtype == null) {
            throw fail(path(), "tensor '" + name + "' has dtype " + info.dtype() + ", which Nuri cannot read");
        }
        return new Tensor(name, dtype, info.shape(), tensorData(name));
    }

    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "safetensors " + path() + " (" + infos.size() + " tensors)";
    }
}
