package dev.nuri.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir
    Path dir;

    @Test
    void shardRoundTripsSmallAndLargeVocabularies() throws Exception {
        int[] ids = {0, 1, 65535, 42, 7};
        Path p = dir.resolve("a.bin");
        TokenShard.write(p, ids, 65536);
        assertEquals(32 + 2 * ids.length, Files.size(p));
        assertArrayEquals(ids, TokenShard.read(p).ids());
        int[] big = {0, 100000, 3};
        TokenShard.write(p, big, 150000);
        assertEquals(32 + 4 * big.length, Files.size(p));
        TokenShard s = TokenShard.read(p);
        assertArrayEquals(big, s.ids());
        assertEquals(150000, s.vocabSize());
    }

    @Test
    void corruptShardsAreNamed() throws Exception {
        Path p = dir.resolve("b.bin");
        TokenShard.write(p, new int[] {1, 2, 3}, 10);
        byte[] bytes = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        NuriException e = assertThrows(NuriException.class, () -> TokenShard.read(p));
        assertTrue(e.getMessage().contains("b.bin") && e.getMessage().contains("header says 3 ids"), e.getMessage());
        bytes[32] = 50;
        Files.write(p, bytes);
        e = assertThrows(NuriException.class, () -> TokenShard.read(p));
        assertTrue(e.getMessage().contains("id 50"), e.getMessage());
        Files.write(p, "hello".getBytes());
        assertThrows(NuriException.class, () -> TokenShard.read(p));
        assertThrows(NuriException.class, () -> TokenShard.write(dir.resolve("c.bin"), new int[] {10}, 10));
    }

    @Test
    void windowsAreDrawnWithoutReplacementAndResumeExactly() {
        int[] tokens = new int[101];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i;
        }
        WindowSampler s = new WindowSampler(tokens, 0, tokens.length, 10, 42);
        assertEquals(10, s.windows());
        int[] in = new int[10], tg = new int[10];
        Set<Integer> starts = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            s.next(in, tg, 1);
            assertEquals(in[0] + 1, tg[0]);
            assertEquals(in[9] + 1, tg[9]);
            starts.add(in[0]);
        }
        assertEquals(10, starts.size(), "each window exactly once per epoch");
        s.next(in, tg, 1);
        assertEquals(1, s.epoch());
        int[] expected = new int[30], got = new int[30], t = new int[30];
        s.next(expected, t, 3);
        WindowSampler resumed = new WindowSampler(tokens, 0, tokens.length, 10, 42);
        resumed.seek(1, 1);
        resumed.next(got, t, 3);
        assertArrayEquals(expected, got);
        assertThrows(NuriException.class, () -> new WindowSampler(tokens, 0, 5, 10, 1));
    }
}
