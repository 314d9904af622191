package dev.nuri.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.testkit.Fixtures;
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
        TestSafetensors tensors = new TestSafetensors(dir.resolve("reference.safetensors"));
        float[] logits = tensors.f32("logits");
        int[] history = tensors.i64AsInt("history_ids");
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
            float[] expected = tensors.f32("probs." + name);
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
