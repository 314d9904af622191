package dev.nuri.text.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.testkit.Fixtures;
import dev.nuri.testkit.ReferenceJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's t5 (Unigram) path on t5-tiny's vocabulary, as convert_hf_to_gguf would store it (no charsmap:
 * t5-tiny's tokenizer.json has no normalizer), against Hugging Face's ids for the reference strings that need no
 * normalization beyond spaces (tabs and newlines would need T5's charsmap, which maps them to spaces).
 */
class LlamaCppUnigramTest {

    @Test
    void matchesHuggingFaceOnT5Tiny() throws IOException {
        Path dir = Fixtures.require("hf/t5-tiny");
        ObjectMapper json = new ObjectMapper();
        JsonNode model = json.readTree(dir.resolve("tokenizer.json").toFile()).get("model");
        List<String> tokens = new ArrayList<>();
        float[] scores = new float[model.get("vocab").size()];
        int[] types = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            JsonNode e = model.get("vocab").get(i);
            tokens.add(e.get(0).asText());
            scores[i] = (float) e.get(1).asDouble();
            types[i] = GgufVocabulary.TYPE_NORMAL;
        }
        types[0] = GgufVocabulary.TYPE_CONTROL; // <pad>
        types[1] = GgufVocabulary.TYPE_CONTROL; // </s>
        types[2] = GgufVocabulary.TYPE_UNKNOWN; // <unk>
        LlamaCppTokenizer tok = new LlamaCppTokenizer(new GgufVocabulary("t5", null, "t5-tiny", tokens, scores, types,
                null, null, 1, null, null, 2, null, 0, null, null, true, true, null));
        int checked = 0;
        for (JsonNode t : json.readTree(dir.resolve("reference.json").toFile()).get("tokenizer")) {
            String text = t.get("text").asText();
            if (text.matches("(?s).*[\\t\\n\\r].*") || text.contains("<|")) {
                continue;
            }
            checked++;
            assertArrayEquals(ReferenceJson.ints(t.get("ids")), tok.encode(text, false, false), HfReferenceTest.quote(text));
            assertArrayEquals(ReferenceJson.ints(t.get("ids_with_special_tokens")), tok.encode(text, true, false),
                    HfReferenceTest.quote(text));
        }
        assertTrue(checked >= 12, "checked " + checked);
        assertEquals("Hello world", tok.decode(tok.encode("Hello world", true), true));
    }
}
