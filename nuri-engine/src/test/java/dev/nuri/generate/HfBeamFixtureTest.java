package dev.nuri.generate;

import static dev.nuri.testkit.ReferenceJson.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelLoader;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.tokenizer.Tokenizers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Beam search on llama-tiny and gpt2-tiny against Hugging Face's {@code generate(num_beams=…)}: decoding/reference.json
 * {@code beams[]} holds every returned sequence (new ids, best first) and its {@code sequences_scores}.
 *
 * <p>A quirk of the fixture: tools/make_decoding_fixtures.py calls {@code generate} with {@code pad_token_id=0} and
 * no attention mask. When the pad id occurs in the prompt and differs from the EOS id, transformers infers
 * {@code attention_mask = input_ids != pad_token_id}, so llama-tiny's BOS (id 0) was masked out as left padding
 * (and positions start after it): Hugging Face really searched from the prompt without its BOS. gpt2-tiny's pad id
 * equals its EOS id, so its prompts were used whole. The test feeds the prompt Hugging Face actually attended to.
 */
class HfBeamFixtureTest {

    @Test
    void beamSearchMatchesHuggingFace() throws Exception {
        Path dir = Fixtures.require("decoding");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        int checked = 0;
        for (JsonNode c : ref.get("beams")) {
            Path modelDir = Fixtures.require("hf/" + c.get("model").asText());
            try (LoadedModel loaded = ModelLoader.load(modelDir)) {
                Generator generator = new Generator(loaded.model(), Tokenizers.load(modelDir));
                int[] prompt = attendedPrompt(ints(c.get("prompt_ids")), c.get("eos_token_id").asInt());
                GenerationOptions options = GenerationOptions.builder()
                        .numBeams(c.get("num_beams").asInt())
                        .lengthPenalty(c.get("length_penalty").asDouble())
                        .earlyStopping(c.get("early_stopping").asBoolean() ? EarlyStopping.TRUE : EarlyStopping.FALSE)
                        .maxNewTokens(c.get("max_new_tokens").asInt())
                        .build();
                GenerationResult r = generator.generate(prompt, options);
                String label = c.get("model").asText() + " \"" + c.get("prompt").asText() + "\" beams "
                        + c.get("num_beams").asInt() + " lp " + c.get("length_penalty").asDouble();
                assertEquals(c.get("sequences").size(), r.beams().size(), label + ": hypotheses");
                for (int i = 0; i < r.beams().size(); i++) {
                    assertArrayEquals(ints(c.get("sequences").get(i)), r.beams().get(i).tokenIds(),
                            label + ": sequence " + i);
                    assertEquals(c.get("sequences_scores").get(i).asDouble(), r.beams().get(i).score(), 1e-5,
                            label + ": score " + i);
                }
                checked++;
            }
        }
        assertEquals(ref.get("beams").size(), checked);
    }

    /** The prompt tokens transformers attends to when {@code pad_token_id=0} is passed without an attention mask. */
    private static int[] attendedPrompt(int[] prompt, int eosId) {
        int pad = 0;
        boolean padInPrompt = java.util.Arrays.stream(prompt).anyMatch(id -> id == pad);
        if (!padInPrompt || pad == eosId) {
            return prompt;
        }
        return java.util.Arrays.stream(prompt).filter(id -> id != pad).toArray();
    }
}
