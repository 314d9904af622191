package dev.nuri.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.text.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A charsmap built by hand in darts-clone's XOR double-array layout: "A" → "a", "AB" → "Z" (longest match wins),
 * "\u3000" (ideographic space) → " ". No fixture holds a real charsmap, so this checks the decoding of the layout,
 * not agreement with SentencePiece on a real map.
 */
class PrecompiledCharsmapTest {
    @TempDir
    Path dir;

    static byte[] tinyCharsmap() {
        int[] a = new int[0x400];
        a[0] = 0x100 << 10; // root: BASE 0x100
        // "A": node 0x100^0x41 = 0x141, leaf, BASE → 0x180 (value node and children of "A")
        a[0x141] = ((0x141 ^ 0x180) << 10) | (1 << 8) | 0x41;
        a[0x180] = 0x80000000; // replacement offset 0: "a"
        // "AB": node 0x180^0x42 = 0x1C2, leaf, BASE → 0x200
        a[0x1C2] = ((0x1C2 ^ 0x200) << 10) | (1 << 8) | 0x42;
        a[0x200] = 0x80000000 | 2; // offset 2: "Z"
        // U+3000 = E3 80 80: 0x100^0xE3 = 0x1E3 → 0x300; 0x300^0x80 = 0x380 → 0x2C0; 0x2C0^0x80 = 0x240 (leaf) → 0x260
        a[0x1E3] = ((0x1E3 ^ 0x300) << 10) | 0xE3;
        a[0x380] = ((0x380 ^ 0x2C0) << 10) | 0x80;
        a[0x240] = ((0x240 ^ 0x260) << 10) | (1 << 8) | 0x80;
        a[0x260] = 0x80000000 | 4; // offset 4: " "
        byte[] replacements = "a\0Z\0 \0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * a.length + replacements.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(4 * a.length);
        for (int v : a) {
            buf.putInt(v);
        }
        buf.put(replacements);
        return buf.array();
    }

    @Test
    void longestPrefixReplacement() {
        PrecompiledCharsmap map = new PrecompiledCharsmap(tinyCharsmap());
        assertEquals("xaZaC Q", map.normalize("xAABAC\u3000Q"));
        assertEquals("한국어 🦙", map.normalize("한국어 🦙"));
    }

    @Test
    void precompiledNormalizerInTokenizerJson() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"normalizer":{"type":"Sequence","normalizers":[{"type":"Precompiled","precompiled_charsmap":"%s"}]},
                 "pre_tokenizer":{"type":"WhitespaceSplit"},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0,"a":1,"Z":2,"##a":3}}}
                """.formatted(Base64.getEncoder().encodeToString(tinyCharsmap())));
        Tokenizer tok = Tokenizers.load(dir);
        assertArrayEquals(new int[] {1, 3, 2}, tok.encode("AA\u3000AB", false));

        Files.writeString(dir.resolve("tokenizer.json"), """
                {"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAAA"},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}
                """);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("precompiled charsmap"), e.getMessage());
    }

    @Test
    void llamaCppUnigramNormalizesWithTheCharsmap() {
        List<String> tokens = List.of("<pad>", "</s>", "<unk>", "\u2581a", "Z", "a", "\u2581");
        float[] scores = {0, 0, 0, -1, -2, -3, -4};
        int[] types = {3, 3, 2, 1, 1, 1, 1};
        LlamaCppTokenizer tok = new LlamaCppTokenizer(new GgufVocabulary("t5", null, null, tokens, scores, types, null,
                null, 1, null, null, 2, null, 0, null, null, true, true, tinyCharsmap()));
        // "A\u3000\u3000AB" → "a  Z" → "▁a▁Z" (extra spaces merged)
        assertArrayEquals(new int[] {3, 6, 4, 1}, tok.encode("A\u3000\u3000AB", true, false));
    }
}
