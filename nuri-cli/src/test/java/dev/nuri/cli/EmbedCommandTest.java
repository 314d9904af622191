package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.testkit.Fixtures;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {

    @Test
    void defaultModelEmbedsOffline() throws Exception {
        CliRun r = CliRun.of("embed", "--text", "hello", "a second text", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("all-MiniLM-L6-v2", json.get("model").asText());
        assertEquals(384, json.get("dim").asInt());
        assertEquals(2, json.get("embeddings").size());
        for (JsonNode e : json.get("embeddings")) {
            assertEquals(384, e.size());
            double norm = 0;
            for (JsonNode v : e) {
                norm += v.asDouble() * v.asDouble();
            }
            assertEquals(1.0, norm, 1e-5);
        }
        CliRun plain = CliRun.of("embed", "--text", "hello", "--no-normalize", "--pooling", "cls");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(384, plain.out().trim().split(" ").length);
    }

    @Test
    void hfFolderWithPoolingChoice() throws Exception {
        Path dir = Fixtures.require("hf/bert-tiny");
        CliRun r = CliRun.of("embed", "--model", dir.toString(), "--text", "The cat sat on the mat.", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(64, json.get("dim").asInt());
        // Text in, vector out: the fixture's first sentence, tokenized by Nuri, against transformers' embedding.
        try (SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
            MemorySegment expected = ref.tensor("mean_pooled_normalized").data();
            JsonNode mine = json.get("embeddings").get(0);
            for (int j = 0; j < 64; j++) {
                float e = expected.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * j);
                assertEquals(e, mine.get(j).asDouble(), 1e-5, "value " + j);
            }
        }
    }

    @Test
    void badInputFailsWithOneLine(@TempDir Path tmp) throws Exception {
        CliRun pooling = CliRun.of("embed", "--pooling", "max", "--text", "x");
        assertEquals(1, pooling.code());
        assertTrue(pooling.err().contains("unknown pooling 'max'"), pooling.err());
        Path onnx = tmp.resolve("model.onnx");
        Files.write(onnx, new byte[] {0x0A, 0x7F, 0x01});
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\":\"bert\",\"vocab_size\":10,\"hidden_size\":4,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":1,\"intermediate_size\":4}");
        Files.copy(Fixtures.require("hf/bert-tiny").resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        CliRun corrupt = CliRun.of("embed", "--model", onnx.toString(), "--text", "x");
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().startsWith("nuri: ") && corrupt.err().contains("model.onnx"), corrupt.err());
        assertTrue(corrupt.err().lines().count() == 1, corrupt.err());
    }
}
