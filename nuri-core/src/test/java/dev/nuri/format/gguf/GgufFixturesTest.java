package dev.nuri.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.FormatTestFiles;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import dev.nuri.testkit.Fixtures;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads llama.cpp-written GGUF files; expected values were read independently with a small Python parser. */
class GgufFixturesTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void storiesF32HeaderAndMetadata() {
        try (GgufFile f = GgufFile.open(Fixtures.require("gguf/stories260K-F32.gguf"))) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(14176, f.dataStart());
            assertEquals(19, f.metadata().size());
            assertEquals("tokenizer.ggml.tokens", f.metadata().keySet().iterator().next(), "file order");
            assertEquals("llama", f.architecture());
            assertEquals(5, f.getInt("llama.block_count"));
            assertEquals(GgufType.UINT32, f.type("llama.block_count"));
            assertEquals(5L, f.metadata().get("llama.block_count"));
            assertEquals(4294967295L, f.getLong("tokenizer.ggml.padding_token_id"));
            assertEquals(9.999999747378752e-06f, f.getFloat("llama.attention.layer_norm_rms_epsilon"));
            List<String> tokens = f.getStringList("tokenizer.ggml.tokens");
            assertEquals(512, tokens.size());
            assertEquals(List.of("<unk>", "<s>", "</s>"), tokens.subList(0, 3));
            assertEquals(512, f.getFloatArray("tokenizer.ggml.scores").length);
            int[] types = f.getIntArray("tokenizer.ggml.token_type");
            assertArrayEquals(new int[] {2, 3, 3}, java.util.Arrays.copyOf(types, 3));

            assertEquals(48, f.tensorNames().size());
            GgufTensorInfo embd = f.tensorInfo("token_embd.weight");
            assertArrayEquals(new long[] {64, 512}, embd.ne());
            assertEquals(0, embd.offset());
            GgufTensorInfo k = f.tensorInfo("blk.0.attn_k.weight");
            assertEquals(278784, k.offset());
            Tensor kt = f.tensor("blk.0.attn_k.weight");
            assertArrayEquals(new long[] {32, 64}, kt.shape(), "outermost-first: [kv_dim, dim]");
            assertEquals(DType.F32, kt.dtype());
            assertEquals(32 * 64 * 4, kt.data().byteSize());
            assertEquals(f.dataStart() + 278784,
                    kt.data().address() - f.segment().address(), "a view into the mapping, not a copy");
            assertTrue(f.has("output.weight"));
            assertFalse(f.has("nope"));
        }
    }

    @Test
    void f16FileHoldsTheSameWeightsAsF32() {
        try (GgufFile f32 = GgufFile.open(Fixtures.require("gguf/stories260K-F32.gguf"));
             GgufFile f16 = GgufFile.open(Fixtures.require("gguf/stories260K-F16.gguf"))) {
            int compared = 0;
            for (String name : f32.tensorNames()) {
                Tensor a = f32.tensor(name);
                Tensor b = f16.tensor(name);
                assertArrayEquals(a.shape(), b.shape(), name);
                if (b.dtype() != DType.F16) {
                    continue;
                }
                for (long i = 0; i < a.elementCount(); i++) {
                    float x = a.data().getAtIndex(F32, i);
                    float y = Float.float16ToFloat(b.data().getAtIndex(F16, i));
                    assertEquals(x, y, Math.abs(x) * 1e-3 + 1e-4, name + "[" + i + "]");
                }
                compared++;
            }
            assertTrue(compared >= 30, "compared " + compared + " F16 tensors");
        }
    }

    @Test
    void quantizedFilesHavePerTensorTypes() {
        try (GgufFile f = GgufFile.open(Fixtures.require("gguf/stories260K-Q4_K_M.gguf"))) {
            assertEquals(DType.Q8_0, f.tensor("output.weight").dtype());
            assertEquals(DType.F32, f.tensor("output_norm.weight").dtype());
            assertEquals(DType.Q5_0, f.tensor("token_embd.weight").dtype());
            assertEquals(35072, f.tensorInfo("token_embd.weight").offset());
            assertArrayEquals(new long[] {172, 64}, f.tensor("blk.4.ffn_up.weight").shape());
        }
        try (GgufFile f = GgufFile.open(Fixtures.require("gguf/synthK-random-Q4_K_M.gguf"))) {
            assertEquals(39, f.tensorNames().size());
            assertEquals(726144, f.dataStart());
            assertTrue(f.tensorInfos().stream().anyMatch(t -> t.dtype() == DType.Q4_K));
            assertTrue(f.tensorInfos().stream().anyMatch(t -> t.dtype() == DType.Q6_K));
            assertEquals(32000, f.getStringList("tokenizer.ggml.tokens").size());
        }
    }

    @Test
    void everyFixtureOpensAndEveryTensorIsReadable() {
        List<Path> files = FormatTestFiles.ggufFixtures();
        assertTrue(files.size() >= 15, "found " + files);
        for (Path p : files) {
            try (GgufFile f = GgufFile.open(p)) {
                assertTrue(f.version() == 3, p.toString());
                assertTrue(f.hasKey("general.architecture"), p.toString());
                for (String name : f.tensorNames()) {
                    Tensor t = f.tensor(name);
                    assertEquals(f.tensorInfo(name).byteSize(), t.data().byteSize());
                }
            }
        }
    }

    @Test
    void largeVocabulariesLoad() {
        try (GgufFile f = GgufFile.open(Fixtures.require("vocab/ggml-vocab-deepseek-llm.gguf"))) {
            List<String> tokens = f.getStringList("tokenizer.ggml.tokens");
            assertTrue(tokens.size() > 100_000, "size " + tokens.size());
            assertEquals(0, f.tensorNames().size());
        }
        try (GgufFile f = GgufFile.open(Fixtures.require("vocab/ggml-vocab-gpt-2.gguf"))) {
            assertEquals(50257, f.getStringList("tokenizer.ggml.tokens").size());
            assertEquals(50000, f.getStringList("tokenizer.ggml.merges").size());
            assertEquals("Ġ t", f.getStringList("tokenizer.ggml.merges").get(0));
            assertEquals(50256, f.getInt("tokenizer.ggml.eos_token_id"));
        }
    }
}
