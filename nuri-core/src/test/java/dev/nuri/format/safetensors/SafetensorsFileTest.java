package dev.nuri.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.FormatTestFiles;
import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import dev.nuri.testkit.Fixtures;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** The bytes the reference Rust crate's own test ({@code test_serialization}) expects for one F32 [1,2,3]. */
    static final byte[] REFERENCE_ATTN0 = bytes(
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64);

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void readsTheReferenceCratesTestVector() throws Exception {
        Path p = dir.resolve("ref.safetensors");
        Files.write(p, REFERENCE_ATTN0);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("attn.0"), f.tensorNames());
            Tensor t = f.tensor("attn.0");
            assertEquals(DType.F32, t.dtype());
            assertArrayEquals(new long[] {1, 2, 3}, t.shape());
            for (int i = 0; i < 6; i++) {
                assertEquals(i, t.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
            }
            assertEquals(Map.of(), f.metadata());
        }
    }

    @Test
    void readsEveryFixture() {
        List<Path> files = FormatTestFiles.safetensorsFixtures();
        assertTrue(files.size() >= 20, "found " + files);
        for (Path p : files) {
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                for (String name : f.tensorNames()) {
                    Tensor t = f.tensor(name);
                    assertEquals(f.tensorInfo(name).byteSize(), t.data().byteSize(), p + " " + name);
                }
            }
        }
    }

    @Test
    void llamaTinyModel() {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.require("hf/llama-tiny/model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals("lm_head.weight", f.tensorNames().get(0));
            Tensor embed = f.tensor("model.embed_tokens.weight");
            assertArrayEquals(new long[] {1024, 64}, embed.shape());
            assertEquals(DType.F32, embed.dtype());
            assertEquals(8 + 2144 + 262144, embed.data().address() - f.tensor("lm_head.weight").data().address()
                    + 8 + 2144, "a view at data_offsets[0] = 262144");
            var e = assertThrows(ModelFormatException.class, () -> f.tensor("model.nope"));
            assertTrue(e.getMessage().contains("no tensor 'model.nope'") && e.getMessage().contains("llama-tiny"));
        }
    }

    @Test
    void referenceFileHoldsI64Ids() {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.require("hf/llama-tiny/reference.safetensors"))) {
            Tensor ids = f.tensor("p0.input_ids");
            assertEquals(DType.I64, ids.dtype());
            assertTrue(ids.elementCount() > 0);
        }
    }
}
