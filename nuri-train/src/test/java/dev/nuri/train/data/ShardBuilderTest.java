package dev.nuri.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardBuilderTest {
    @TempDir
    Path dir;

    /** UTF-8 bytes as ids, 256 = end of text. */
    static final Tokenizer BYTES = new Tokenizer() {
        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                ids[i] = b[i] & 0xFF;
            }
            return ids;
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int vocabSize() {
            return 257;
        }

        @Override
        public String token(int id) {
            return id == 256 ? "<|endoftext|>" : String.valueOf((char) id);
        }

        @Override
        public OptionalInt id(String token) {
            return token.equals("<|endoftext|>") ? OptionalInt.of(256) : OptionalInt.empty();
        }

        @Override
        public Set<Integer> specialIds() {
            return Set.of(256);
        }

        @Override
        public int bosId() {
            return -1;
        }

        @Override
        public Set<Integer> eosIds() {
            return Set.of();
        }

        @Override
        public int padId() {
            return -1;
        }
    };

    @Test
    void documentsAreSeparatedAndHeldOutWhole() throws Exception {
        ShardBuilder b = new ShardBuilder(BYTES, ShardBuilder.endOfTextId(BYTES));
        for (String doc : ShardBuilder.documents("ab\n\ncd\n \nef", true)) {
            b.add(doc);
        }
        assertEquals(3, b.documents());
        int[] counts = b.write(dir.resolve("t.bin"), dir.resolve("v.bin"), 0.3);
        assertArrayEquals(new int[] {6, 3}, counts);
        assertArrayEquals(new int[] {'a', 'b', 256, 'c', 'd', 256}, TokenShard.read(dir.resolve("t.bin")).ids());
        assertArrayEquals(new int[] {'e', 'f', 256}, TokenShard.read(dir.resolve("v.bin")).ids());
        assertEquals(List.of("x\n\ny"), ShardBuilder.documents("x\n\ny", false));
        ShardBuilder one = new ShardBuilder(BYTES, 256);
        one.add("only");
        assertThrows(NuriException.class, () -> one.write(dir.resolve("a.bin"), dir.resolve("b.bin"), 0.5));
    }
}
