package dev.nuri.format.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxFileTest {

    /** A minimal protobuf writer for building test models. */
    static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto tag(int field, int wire) {
            return varint((long) field << 3 | wire);
        }

        Proto intField(int field, long v) {
            return tag(field, 0).varint(v);
        }

        Proto bytesField(int field, byte[] b) {
            tag(field, 2).varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytesField(field, m.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static byte[] floatsLe(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static Proto rawTensor(String name, int dataType, long[] dims, byte[] raw) {
        Proto t = new Proto();
        for (long d : dims) {
            t.intField(1, d);
        }
        return t.intField(2, dataType).string(8, name).bytesField(9, raw);
    }

    static Proto model(Proto... initializers) {
        Proto graph = new Proto()
                .message(1, new Proto().string(1, "x").string(1, "W").string(2, "y").string(3, "mm").string(4, "MatMul"))
                .message(1, new Proto().string(1, "y").string(1, "b").string(2, "z").string(4, "Add"));
        for (Proto init : initializers) {
            graph.message(5, init);
        }
        graph.message(11, new Proto().string(1, "x")).message(12, new Proto().string(1, "z"));
        return new Proto().intField(1, 8).string(2, "test").message(7, graph)
                .message(8, new Proto().string(1, "").intField(2, 17));
    }

    static OnnxFile parse(byte[] bytes) {
        return OnnxFile.parse(MemorySegment.ofArray(bytes), "test.onnx");
    }

    @Test
    void readsGraphAndInitializers(@TempDir Path dir) throws Exception {
        // W as raw_data [2,3]; b as packed float_data [3].
        Proto packedFloats = new Proto().bytesField(4, floatsLe(0.5f, -1f, 2f));
        Proto bias = new Proto().intField(1, 3).intField(2, 1).string(8, "b");
        bias.out.writeBytes(packedFloats.bytes());
        byte[] bytes = model(rawTensor("W", 1, new long[] {2, 3}, floatsLe(1, 2, 3, 4, 5, 6)), bias).bytes();
        Path file = dir.resolve("m.onnx");
        Files.write(file, bytes);
        try (OnnxFile f = OnnxFile.open(file)) {
            assertEquals(8, f.irVersion());
            assertEquals("test", f.producer());
            assertEquals(17L, f.opsets().get(""));
            assertEquals(List.of("x"), f.inputs());
            assertEquals(List.of("z"), f.outputs());
            assertEquals(2, f.nodes().size());
            assertEquals(new OnnxNode("mm", "MatMul", List.of("x", "W"), List.of("y")), f.nodes().get(0));
            Tensor w = f.initializer("W");
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, OnnxFile.floats(w));
            assertArrayEquals(new float[] {0.5f, -1f, 2f}, OnnxFile.floats(f.initializer("b")));
            ModelFormatException missing = assertThrows(ModelFormatException.class, () -> f.initializer("nope"));
            assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
        }
    }

    @Test
    void rejectsEmptyAndNonOnnxFiles() {
        assertMessage(new byte[0], "empty");
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        assertThrows(ModelFormatException.class, () -> parse(noise));
        // A well-formed protobuf that is not a model: no graph.
        assertMessage(new Proto().intField(1, 8).bytes(), "no graph");
    }

    @Test
    void rejectsTruncatedFilesAtEveryLength() {
        byte[] bytes = model(rawTensor("W", 1, new long[] {2, 3}, floatsLe(1, 2, 3, 4, 5, 6))).bytes();
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] part = Arrays.copyOf(bytes, cut);
            try {
                parse(part).close();
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().startsWith("test.onnx"), expected.getMessage());
            }
        }
        // Cutting inside the graph message must be caught as a length that overruns the file.
        assertMessage(Arrays.copyOf(bytes, bytes.length - 20), "remain");
    }

    @Test
    void rejectsDimsThatDisagreeWithTheData() {
        assertMessage(model(rawTensor("W", 1, new long[] {2, 4}, floatsLe(1, 2, 3, 4, 5, 6))).bytes(), "'W'");
        assertMessage(model(rawTensor("W", 1, new long[] {1L << 40, 1L << 40}, floatsLe(1))).bytes(), "'W'");
    }

    @Test
    void rejectsUnsupportedDataTypesAndExternalData() {
        assertMessage(model(rawTensor("S", 8, new long[] {1}, new byte[] {1})).bytes(), "data_type 8");
        Proto external = rawTensor("E", 1, new long[] {1}, floatsLe(1)).intField(14, 1);
        assertMessage(model(external).bytes(), "external");
    }

    @Test
    void rejectsWrongWireTypesAndOverlongVarints() {
        // ir_version (field 1) written as a length-delimited field.
        assertMessage(new Proto().string(1, "x").bytes(), "wire type");
        byte[] overlong = new byte[12];
        Arrays.fill(overlong, (byte) 0xFF);
        overlong[0] = 0x08;
        assertMessage(overlong, "varint");
        // Group wire types (3, 4) never appear in ONNX.
        assertMessage(new byte[] {0x0B}, "wire type 3");
    }

    private static void assertMessage(byte[] bytes, String part) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> parse(bytes));
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention " + part);
        assertTrue(e.getMessage().contains("test.onnx"), e.getMessage());
    }
}
