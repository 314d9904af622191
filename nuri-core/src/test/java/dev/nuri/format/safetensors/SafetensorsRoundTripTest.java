package dev.nuri.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nuri.format.FormatTestFiles;
import dev.nuri.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    static MemorySegment f32(float... v) {
        MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4]);
        for (int i = 0; i < v.length; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v[i]);
        }
        return s;
    }

    @Test
    void matchesTheReferenceCratesBytes() throws Exception {
        Path p = dir.resolve("a.safetensors");
        new SafetensorsWriter().add("attn.0", DType.F32, new long[] {1, 2, 3}, f32(0, 1, 2, 3, 4, 5)).write(p);
        assertArrayEquals(SafetensorsFileTest.REFERENCE_ATTN0, Files.readAllBytes(p));

        // test_empty in the reference crate: no tensors, metadata {"framework": "pt"}.
        new SafetensorsWriter().metadata(Map.of("framework", "pt")).write(p);
        assertArrayEquals(SafetensorsFileTest.bytes(40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100,
                97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116,
                34, 125, 125, 32, 32, 32, 32, 32), Files.readAllBytes(p));
        // test_serialization_forced_alignement: the header is padded with spaces to a multiple of 8.
        new SafetensorsWriter().add("attn0", DType.F32, new long[] {1, 1, 2, 3}, f32(0, 1, 2, 3, 4, 5)).write(p);
        byte[] b = Files.readAllBytes(p);
        assertEquals(72, b[0]);
        assertEquals(80 + 24, b.length);
        assertEquals(' ', b[8 + 71]);
    }

    @Test
    void sortsByDtypeThenName() throws Exception {
        Path p = dir.resolve("mixed.safetensors");
        new SafetensorsWriter()
                .add("z", DType.U8, new long[] {3}, MemorySegment.ofArray(new byte[] {1, 2, 3}))
                .add("b", DType.F32, new long[] {1}, f32(1))
                .add("a", DType.F32, new long[] {2}, f32(2, 3))
                .add("i", DType.I64, new long[] {1}, MemorySegment.ofArray(new byte[8]))
                .add("h", DType.BF16, new long[] {0}, MemorySegment.ofArray(new byte[0]))
                .write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("i", "a", "b", "h", "z"), f.tensorNames());
            assertEquals(0, f.dataStart() % 8);
            assertEquals(3, f.tensor("z").data().get(ValueLayout.JAVA_BYTE, 2));
            assertEquals(0, f.tensor("h").elementCount());
        }
    }

    @Test
    void everyFixtureRoundTripsByteIdentically() throws Exception {
        for (Path p : FormatTestFiles.safetensorsFixtures()) {
            Path out = dir.resolve(p.getFileName());
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                SafetensorsWriter w = new SafetensorsWriter();
                if (!f.metadata().isEmpty()) {
                    w.metadata(f.metadata());
                }
                for (SafetensorsTensorInfo t : f.tensorInfos()) {
                    w.addRaw(t.name(), t.dtype(), t.shape(), f.tensorData(t.name()));
                }
                w.write(out);
            }
            assertEquals(-1L, MemorySegment.ofArray(Files.readAllBytes(p))
                    .mismatch(MemorySegment.ofArray(Files.readAllBytes(out))), p.toString());
        }
    }
}
