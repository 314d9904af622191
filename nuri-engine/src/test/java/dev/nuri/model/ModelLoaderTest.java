package dev.nuri.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.tensor.Parallel;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {

    @Test
    void missingOrUnknownInputsFailNamingThePath(@TempDir Path tmp) throws IOException {
        NuriException e = assertThrows(NuriException.class, () -> ModelLoader.load(tmp.resolve("nope"), Parallel.serial()));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());

        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello, not a model");
        e = assertThrows(NuriException.class, () -> ModelLoader.load(text, Parallel.serial()));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        e = assertThrows(NuriException.class, () -> ModelLoader.load(empty, Parallel.serial()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        Path badJson = Files.createDirectory(tmp.resolve("bad"));
        Files.writeString(badJson.resolve("config.json"), "{\"model_type\": \"llama\", ");
        e = assertThrows(NuriException.class, () -> ModelLoader.load(badJson, Parallel.serial()));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void missingTensorAndShapeMismatchNameTheTensorAndFile(@TempDir Path tmp) throws IOException {
        Path src = Fixtures.require("hf/llama-tiny");
        Path copy = Files.createDirectory(tmp.resolve("llama"));
        Files.copy(src.resolve("model.safetensors"), copy.resolve("model.safetensors"));
        String config = Files.readString(src.resolve("config.json"));

        Files.writeString(copy.resolve("config.json"), config.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
        NuriException e = assertThrows(NuriException.class, () -> ModelLoader.load(copy, Parallel.serial()));
        assertTrue(e.getMessage().contains("model.layers.2.") && e.getMessage().contains("model.safetensors"), e.getMessage());

        Files.writeString(copy.resolve("config.json"), config.replace("\"intermediate_size\": 160", "\"intermediate_size\": 128"));
        e = assertThrows(NuriException.class, () -> ModelLoader.load(copy, Parallel.serial()));
        assertTrue(e.getMessage().contains("mlp.gate_proj.weight") && e.getMessage().contains("[160, 64]")
                && e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void shardedFolderGivesTheSameLogitsAsOneFile(@TempDir Path tmp) throws IOException {
        Path src = Fixtures.require("hf/qwen2-tiny");
        Path sharded = Files.createDirectory(tmp.resolve("sharded"));
        Files.copy(src.resolve("config.json"), sharded.resolve("config.json"));
        StringBuilder weightMap = new StringBuilder();
        try (SafetensorsFile whole = SafetensorsFile.open(src.resolve("model.safetensors"))) {
            SafetensorsWriter[] shards = {new SafetensorsWriter(), new SafetensorsWriter()};
            String[] names = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
            int i = 0;
            for (String name : whole.tensorNames()) {
                int shard = i++ % 2;
                shards[shard].add(whole.tensor(name));
                weightMap.append(weightMap.isEmpty() ? "" : ",").append('"').append(name).append("\":\"").append(names[shard]).append('"');
            }
            shards[0].write(sharded.resolve(names[0]));
            shards[1].write(sharded.resolve(names[1]));
        }
        Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"metadata\": {}, \"weight_map\": {" + weightMap + "}}");
        int[] ids = {5, 77, 300, 12, 9};
        try (LoadedModel one = ModelLoader.load(src, Parallel.serial()); LoadedModel two = ModelLoader.load(sharded, Parallel.serial())) {
            float[] a = one.model().forward(one.model().newState(8), ids, true);
            float[] b = two.model().forward(two.model().newState(8), ids, true);
            // the same bytes through the same code: equal up to the JIT's lane-reduction order
            assertEquals(0f, HfFixtureTest.maxAbsDiff(a, b), 1e-5f);
        }
    }

    @Test
    void loadedModelKnowsWhereItsFilesAre() {
        Path dir = Fixtures.require("hf/qwen2-tiny");
        try (LoadedModel loaded = ModelLoader.load(dir, Parallel.serial())) {
            assertEquals("qwen2", loaded.model().info().architecture());
            assertEquals(1024, loaded.model().info().vocabSize());
            assertEquals(java.util.Set.of(2), loaded.model().info().eosIds());
            assertFalse(loaded.isGguf());
            assertTrue(loaded.sibling("tokenizer.json").isPresent());
            assertTrue(loaded.sibling("generation_config.json").isPresent());
        }
        try (LoadedModel viaFile = ModelLoader.load(dir.resolve("model.safetensors"), Parallel.serial())) {
            assertEquals("qwen2", viaFile.model().info().architecture());
            assertEquals(dir.toAbsolutePath().normalize(), viaFile.path().toAbsolutePath().normalize());
        }
        Path gguf = Fixtures.require("gguf/stories260K-F32.gguf");
        try (LoadedModel loaded = ModelLoader.load(gguf, Parallel.serial())) {
            assertTrue(loaded.isGguf());
            assertEquals(gguf.getParent(), loaded.folder());
            assertEquals(1, loaded.model().info().bosId());
        }
    }
}
