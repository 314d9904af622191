package dev.nuri.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nuri.format.ModelFormatException;
import dev.nuri.testkit.Fixtures;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forged, truncated and randomly damaged safetensors files fail with a ModelFormatException naming the problem. */
class SafetensorsCorruptionTest {
    private static final Path NAME = Path.of("forged.safetensors");

    @TempDir
    Path dir;

    /** A file with this header JSON (unpadded) and {@code dataBytes} zero bytes of data. */
    static byte[] file(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private static SafetensorsFile.Header parse(byte[] bytes) {
        return SafetensorsFile.parse(NAME, MemorySegment.ofArray(bytes));
    }

    private static void assertFails(byte[] bytes, String... fragments) {
        var e = assertThrows(ModelFormatException.class, () -> parse(bytes));
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    private static final String TWO = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[8,11]}}";

    @Test
    void wellFormedBaseline() {
        SafetensorsFile.Header h = parse(file(TWO, 11));
        assertEquals(2, h.infos().size());
        assertEquals(8 + TWO.length(), h.dataStart());
    }

    @Test
    void headerLength() {
        assertFails(new byte[5], "too small");
        byte[] b = file(TWO, 11);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertFails(b, "header length 1099511627776 exceeds");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertFails(b, "header length 18446744073709551615 exceeds");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0);
        assertFails(b, "does not start with '{'");
        assertFails(file("[1, 2]", 0), "does not start with '{'");
    }

    @Test
    void json() {
        assertFails(file("{\"a\":", 0), "header is not valid JSON");
        assertFails(file("{} trailing", 0), "header is not valid JSON");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "Duplicate field 'a'");
        assertFails(file("{\"__metadata__\":{\"k\":1}}", 0), "'__metadata__' key 'k' is NUMBER, not a string");
        assertFails(file("{\"__metadata__\":[]}", 0), "'__metadata__' is not an object");
        assertFails(file("{\"a\":5}", 0), "tensor 'a': entry is not an object");
        byte[] invalidUtf8 = file("{\"\u00e9\":5}", 0);
        invalidUtf8[10] = (byte) 0xFF;
        assertFails(invalidUtf8, "not valid JSON");
    }

    @Test
    void entries() {
        assertFails(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'a'", "'dtype' is missing");
        assertFails(file("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype 'Q4'");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "'shape' is missing");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'a': shape[0] = -1 is not a non-negative integer");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "shape[0] = 1.5");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", 4),
                "shape[0] = 99999999999999999999 is not a non-negative integer that fits in a long");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4),
                "tensor 'a'", "more elements than a long can count");
        assertFails(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]}}", 4),
                "tensor 'a'", "byte size of F64", "overflows");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8),
                "'data_offsets' is missing or not a pair");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8),
                "data_offsets [8, 0) end before they begin");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a': F32[3] needs 12 bytes but data_offsets [0, 8) span 8");
    }

    @Test
    void offsetsMustTileTheData() {
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "tensor 'a'", "leave a gap after the start of the data section");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "tensor 'b'", "overlap tensor 'a', which ends at 8");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                "tensor 'b'", "leave a gap after tensor 'a'");
        assertFails(file(TWO, 10), "truncated", "tensor 'b'", "end at data offset 11 but the data section holds 10");
        assertFails(file(TWO, 12), "trailing bytes");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776],\"data_offsets\":[0,4398046511104]}}",
                4), "truncated");
    }

    @Test
    void truncationAtEveryPointFails() throws Exception {
        byte[] good = Files.readAllBytes(Fixtures.require("hf/llama-lora/adapter_model.safetensors"));
        parse(good);
        for (int n = 0; n < good.length; n += (n < 600 ? 1 : 23)) {
            final int length = n;
            var e = assertThrows(ModelFormatException.class,
                    () -> SafetensorsFile.parse(NAME, MemorySegment.ofArray(good).asSlice(0, length)), "cut at " + n);
            assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        }
        Path p = dir.resolve("cut.safetensors");
        Files.write(p, Arrays.copyOf(good, good.length - 1));
        var e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("lora_B"), "names the last tensor: " + e.getMessage());
    }

    @Test
    void randomByteFlipsOnlyEverThrowModelFormatException() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.require("hf/gpt2-tiny/model.safetensors"));
        int headerEnd = (int) parse(bytes).dataStart();
        Random rnd = new Random(3);
        int refused = 0;
        int rounds = 3000;
        for (int round = 0; round < rounds; round++) {
            int flips = 1 + rnd.nextInt(3);
            int[] at = new int[flips];
            byte[] was = new byte[flips];
            for (int i = 0; i < flips; i++) {
                at[i] = rnd.nextInt(headerEnd);
                was[i] = bytes[at[i]];
                bytes[at[i]] = (byte) (rnd.nextBoolean() ? "0123456789[]{},\":-.e".charAt(rnd.nextInt(20))
                        : rnd.nextInt(256));
            }
            try {
                parse(bytes);
            } catch (ModelFormatException expected) {
                refused++;
            } catch (RuntimeException | Error other) {
                fail("round " + round + " flips at " + Arrays.toString(at) + ": " + other, other);
            } finally {
                for (int i = flips - 1; i >= 0; i--) {
                    bytes[at[i]] = was[i];
                }
            }
        }
        assertTrue(refused > rounds / 2, "only " + refused + " of " + rounds + " damaged headers were refused");
    }
}
