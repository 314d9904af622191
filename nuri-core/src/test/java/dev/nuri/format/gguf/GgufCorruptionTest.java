package dev.nuri.format.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.testkit.Fixtures;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forged, truncated and randomly damaged GGUF files fail with a ModelFormatException naming the problem. */
class GgufCorruptionTest {
    private static final Path NAME = Path.of("forged.gguf");

    @TempDir
    Path dir;

    private byte[] everyTypeBytes() throws Exception {
        Path p = dir.resolve("all.gguf");
        GgufFileTest.everyType().write(p);
        return Files.readAllBytes(p);
    }

    private static GgufReader.Header parse(byte[] bytes) {
        return GgufReader.read(NAME, MemorySegment.ofArray(bytes));
    }

    private static GgufReader.Header parse(byte[] bytes, int length) {
        return GgufReader.read(NAME, MemorySegment.ofArray(bytes).asSlice(0, length));
    }

    /** Asserts that parsing fails with a message naming the file and containing every fragment. */
    private static void assertFails(byte[] bytes, String... fragments) {
        var e = assertThrows(ModelFormatException.class, () -> parse(bytes));
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    private static void putU32(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    private static void putU64(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    /** Offset of the first byte after the first string {@code s} (its 8-byte length and its bytes). */
    private static int after(byte[] b, String s) {
        return GgufFileTest.indexOfName(b, s) + 1;
    }

    /** Offset of the first byte after the tensor name {@code s} (tensor infos follow all metadata). */
    private static int afterTensorName(byte[] b, String s) {
        int metadataEnd = after(b, "t.nested") + 4 + 4 + 8 + (4 + 8 + 4) + (4 + 8 + 8 + 1);
        byte[] tail = java.util.Arrays.copyOfRange(b, metadataEnd, b.length);
        return metadataEnd + GgufFileTest.indexOfName(tail, s) + 1;
    }

    @Test
    void headerFields() throws Exception {
        byte[] good = everyTypeBytes();
        parse(good);

        byte[] b = good.clone();
        b[0] = 'X';
        assertFails(b, "not a GGUF file", "expected 47 47 55 46");
        assertFails(new byte[] {'G', 'G'}, "too small");

        b = good.clone();
        putU32(b, 4, 1);
        assertFails(b, "GGUF version 1", "not supported");
        putU32(b, 4, 7);
        assertFails(b, "unsupported GGUF version 7");
        putU32(b, 4, Integer.reverseBytes(3));
        assertFails(b, "big-endian");
        putU32(b, 4, 2);
        assertEquals(2, parse(b).version(), "version 2 has the same layout as 3");

        b = good.clone();
        putU64(b, 8, 1L << 40);
        assertFails(b, "tensor count 1099511627776 cannot fit");
        b = good.clone();
        putU64(b, 8, -1L);
        assertFails(b, "tensor count 18446744073709551615 is impossibly large");
        b = good.clone();
        putU64(b, 16, 1L << 33);
        assertFails(b, "metadata key/value count 8589934592 cannot fit");
    }

    @Test
    void metadataValues() throws Exception {
        byte[] good = everyTypeBytes();

        byte[] b = good.clone();
        putU64(b, 24, 1L << 50); // length of the first key
        assertFails(b, "metadata pair #0", "key length 1125899906842624 exceeds");

        b = good.clone();
        int typeAt = after(b, "t.u8");
        putU32(b, typeAt, 99);
        assertFails(b, "metadata key 't.u8'", "unknown value type id 99");

        b = good.clone();
        putU64(b, after(b, "t.str") + 4, 1L << 40);
        assertFails(b, "metadata key 't.str'", "string value length 1099511627776 exceeds");

        b = good.clone();
        putU64(b, after(b, "t.strs") + 8, 1L << 31); // array count
        assertFails(b, "metadata key 't.strs'", "array of 2147483648 STRING values cannot fit");

        b = good.clone();
        putU64(b, after(b, "t.strs") + 16, 1L << 40); // length of the first element
        assertFails(b, "metadata key 't.strs'", "string #0 length 1099511627776 exceeds");

        b = good.clone();
        putU32(b, after(b, "t.floats") + 4, 77); // array element type
        assertFails(b, "metadata key 't.floats'", "unknown array element type id 77");

        b = good.clone();
        b[after(b, "t.bool") + 4] = 2;
        assertFails(b, "metadata key 't.bool'", "BOOL value", "is 2, not 0 or 1");

        b = good.clone();
        byte[] i8 = "t.i8".getBytes();
        System.arraycopy(i8, 0, b, after(b, "t.u8") - 4, 4); // rename t.u8 to t.i8
        assertFails(b, "metadata key 't.i8'", "duplicate metadata key");
    }

    @Test
    void arrayLengthIsCappedEvenWhenTheFileIsLargeEnough() {
        int n = GgufReader.MAX_ARRAY_LENGTH + 1;
        ByteBuffer b = ByteBuffer.allocate(24 + 8 + 3 + 4 + 4 + 8 + n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufReader.MAGIC).putInt(3).putLong(0).putLong(1);
        b.putLong(3).put("big".getBytes()).putInt(GgufType.ARRAY.id()).putInt(GgufType.UINT8.id()).putLong(n);
        assertFails(b.array(), "metadata key 'big'", "array of 16777217 values is over Nuri's limit of 16777216");
    }

    @Test
    void deeplyNestedArraysAreRefused() throws Exception {
        GgufArray a = GgufArray.ofInts(1);
        for (int i = 0; i < 12; i++) {
            a = new GgufArray(GgufType.ARRAY, List.of(a));
        }
        Path p = dir.resolve("deep.gguf");
        new GgufWriter().putArray("deep", a).write(p);
        assertFails(Files.readAllBytes(p), "metadata key 'deep'", "nested deeper than 8");
    }

    @Test
    void alignment() throws Exception {
        Path p = dir.resolve("aligned.gguf");
        GgufFileTest.everyType().putUInt32("general.alignment", 64).write(p);
        byte[] good = Files.readAllBytes(p);
        assertEquals(64, parse(good).alignment());
        assertEquals(64, parse(good).tensors().get(1).offset());
        byte[] b = good.clone();
        putU32(b, after(b, "general.alignment") + 4, 48);
        assertFails(b, "general.alignment", "alignment 48 is not a power of two");
        putU32(b, after(b, "general.alignment") + 4, 0);
        assertFails(b, "alignment 0 is not a power of two");
        putU32(b, after(b, "general.alignment") + 4, 128);
        assertFails(b, "tensor 'b'", "data offset 64 is not a multiple of the alignment 128");
    }

    @Test
    void tensorInfos() throws Exception {
        byte[] good = everyTypeBytes();
        // tensor "a": F32 [2, 3], ne = {3, 2}; "b": F32 [1] at 32; "c": Q8_0 [32] at 64.
        int a = afterTensorName(good, "a");
        int c = afterTensorName(good, "c");

        byte[] b = good.clone();
        putU32(b, a, 5);
        assertFails(b, "tensor 'a'", "has 5 dimensions; GGUF allows at most 4");

        b = good.clone();
        putU64(b, a + 4, 0);
        assertFails(b, "tensor 'a'", "ne[0] = 0 is not positive");

        b = good.clone();
        putU64(b, a + 4 + 8, -5);
        assertFails(b, "tensor 'a'", "ne[1] = 18446744073709551611 is not positive");

        b = good.clone();
        putU64(b, a + 4, 1L << 62);
        putU64(b, a + 12, 1L << 62);
        assertFails(b, "tensor 'a'", "more elements than a long can count");

        b = good.clone();
        putU64(b, a + 4, 1L << 60);
        assertFails(b, "tensor 'a'", "byte size of F32", "overflows");

        b = good.clone();
        putU64(b, a + 4, 1L << 40);
        assertFails(b, "tensor 'a'", "runs past the end of the file");

        b = good.clone();
        putU32(b, c + 4 + 8, 8); // Q8_0 -> keep type, make ne[0] 16
        putU64(b, c + 4, 16);
        assertFails(b, "tensor 'c'", "ne[0] = 16 is not a multiple of the Q8_0 block size 32");

        b = good.clone();
        putU64(b, a + 4 + 16 + 4, 4); // offset of "a"
        assertFails(b, "tensor 'a'", "data offset 4 is not a multiple of the alignment 32");

        b = good.clone();
        putU64(b, a + 4 + 16 + 4, 1L << 40);
        assertFails(b, "tensor 'a'", "runs past the end of the file");

        b = good.clone();
        putU64(b, a + 4 + 16 + 4, -32L);
        assertFails(b, "tensor 'a'", "impossibly large");

        b = good.clone();
        int bInfo = afterTensorName(b, "b");
        putU64(b, bInfo + 4 + 8 + 4, 0); // "b" at offset 0, on top of "a"
        assertFails(b, "overlaps tensor 'a'");

        b = good.clone();
        b[a - 1] = 'b'; // rename "a" to "b"
        assertFails(b, "tensor 'b'", "duplicate tensor name");
    }

    @Test
    void truncationAtEveryPointOfASmallFileFails() throws Exception {
        byte[] good = everyTypeBytes();
        GgufReader.Header h = parse(good);
        long dataEnd = h.dataStart() + 64 + DType.Q8_0.blockBytes();
        for (int n = 0; n < dataEnd; n++) {
            final int length = n;
            assertThrows(ModelFormatException.class, () -> parse(good, length), "cut at " + n);
        }
    }

    @Test
    void truncatingARealFileFailsNamingTheProblem() throws Exception {
        byte[] good = Files.readAllBytes(Fixtures.require("gguf/stories260K-Q4_K_M.gguf"));
        GgufReader.Header h = parse(good);
        for (int n = 0; n < good.length - 64; n += (n < 600 ? 1 : n < h.dataStart() ? 13 : 997)) {
            final int length = n;
            var e = assertThrows(ModelFormatException.class, () -> parse(good, length), "cut at " + n + " of "
                    + good.length + ", data at " + h.dataStart());
            String m = e.getMessage();
            assertTrue(m.contains("truncated") || m.contains("runs past the end") || m.contains("too small")
                    || m.contains("cannot fit") || m.contains("exceeds"), "cut at " + n + ": " + m);
            if (n > h.dataStart()) {
                assertTrue(m.contains("tensor '"), m);
            }
        }
        // And through the public API, on real files.
        for (int n : new int[] {0, 3, 17, 100, 5000, (int) h.dataStart() + 100, good.length - 100}) {
            Path p = dir.resolve("cut" + n + ".gguf");
            Files.write(p, java.util.Arrays.copyOf(good, n));
            var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(p).close());
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        }
    }

    /** Random damage to a header may be harmless or fatal, but only ever a ModelFormatException. */
    @Test
    void randomByteFlipsOnlyEverThrowModelFormatException() throws Exception {
        byte[] tiny = everyTypeBytes();
        byte[] real = Files.readAllBytes(Fixtures.require("gguf/stories260K-Q6_K.gguf"));
        int realHeader = (int) parse(real).dataStart();
        fuzz(tiny, tiny.length, 10_000, 1);
        fuzz(real, realHeader, 3_000, 2);
    }

    private static void fuzz(byte[] bytes, int region, int rounds, long seed) {
        Random rnd = new Random(seed);
        int failed = 0;
        for (int round = 0; round < rounds; round++) {
            int flips = 1 + rnd.nextInt(4);
            int[] at = new int[flips];
            byte[] was = new byte[flips];
            for (int i = 0; i < flips; i++) {
                at[i] = rnd.nextInt(region);
                was[i] = bytes[at[i]];
                // Favour values that forge counts: 0xFF, 0x00, 0x7F, small numbers, random.
                bytes[at[i]] = switch (rnd.nextInt(5)) {
                    case 0 -> (byte) 0xFF;
                    case 1 -> 0;
                    case 2 -> 0x7F;
                    case 3 -> (byte) rnd.nextInt(16);
                    default -> (byte) rnd.nextInt(256);
                };
            }
            try {
                parse(bytes);
            } catch (ModelFormatException expected) {
                failed++;
            } catch (RuntimeException | Error other) {
                fail("seed " + seed + " round " + round + " flips at " + java.util.Arrays.toString(at) + ": " + other,
                        other);
            } finally {
                for (int i = flips - 1; i >= 0; i--) {
                    bytes[at[i]] = was[i];
                }
            }
        }
        assertTrue(failed > rounds / 10, "only " + failed + " of " + rounds + " damaged files were refused");
    }
}
