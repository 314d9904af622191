package dev.nuri.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The prompt ids and generated text that llama.cpp recorded for the model GGUFs in fixtures/gguf/llamacpp. */
class GgufModelPromptTest {

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-F32", "synthK-random-Q8_0"})
    void promptIdsAndGeneratedTextMatchLlamaCpp(String name) throws IOException {
        Path gguf = Fixtures.require("gguf/" + name + ".gguf");
        Path ids = Fixtures.require("gguf/llamacpp/" + name + ".ids.txt");
        String record = Files.readString(ids, StandardCharsets.UTF_8);
        int[] prompt = numbers(field(record, "prompt_ids: "));
        int[] generated = numbers(field(record, "gen_ids: "));
        String text = record.substring(record.indexOf("gen_text: ") + "gen_text: ".length());
        LlamaCppTokenizer tok = Tokenizers.loadGguf(gguf);
        assertArrayEquals(prompt, tok.encode("Once upon a time", true));
        String decoded = tok.decode(generated, false);
        assertEquals(text.endsWith("\n") && !decoded.endsWith("\n") ? text.substring(0, text.length() - 1) : text, decoded);
    }

    private static String field(String record, String name) {
        int start = record.indexOf(name) + name.length();
        return record.substring(start, record.indexOf('\n', start));
    }

    private static int[] numbers(String s) {
        return Arrays.stream(s.strip().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
