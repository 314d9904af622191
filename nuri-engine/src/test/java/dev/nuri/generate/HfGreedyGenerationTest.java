package dev.nuri.generate;

import static dev.nuri.testkit.ReferenceJson.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelLoader;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole generation path on real tiny models: Generator's greedy ids against transformers' (fixtures/hf/*
 * reference.json, compared up to the first step whose top-1/top-2 margin is below 1e-3), the streamed text against
 * the final text, and a stop string cut out of the model's own greedy text.
 */
class HfGreedyGenerationTest {
    private static final double MARGIN = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "mistral-tiny", "gpt2-tiny"})
    void greedyGenerationStreamsAndStops(String fixture) throws Exception {
        Path dir = Fixtures.require("hf/" + fixture);
        JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (LoadedModel loaded = ModelLoader.load(dir)) {
            Tokenizer tokenizer = Tokenizers.load(dir);
            Generator generator = new Generator(loaded.model(), tokenizer);
            for (JsonNode prompt : reference.get("prompts")) {
                int[] ids = ints(prompt.get("input_ids"));
                int[] expected = ints(prompt.get("greedy_ids"));
                JsonNode margins = prompt.get("greedy_margins");
                StringBuilder streamed = new StringBuilder();
                GenerationResult r = generator.generate(ids,
                        GenerationOptions.builder().maxNewTokens(expected.length).ignoreEos(true).build(),
                        streamed::append);
                int[] got = r.tokenIds();
                assertEquals(expected.length, got.length);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], got[i], fixture + " \"" + prompt.get("text").asText() + "\" id " + i);
                    if (margins.get(i).asDouble() < MARGIN) {
                        break; // a near tie: the reference and Nuri may legitimately part here
                    }
                }
                assertEquals(tokenizer.decode(got, true), r.text());
                assertEquals(r.text(), streamed.toString(), "streamed pieces add up to the text");
                assertEquals(FinishReason.LENGTH, r.finishReason());

                String text = r.text();
                if (text.length() >= 12) {
                    String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
                    StringBuilder cut = new StringBuilder();
                    GenerationResult s = generator.generate(ids, GenerationOptions.builder()
                            .maxNewTokens(expected.length).ignoreEos(true).stopStrings(stop).build(), cut::append);
                    assertEquals(text.substring(0, text.indexOf(stop)), s.text(), fixture + " stop \"" + stop + "\"");
                    assertEquals(s.text(), cut.toString());
                    assertFalse(cut.toString().contains(stop));
                    assertEquals(FinishReason.STOP, s.finishReason());
                    assertTrue(s.completionTokens() <= r.completionTokens());
                }
            }
        }
    }
}
