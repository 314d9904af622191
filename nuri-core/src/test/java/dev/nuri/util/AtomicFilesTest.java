package dev.nuri.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileWhole() throws IOException {
        Path target = dir.resolve("sub/model.bin");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        AtomicFiles.write(target, new ByteArrayInputStream(new byte[200_000]));
        assertEquals(200_000, Files.size(target));
        assertEquals(1, entries(target.getParent()), "no temporary file is left beside it");
    }

    @Test
    void aWriterThatFailsLeavesTheOldFileAndNoLeftovers() throws IOException {
        Path target = dir.resolve("model.bin");
        AtomicFiles.write(target, new byte[] {9, 9});
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals(new byte[] {9, 9}, Files.readAllBytes(target));
        assertEquals(1, entries(dir));
    }

    private static long entries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }
}
