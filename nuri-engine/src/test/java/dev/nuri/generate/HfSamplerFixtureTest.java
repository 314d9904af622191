package dev.nuri.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.testkit.Fixtures;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The sampler chain against Hugging Face's logits processors: decoding/reference.json lists each chain, and
 * reference.safetensors holds llama-tiny's logits, the prompt ids and the probabilities after each chain.
 */
class HfSamplerFixtureTest {

    @Test
    void everyChainGivesHuggingFacesDistribution() throws Exception {
        Path dir = Fixtures.require("decoding");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (SafetensorsFile tensors = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
            check(ref, tensors);
        }
    }

    private static float[] f32(SafetensorsFile file, String name) {
        assertEquals("F32", file.tensorInfo(name).dtype(), name);
        return file.tensorData(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    private static int[] i64(SafetensorsFile file, String name) {
        assertEquals("I64", file.tensorInfo(name).dtype(), name);
        MemorySegment data = file.tensorData(name);
        long[] values = data.toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    private static void check(JsonNode ref, SafetensorsFile tensors) {
        float[] logits = f32(tensors, "logits");
        int[] history = i64(tensors, "history_ids");
        int checked = 0;
        for (JsonNode sampler : ref.get("samplers")) {
            String name = sampler.get("name").asText();
            GenerationOptions.Builder b = GenerationOptions.builder().temperature(1);
            for (JsonNode step : sampler.get("chain")) {
                double v = step.get(1).asDouble();
                switch (step.get(0).asText()) {
                    case "temperature" -> b.temperature(v);
                    case "top_k" -> b.topK((int) v);
                    case "top_p" -> b.topP(v);
                    case "min_p" -> b.minP(v);
                    case "repetition_penalty" -> b.repetitionPenalty(v);
                    default -> throw new AssertionError("unknown processor " + step.get(0));
                }
            }
            SamplerChain chain = SamplerChain.of(b.build());
            double[] probs = chain.probabilities(logits, new TokenHistory(logits.length, history));
            float[] expected = f32(tensors, "probs." + name);
            int kept = 0;
            double maxDiff = 0;
            for (int i = 0; i < probs.length; i++) {
                assertEquals(expected[i] == 0, probs[i] == 0, name + ": token " + i + " kept/removed differs");
                maxDiff = Math.max(maxDiff, Math.abs(probs[i] - expected[i]));
                if (probs[i] > 0) {
                    kept++;
                }
            }
            assertEquals(sampler.get("kept_tokens").asInt(), kept, name + ": kept tokens");
            assertTrue(maxDiff < 1e-6, name + ": max |p - p_hf| = " + maxDiff);
            checked++;
        }
        assertEquals(9, checked);
    }
}
