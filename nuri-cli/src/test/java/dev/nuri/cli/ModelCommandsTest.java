package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelLoader;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.tensor.WeightMatrix;
import dev.nuri.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {

    private static String run(String... args) {
        var out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, NuriCommand.execute(args), out.toString());
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }

    @Test
    void debugLogitsWritesTheLogitsOfTheExactIds(@TempDir Path tmp) {
        Path model = Fixtures.require("hf/llama-tiny");
        Path out = tmp.resolve("logits.safetensors");
        run("debug", "logits", "--model", model.toString(), "--ids", "0,17,5,300", "--out", out.toString());
        try (SafetensorsFile f = SafetensorsFile.open(out); LoadedModel loaded = ModelLoader.load(model, Parallel.serial())) {
            Tensor t = f.tensor("logits");
            assertArrayEquals(new long[] {4, 1024}, t.shape());
            LanguageModel lm = loaded.model();
            float[] expected = lm.forward(lm.newState(8), new int[] {0, 17, 5, 300}, true);
            float[] written = WeightMatrix.of(t).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], written[i], 1e-5f);
            }
        }
    }

    @Test
    void benchPrintsJsonEvenWhereTheLocaleWritesDecimalCommas() throws Exception {
        Path model = Fixtures.require("gguf/stories260K-F32.gguf");
        Locale old = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        String json;
        try {
            json = run("bench", "--model", model.toString(), "--prompt-tokens", "16", "--gen-tokens", "8", "--threads", "1",
                    "--repetitions", "1", "--warmup", "1", "--warmup-seconds", "0", "--json");
        } finally {
            Locale.setDefault(old);
        }
        JsonNode result = new ObjectMapper().readTree(json);
        for (String key : new String[] {"prefill_tok_s", "decode_tok_s", "peak_rss_bytes", "model_bytes", "decode_alloc_bytes_per_token"}) {
            assertTrue(result.get(key).isNumber(), json);
        }
        assertTrue(result.get("decode_tok_s").asDouble() > 0, json);
        assertEquals(1, result.get("warmup_runs").asInt(), json);
        assertEquals(1, result.get("repetitions").asInt(), json);
    }

    @Test
    void badIdsGiveAOneLineError(@TempDir Path tmp) {
        Path model = Fixtures.require("hf/llama-tiny");
        var err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(1, NuriCommand.execute("debug", "logits", "--model", model.toString(), "--ids", "1,5000",
                    "--out", tmp.resolve("x.safetensors").toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().startsWith("nuri: token id 5000"), err.toString());
    }
}
