package dev.nuri.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.gguf.GgufWriter;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {
    @TempDir
    Path dir;

    private static final String INDEX = """
            {"metadata": {"total_size": 24},
             "weight_map": {"model.embed.weight": "model-00001-of-00002.safetensors",
                            "model.norm.weight": "model-00002-of-00002.safetensors",
                            "lm_head.weight": "model-00002-of-00002.safetensors"}}""";

    private void writeShards() {
        new SafetensorsWriter().add("model.embed.weight", DType.F32, new long[] {2, 1},
                        SafetensorsRoundTripTest.f32(1, 2))
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter()
                .add("model.norm.weight", DType.F32, new long[] {1}, SafetensorsRoundTripTest.f32(3))
                .add("lm_head.weight", DType.F32, new long[] {3}, SafetensorsRoundTripTest.f32(4, 5, 6))
                .write(dir.resolve("model-00002-of-00002.safetensors"));
    }

    @Test
    void opensAFolderWithAnIndex() throws Exception {
        writeShards();
        Files.writeString(dir.resolve("model.safetensors.index.json"), INDEX);
        try (TensorSource s = TensorSources.open(dir)) {
            ShardedSafetensors sh = assertInstanceOf(ShardedSafetensors.class, s);
            assertEquals(List.of("model.embed.weight", "model.norm.weight", "lm_head.weight"), s.tensorNames());
            assertEquals(2, sh.shards().size());
            Tensor t = s.tensor("lm_head.weight");
            assertArrayEquals(new long[] {3}, t.shape());
            assertEquals(6f, t.data().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 2));
            assertTrue(s.has("model.norm.weight"));
            var e = assertThrows(ModelFormatException.class, () -> s.tensor("x"));
            assertTrue(e.getMessage().contains("no tensor 'x'"), e.getMessage());
        }
    }

    @Test
    void missingShardNamesItself() throws Exception {
        new SafetensorsWriter().add("model.embed.weight", DType.F32, new long[] {2, 1},
                SafetensorsRoundTripTest.f32(1, 2)).write(dir.resolve("model-00001-of-00002.safetensors"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, INDEX);
        var e = assertThrows(ModelFormatException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("shard 'model-00002-of-00002.safetensors' (holding 'model.norm.weight') "
                + "is missing"), e.getMessage());
    }

    @Test
    void indexMustAgreeWithShards() throws Exception {
        writeShards();
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, INDEX.replace("\"lm_head.weight\": \"model-00002", "\"lm_head.weight\": \"model-00001"));
        var e = assertThrows(ModelFormatException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("puts tensor 'lm_head.weight' in shard 'model-00001-of-00002.safetensors', "
                + "which has no such tensor"), e.getMessage());

        Files.writeString(index, INDEX.replace("model-00001-of-00002", "../escape"));
        e = assertThrows(ModelFormatException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("is not a file name in the index's folder"), e.getMessage());

        Files.writeString(index, "{\"metadata\": {}}");
        e = assertThrows(ModelFormatException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("no \"weight_map\" object"), e.getMessage());

        Files.writeString(index, "{\"weight_map\": ");
        e = assertThrows(ModelFormatException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void tensorSourcesPicksByContent() throws Exception {
        Path g = dir.resolve("weights.bin");
        new GgufWriter().putString("general.architecture", "llama")
                .addTensor("t", DType.F32, new long[] {1}, SafetensorsRoundTripTest.f32(1)).write(g);
        try (TensorSource s = TensorSources.open(g)) {
            assertInstanceOf(GgufFile.class, s, "GGUF magic wins over the file name");
        }
        Path st = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("t", DType.I8, new long[] {2}, MemorySegment.ofArray(new byte[2])).write(st);
        try (TensorSource s = TensorSources.open(dir)) {
            assertInstanceOf(SafetensorsFile.class, s, "model.safetensors comes first in a folder");
            assertEquals(DType.I8, s.tensor("t").dtype());
        }
        Path emptyGguf = Files.createFile(dir.resolve("empty.gguf"));
        var e = assertThrows(ModelFormatException.class, () -> TensorSources.open(emptyGguf));
        assertTrue(e.getMessage().contains("too small to be GGUF"), "named .gguf: read as GGUF: " + e.getMessage());
        Files.delete(emptyGguf);
        e = assertThrows(ModelFormatException.class, () -> TensorSources.open(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope: no such file or folder"), e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        e = assertThrows(ModelFormatException.class, () -> TensorSources.open(empty));
        assertTrue(e.getMessage().contains("no model.safetensors, model.safetensors.index.json or .gguf file"));
    }

    @Test
    void closedSourcesUnmap() {
        writeShards();
        Path p = dir.resolve("model-00002-of-00002.safetensors");
        SafetensorsFile f = SafetensorsFile.open(p);
        Tensor t = f.tensor("lm_head.weight");
        f.close();
        f.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    }
}
