package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.gguf.GgufWriter;
import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.tensor.DType;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path dir;


    @Test
    void ggufInCode() throws Exception {
        Path p = dir.resolve("m.gguf");
        new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.block_count", 2)
                .putStringList("tokenizer.ggml.tokens", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"))
                .addTensor("token_embd.weight", DType.F32, new long[] {10, 4}, MemorySegment.ofArray(new byte[160]))
                .write(p);
        CliRun r = CliRun.of("inspect", p.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("GGUF version 3, alignment 32"), r.out());
        assertTrue(r.out().contains("llama.block_count      UINT32 2"), r.out());
        assertTrue(r.out().contains("[STRING x 10] [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", ...]"),
                r.out());
        assertTrue(r.out().contains("token_embd.weight  F32      [10, 4]"), r.out());
        assertTrue(r.out().contains("tensors (1, 160 bytes, 40 parameters)"), r.out());

        CliRun j = CliRun.of("inspect", "--json", "--first", "2", p.toString());
        assertEquals(0, j.code(), j.err());
        JsonNode json = new ObjectMapper().readTree(j.out());
        assertEquals("gguf", json.get("format").asText());
        assertEquals(10, json.at("/metadata/tokenizer.ggml.tokens/count").asInt());
        assertEquals("[\"a\",\"b\"]", json.at("/metadata/tokenizer.ggml.tokens/first").toString());
        assertEquals(2, json.at("/metadata/llama.block_count/value").asInt());
        assertEquals("[10,4]", json.at("/tensors/0/shape").toString());
    }

    @Test
    void safetensorsFolderInCode() throws Exception {
        new SafetensorsWriter().metadata(java.util.Map.of("format", "pt"))
                .add("w", DType.BF16, new long[] {2, 3}, MemorySegment.ofArray(new byte[12]))
                .write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 6,
                 "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                 "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}""");
        CliRun r = CliRun.of("inspect", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("w     BF16     [2, 3]"), r.out());
        assertTrue(r.out().contains("model_type                 llama"), r.out());
        assertTrue(r.out().contains("\"type\":\"llama3\""), r.out());
    }

    @Test
    void shardedIndex() throws Exception {
        new SafetensorsWriter().add("a", DType.F32, new long[] {1}, MemorySegment.ofArray(new byte[4]))
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().add("b", DType.I64, new long[] {2}, MemorySegment.ofArray(new byte[16]))
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        CliRun r = CliRun.of("inspect", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("safetensors in 2 shards"), r.out());
        assertTrue(r.out().contains("b     I64      [2]"), r.out());
        assertTrue(r.out().contains("model-00002-of-00002.safetensors"), r.out());
        JsonNode json = new ObjectMapper().readTree(CliRun.of("inspect", "--json", dir.toString()).out());
        assertEquals("model-00001-of-00002.safetensors", json.at("/tensors/0/shard").asText());
        assertEquals(20, json.get("tensor_bytes").asInt());
    }

    @Test
    void errorsAreOneLineAndExitOne() throws Exception {
        CliRun r = CliRun.of("inspect", dir.resolve("missing.gguf").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("nuri: ") && r.err().contains("missing.gguf: no such file"), r.err());

        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, new byte[] {'G', 'G', 'U', 'F', 1, 0, 0, 0});
        r = CliRun.of("inspect", bad.toString());
        assertEquals(1, r.code());
        assertEquals("nuri: " + bad + ": header: GGUF version 1 (2023, 32-bit counts) is not supported; re-convert "
                + "the model with a current llama.cpp to get version 3", r.err().strip());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        r = CliRun.of("inspect", empty.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no model.safetensors, model.safetensors.index.json or .gguf file"), r.err());
    }

    /** Every model file and model folder under the fixtures inspects; every other file fails cleanly. */
    @Test
    void everyFixture() throws IOException {
        Path root = Fixtures.require("gguf").getParent();
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted().toList();
        }
        int models = 0;
        for (Path p : all) {
            String name = p.getFileName().toString();
            boolean model = name.endsWith(".gguf") || name.endsWith(".safetensors") || name.equals("config.json")
                    || Files.isRegularFile(p.resolve("model.safetensors"));
            if (Files.isDirectory(p) && !model) {
                continue;
            }
            CliRun text = CliRun.of("inspect", p.toString());
            if (model) {
                models++;
                assertEquals(0, text.code(), p + ": " + text.err());
                CliRun json = CliRun.of("inspect", "--json", p.toString());
                assertEquals(0, json.code(), p + ": " + json.err());
                JsonNode tree = new ObjectMapper().readTree(json.out());
                if (tree.has("tensors")) {
                    assertEquals(tree.get("tensor_count").asInt(), tree.get("tensors").size());
                    for (JsonNode t : tree.get("tensors")) {
                        assertTrue(text.out().contains(t.get("name").asText()), p + " lists " + t.get("name"));
                    }
                }
            } else {
                // .json, .txt, .inp, .f32 ... are not model files: one clear line, exit 1, never a stack trace.
                assertEquals(1, text.code(), p + ": " + text.err());
                assertTrue(text.err().startsWith("nuri: "), text.err());
                assertFalse(text.err().contains("\tat "), text.err());
            }
        }
        assertTrue(models >= 40, "inspected " + models + " model files/folders");
    }
}
