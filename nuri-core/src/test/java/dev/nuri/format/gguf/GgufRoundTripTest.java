package dev.nuri.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.FormatTestFiles;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** read → write → read keeps metadata, tensor infos and bytes; llama.cpp-written files come back byte-identical. */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void inCodeFileRoundTripsByteIdentically() throws Exception {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        GgufFileTest.everyType().write(a);
        try (GgufFile f = GgufFile.open(a)) {
            GgufWriter.copyOf(f).write(b);
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void everyFixtureRoundTrips() throws Exception {
        List<String> notIdentical = new ArrayList<>();
        for (Path p : FormatTestFiles.ggufFixtures()) {
            Path out = dir.resolve(p.getFileName());
            try (GgufFile original = GgufFile.open(p)) {
                GgufWriter.copyOf(original).write(out);
                try (GgufFile copy = GgufFile.open(out)) {
                    assertEquals(original.metadata(), copy.metadata(), p.toString());
                    for (String key : original.metadata().keySet()) {
                        assertEquals(original.type(key), copy.type(key), p + " " + key);
                    }
                    assertEquals(original.alignment(), copy.alignment());
                    assertEquals(original.tensorInfos(), copy.tensorInfos(), p.toString());
                    for (String name : original.tensorNames()) {
                        assertEquals(-1L, original.tensorData(name).mismatch(copy.tensorData(name)), p + " " + name);
                    }
                }
            }
            if (MemorySegment.ofArray(Files.readAllBytes(p)).mismatch(MemorySegment.ofArray(Files.readAllBytes(out)))
                    != -1) {
                notIdentical.add(p.getFileName().toString());
            }
        }
        // llama.cpp (b4747) writes canonical files: every fixture comes back byte for byte.
        assertTrue(notIdentical.isEmpty(), "not byte-identical after a round trip: " + notIdentical);
    }
}
