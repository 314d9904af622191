package dev.nuri.format.onnx;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph and weights of an ONNX model file (onnx.proto3: ModelProto → GraphProto → NodeProto, TensorProto).
 * The file is mapped, and initializers stored as {@code raw_data} are views into the mapping (no copy).
 * Only what Nuri needs is kept: nodes (op type, inputs, outputs), graph inputs/outputs and initializers.
 * The file is untrusted: wire types, lengths, data types and dims against the data length are all checked,
 * and a problem is reported naming the file and the tensor.
 */
public final class OnnxFile implements AutoCloseable {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final Arena arena;
    private long irVersion;
    private String producer = "";
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private final List<OnnxNode> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private boolean hasGraph;

    private OnnxFile(String source, Arena arena) {
        this.source = source;
        this.arena = arena;
    }

    /** Maps and parses {@code path}. Close the result to unmap it. */
    public static OnnxFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            OnnxFile f = new OnnxFile(path.toString(), arena);
            f.parse(data);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Parses an ONNX model held in memory; {@code source} names it in error messages. The segment must outlive the result. */
    public static OnnxFile parse(MemorySegment data, String source) {
        OnnxFile f = new OnnxFile(source, null);
        f.parse(data);
        return f;
    }

    private void parse(MemorySegment data) {
        if (data.byteSize() == 0) {
            throw new ModelFormatException(source + ": not an ONNX model: the file is empty");
        }
        ProtoReader r = new ProtoReader(data, 0, data.byteSize(), source);
        while (r.hasMore()) {
            long tag = r.readTag();
            int wire = (int) (tag & 7);
            switch ((int) (tag >>> 3)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.VARINT, "ModelProto", "ir_version");
                    irVersion = r.readVarint();
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ModelProto", "producer_name");
                    producer = r.readString("producer_name");
                }
                case 7 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ModelProto", "graph");
                    if (hasGraph) {
                        throw r.corrupt("ModelProto has two graphs");
                    }
                    hasGraph = true;
                    parseGraph(r.readMessage("graph"));
                }
                case 8 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ModelProto", "opset_import");
                    parseOpset(r.readMessage("opset_import"));
                }
                default -> r.skip(wire);
            }
        }
        if (!hasGraph || irVersion <= 0) {
            throw new ModelFormatException(source + ": not an ONNX model (" + (hasGraph ? "no ir_version" : "no graph") + ")");
        }
    }

    private void parseOpset(ProtoReader r) {
        String domain = "";
        long version = 0;
        while (r.hasMore()) {
            long tag = r.readTag();
            switch ((int) (tag >>> 3)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "OperatorSetIdProto", "domain");
                    domain = r.readString("opset domain");
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.VARINT, "OperatorSetIdProto", "version");
                    version = r.readVarint();
                }
                default -> r.skip((int) (tag & 7));
            }
        }
        opsets.put(domain, version);
    }

    private void parseGraph(ProtoReader r) {
        while (r.hasMore()) {
            long tag = r.readTag();
            switch ((int) (tag >>> 3)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "GraphProto", "node");
                    nodes.add(parseNode(r.readMessage("node")));
                }
                case 5 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "GraphProto", "initializer");
                    Tensor t = parseTensor(r.readMessage("initializer"));
                    if (initializers.putIfAbsent(t.name(), t) != null) {
                        throw new ModelFormatException(source + ": initializer '" + t.name() + "' appears twice");
                    }
                }
                case 11 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "GraphProto", "input");
                    inputs.add(parseValueInfoName(r.readMessage("input")));
                }
                case 12 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "GraphProto", "output");
                    outputs.add(parseValueInfoName(r.readMessage("output")));
                }
                case 15 -> throw new ModelFormatException(source + ": sparse initializers are not supported");
                default -> r.skip((int) (tag & 7));
            }
        }
        // ONNX before IR version 4 listed initializers among the graph inputs too; keep only the real inputs.
        inputs.removeIf(initializers::containsKey);
    }

    private OnnxNode parseNode(ProtoReader r) {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String op = "";
        while (r.hasMore()) {
            long tag = r.readTag();
            switch ((int) (tag >>> 3)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "NodeProto", "input");
                    in.add(r.readString("node input"));
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "NodeProto", "output");
                    out.add(r.readString("node output"));
                }
                case 3 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "NodeProto", "name");
                    name = r.readString("node name");
                }
                case 4 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "NodeProto", "op_type");
                    op = r.readString("op_type");
                }
                default -> r.skip((int) (tag & 7));
            }
        }
        if (op.isEmpty()) {
            throw new ModelFormatException(source + ": graph node '" + name + "' has no op_type");
        }
        return new OnnxNode(name, op, in, out);
    }

    private String parseValueInfoName(ProtoReader r) {
        String name = null;
        while (r.hasMore()) {
            long tag = r.readTag();
            if ((tag >>> 3) == 1) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ValueInfoProto", "name");
                name = r.readString("value name");
            } else {
                r.skip((int) (tag & 7));
            }
        }
        if (name == null) {
            throw new ModelFormatException(source + ": a graph input or output has no name");
        }
        return name;
    }

    /** The raw elements of a tensor in one of its typed repeated fields, copied to little-endian bytes. */
    private static final class TypedValues {
        int field;
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    }

    private Tensor parseTensor(ProtoReader r) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        MemorySegment raw = null;
        TypedValues typed = null;
        long location = 0;
        while (r.hasMore()) {
            long tag = r.readTag();
            int wire = (int) (tag & 7);
            int field = (int) (tag >>> 3);
            switch (field) {
                case 1 -> {
                    if (wire == ProtoReader.LENGTH_DELIMITED) {
                        ProtoReader packed = r.readMessage("packed dims");
                        while (packed.hasMore()) {
                            dims.add(packed.readVarint());
                        }
                    } else {
                        r.expect(tag, ProtoReader.VARINT, "TensorProto", "dims");
                        dims.add(r.readVarint());
                    }
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.VARINT, "TensorProto", "data_type");
                    dataType = (int) r.readVarint();
                }
                case 3 -> throw new ModelFormatException(source + ": segmented tensors are not supported" + (name == null ? "" : " ('" + name + "')"));
                case 4, 5, 7, 10 -> {
                    if (typed == null) {
                        typed = new TypedValues();
                        typed.field = field;
                    } else if (typed.field != field) {
                        throw new ModelFormatException(source + ": tensor " + (name == null ? "" : "'" + name + "' ") + "stores values in two different fields");
                    }
                    readTypedValues(r, tag, typed);
                }
                case 8 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "TensorProto", "name");
                    name = r.readString("tensor name");
                }
                case 9 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "TensorProto", "raw_data");
                    raw = r.readBytes("raw_data");
                }
                case 14 -> {
                    r.expect(tag, ProtoReader.VARINT, "TensorProto", "data_location");
                    location = r.readVarint();
                }
                default -> r.skip(wire);
            }
        }
        if (name == null || name.isEmpty()) {
            throw new ModelFormatException(source + ": an initializer has no name");
        }
        if (location != 0) {
            throw new ModelFormatException(source + ": tensor '" + name + "' keeps its data in an external file, which Nuri does not read");
        }
        DType type = dtypeOf(dataType, name);
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            if (shape[i] < 0) {
                throw new ModelFormatException(source + ": tensor '" + name + "' has a negative dimension in " + dims);
            }
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException overflow) {
                throw new ModelFormatException(source + ": tensor '" + name + "' dims " + dims + " overflow");
            }
        }
        long needed = type.bytesFor(count);
        if (needed < 0) {
            throw new ModelFormatException(source + ": tensor '" + name + "' dims " + dims + " are too large");
        }
        MemorySegment data;
        if (raw != null) {
            if (typed != null) {
                throw new ModelFormatException(source + ": tensor '" + name + "' has both raw_data and typed values");
            }
            data = raw;
        } else if (typed != null) {
            data = typedData(typed, type, name);
        } else {
            data = MemorySegment.ofArray(new byte[0]);
        }
        if (data.byteSize() != needed) {
            throw new ModelFormatException(source + ": tensor '" + name + "' is " + type + Arrays.toString(shape) + " (" + needed
                    + " bytes) but holds " + data.byteSize() + " bytes of data");
        }
        return new Tensor(name, type, shape, data);
    }

    private void readTypedValues(ProtoReader r, long tag, TypedValues typed) {
        int wire = (int) (tag & 7);
        boolean fixed = typed.field == 4 || typed.field == 10;
        int fixedWire = typed.field == 4 ? ProtoReader.FIXED32 : ProtoReader.FIXED64;
        if (wire == ProtoReader.LENGTH_DELIMITED) {
            ProtoReader packed = r.readMessage("packed values");
            while (packed.hasMore()) {
                appendValue(packed, typed, fixed ? fixedWire : ProtoReader.VARINT);
            }
        } else {
            r.expect(tag, fixed ? fixedWire : ProtoReader.VARINT, "TensorProto", "typed data");
            appendValue(r, typed, wire);
        }
    }

    private static void appendValue(ProtoReader r, TypedValues typed, int wire) {
        long v = switch (wire) {
            case ProtoReader.FIXED32 -> r.readFixed32() & 0xFFFFFFFFL;
            case ProtoReader.FIXED64 -> r.readFixed64();
            default -> r.readVarint();
        };
        int width = typed.field == 4 || typed.field == 5 ? 4 : 8;
        for (int i = 0; i < width; i++) {
            typed.bytes.write((int) (v >>> (8 * i)));
        }
    }

    private MemorySegment typedData(TypedValues typed, DType type, String name) {
        boolean ok = switch (typed.field) {
            case 4 -> type == DType.F32;
            case 5 -> type == DType.I32;
            case 7 -> type == DType.I64;
            case 10 -> type == DType.F64;
            default -> false;
        };
        if (!ok) {
            throw new ModelFormatException(source + ": tensor '" + name + "' of type " + type + " stores its values in field "
                    + typed.field + ", which Nuri reads only for " + switch (typed.field) {
                        case 4 -> "FLOAT";
                        case 5 -> "INT32";
                        case 7 -> "INT64";
                        default -> "DOUBLE";
                    } + " tensors; re-export with raw_data");
        }
        return MemorySegment.ofArray(typed.bytes.toByteArray());
    }

    private DType dtypeOf(int dataType, String name) {
        return switch (dataType) {
            case 1 -> DType.F32;
            case 2 -> DType.U8;
            case 3 -> DType.I8;
            case 5 -> DType.I16;
            case 6 -> DType.I32;
            case 7 -> DType.I64;
            case 9 -> DType.BOOL;
            case 10 -> DType.F16;
            case 11 -> DType.F64;
            case 16 -> DType.BF16;
            case 0 -> throw new ModelFormatException(source + ": tensor '" + name + "' has no data_type");
            default -> throw new ModelFormatException(source + ": tensor '" + name + "' has ONNX data_type " + dataType
                    + ", which Nuri does not support");
        };
    }

    public String source() {
        return source;
    }

    public long irVersion() {
        return irVersion;
    }

    public String producer() {
        return producer;
    }

    /** Operator set versions by domain ("" is the default ONNX domain). */
    public Map<String, Long> opsets() {
        return Collections.unmodifiableMap(opsets);
    }

    public List<OnnxNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Initializers (weights) by name, in file order. */
    public Map<String, Tensor> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    /** The initializer {@code name}; fails naming the file if it is absent. */
    public Tensor initializer(String name) {
        Tensor t = initializers.get(name);
        if (t == null) {
            throw new ModelFormatException(source + ": no initializer named '" + name + "'");
        }
        return t;
    }

    /** Graph inputs that are not initializers (what a caller feeds). */
    public List<String> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<String> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    /** Reads a float32 tensor into a new array (small tensors; weights stay mapped). */
    public static float[] floats(Tensor t) {
        if (t.dtype() != DType.F32) {
            throw new ModelFormatException("tensor '" + t.name() + "' is " + t.dtype() + ", expected F32");
        }
        float[] out = new float[Math.toIntExact(t.elementCount())];
        MemorySegment.copy(t.data(), LE_FLOAT, 0, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
