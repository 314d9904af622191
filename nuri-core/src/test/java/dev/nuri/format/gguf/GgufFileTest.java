package dev.nuri.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Always-run tests on GGUF files built in code. */
class GgufFileTest {
    @TempDir
    Path dir;

    static MemorySegment floats(float... v) {
        MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4]);
        for (int i = 0; i < v.length; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, v[i]);
        }
        return s;
    }

    /** A file with one key of every type and three tensors. */
    static GgufWriter everyType() {
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt8("t.u8", 200)
                .putInt8("t.i8", -5)
                .putUInt16("t.u16", 60000)
                .putInt16("t.i16", -30000)
                .putUInt32("t.u32", 4_000_000_000L)
                .putInt32("t.i32", -7)
                .putUInt64("t.u64", -1L)
                .putInt64("t.i64", Long.MIN_VALUE)
                .putFloat32("t.f32", 1.5f)
                .putFloat64("t.f64", Math.PI)
                .putBool("t.bool", true)
                .putString("t.str", "한국어 ✓")
                .putStringList("t.strs", List.of("a", "", "가나"))
                .putArray("t.floats", GgufArray.ofFloats(1f, -2f))
                .putArray("t.ints", GgufArray.ofInts(3, -4))
                .putArray("t.u8s", new GgufArray(GgufType.UINT8, new byte[] {(byte) 255, 1}))
                .putArray("t.bools", new GgufArray(GgufType.BOOL, new boolean[] {true, false}))
                .putArray("t.doubles", new GgufArray(GgufType.FLOAT64, new double[] {0.25}))
                .putArray("t.nested", new GgufArray(GgufType.ARRAY, List.of(GgufArray.ofInts(1),
                        GgufArray.ofStrings(List.of("x")))))
                .addTensor("a", DType.F32, new long[] {2, 3}, floats(1, 2, 3, 4, 5, 6))
                .addTensor("b", DType.F32, new long[] {1}, floats(7))
                .addTensor("c", DType.Q8_0, new long[] {32}, MemorySegment.ofArray(new byte[34]));
    }

    @Test
    void writesAndReadsEveryValueType() {
        Path p = dir.resolve("all.gguf");
        everyType().write(p);
        try (GgufFile f = GgufFile.open(p)) {
            Map<String, Object> m = f.metadata();
            assertEquals(List.of("general.architecture", "t.u8", "t.i8", "t.u16", "t.i16", "t.u32", "t.i32", "t.u64",
                    "t.i64", "t.f32", "t.f64", "t.bool", "t.str", "t.strs", "t.floats", "t.ints", "t.u8s", "t.bools",
                    "t.doubles", "t.nested"), List.copyOf(m.keySet()));
            assertEquals(200, m.get("t.u8"));
            assertEquals(-5, m.get("t.i8"));
            assertEquals(60000, m.get("t.u16"));
            assertEquals(-30000, m.get("t.i16"));
            assertEquals(4_000_000_000L, m.get("t.u32"));
            assertEquals(-7, m.get("t.i32"));
            assertEquals(-1L, m.get("t.u64"));
            assertEquals(Long.MIN_VALUE, m.get("t.i64"));
            assertEquals(1.5f, m.get("t.f32"));
            assertEquals(Math.PI, m.get("t.f64"));
            assertEquals(true, m.get("t.bool"));
            assertEquals("한국어 ✓", f.getString("t.str"));
            assertEquals(List.of("a", "", "가나"), f.getStringList("t.strs"));
            assertArrayEquals(new float[] {1f, -2f}, f.getFloatArray("t.floats"));
            assertArrayEquals(new int[] {3, -4}, f.getIntArray("t.ints"));
            assertArrayEquals(new int[] {255, 1}, f.getIntArray("t.u8s"));
            assertArrayEquals(new float[] {0.25f}, f.getFloatArray("t.doubles"));
            assertEquals(new GgufArray(GgufType.BOOL, new boolean[] {true, false}), f.getArray("t.bools"));
            GgufArray nested = f.getArray("t.nested");
            assertEquals(GgufType.ARRAY, nested.elementType());
            assertEquals(List.of(GgufArray.ofInts(1), GgufArray.ofStrings(List.of("x"))), nested.values());

            assertEquals(List.of("a", "b", "c"), f.tensorNames());
            Tensor a = f.tensor("a");
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertArrayEquals(new long[] {3, 2}, f.tensorInfo("a").ne(), "GGUF stores innermost first");
            assertEquals(6f, a.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 5));
            assertEquals(32, f.tensorInfo("b").offset(), "aligned to 32");
            assertEquals(64, f.tensorInfo("c").offset());
            assertEquals(0, f.dataStart() % 32);
            assertEquals(f.dataStart() + 128, f.fileSize(), "last tensor padded to the alignment");
            assertEquals(DType.Q8_0, f.tensor("c").dtype());
        }
    }

    @Test
    void typedGettersFailClearly() {
        Path p = dir.resolve("g.gguf");
        everyType().write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(-1, f.getInt("missing", -1));
            assertEquals("d", f.getString("missing", "d"));
            assertTrue(f.findInt("missing").isEmpty());
            assertEquals(200, f.getInt("t.u8"));
            assertEquals(-30000, f.getLong("t.i16"));
            var e = assertThrows(ModelFormatException.class, () -> f.getInt("missing"));
            assertTrue(e.getMessage().contains("'missing' is missing") && e.getMessage().contains(p.toString()),
                    e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.getString("t.i32"));
            assertTrue(e.getMessage().contains("'t.i32' is INT32, not a STRING"), e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.getInt("t.u32"));
            assertTrue(e.getMessage().contains("4000000000 does not fit in an int"), e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.getLong("t.u64"));
            assertTrue(e.getMessage().contains("18446744073709551615 does not fit in a long"), e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.getStringList("t.ints"));
            assertTrue(e.getMessage().contains("is an array of INT32, not an array of STRING"), e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.getFloat("t.str"));
            assertTrue(e.getMessage().contains("'t.str' is STRING"), e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.tensor("zzz"));
            assertTrue(e.getMessage().contains("no tensor 'zzz'") && e.getMessage().contains(p.toString()));
        }
    }

    @Test
    void unknownGgmlTypeStillReadsMetadata() throws Exception {
        Path p = dir.resolve("iq.gguf");
        // IQ2_XXS (id 16): 256 values in 66 bytes. Nuri knows its size but cannot compute with it.
        new GgufWriter().putString("general.architecture", "x")
                .addRawTensor("w", 16, new long[] {256, 2}, MemorySegment.ofArray(new byte[132]))
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals("x", f.architecture());
            assertNull(f.tensorInfo("w").dtype());
            assertEquals("IQ2_XXS", f.tensorInfo("w").typeName());
            assertEquals(132, f.tensorData("w").byteSize());
            var e = assertThrows(ModelFormatException.class, () -> f.tensor("w"));
            assertTrue(e.getMessage().contains("tensor 'w' has ggml type IQ2_XXS (id 16)"), e.getMessage());
        }
        // An id nobody knows: patch the type field of the file above to 99.
        byte[] bytes = Files.readAllBytes(p);
        int typeAt = indexOfName(bytes, "w") + 1 + 4 + 16;
        bytes[typeAt] = 99;
        Path q = dir.resolve("unknown.gguf");
        Files.write(q, bytes);
        try (GgufFile f = GgufFile.open(q)) {
            assertEquals("type#99", f.tensorInfo("w").typeName());
            var e = assertThrows(ModelFormatException.class, () -> f.tensor("w"));
            assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("99"), e.getMessage());
        }
    }

    /** Offset of the byte after the 8-byte length of the first GGUF string equal to {@code name}. */
    static int indexOfName(byte[] bytes, String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        outer:
        for (int i = 8; i + n.length <= bytes.length; i++) {
            if (bytes[i - 8] != n.length) {
                continue;
            }
            for (int j = 1; j < 8; j++) {
                if (bytes[i - 8 + j] != 0) {
                    continue outer;
                }
            }
            for (int j = 0; j < n.length; j++) {
                if (bytes[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i + n.length - 1;
        }
        throw new AssertionError("no string " + name);
    }
}
