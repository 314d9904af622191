package dev.nuri.text.tokenizer;

import static dev.nuri.testkit.ReferenceJson.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every tokenizer vector and prompt of fixtures/hf/*&#47;reference.json, as Hugging Face produced them. */
class HfReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> models() {
        return Stream.of("llama-tiny", "qwen2-tiny", "qwen3-tiny", "mistral-tiny", "gemma2-tiny", "phi3-tiny",
                "gpt2-tiny", "bert-tiny", "t5-tiny").map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("models")
    void reproducesReference(String model) throws Exception {
        Path dir = Fixtures.require("hf/" + model);
        Tokenizer tok = Tokenizers.load(dir);
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode t : ref.path("tokenizer")) {
            String text = t.get("text").asText();
            checked++;
            check(failures, "ids of " + quote(text), ints(t.get("ids")), tok.encode(text, false));
            check(failures, "ids+special of " + quote(text), ints(t.get("ids_with_special_tokens")), tok.encode(text, true));
            String decoded = tok.decode(ints(t.get("ids")), false);
            if (!t.get("decoded").asText().equals(decoded)) {
                failures.add("decoded of " + quote(text) + ": expected " + quote(t.get("decoded").asText()) + " got " + quote(decoded));
            }
        }
        for (JsonNode p : ref.path("prompts")) {
            checked++;
            check(failures, "prompt " + quote(p.get("text").asText()), ints(p.get("input_ids")), tok.encode(p.get("text").asText(), true));
        }
        System.out.println(model + ": " + (checked - failures.size()) + "/" + checked + " reference strings reproduced");
        assertEquals(List.of(), failures, model);
    }

    private static void check(List<String> failures, String what, int[] expected, int[] actual) {
        if (!java.util.Arrays.equals(expected, actual)) {
            failures.add(what + ": expected " + java.util.Arrays.toString(expected) + " got " + java.util.Arrays.toString(actual));
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
}
