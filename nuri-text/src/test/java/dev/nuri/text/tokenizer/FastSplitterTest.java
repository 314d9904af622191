package dev.nuri.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written scanners give exactly java.util.regex's matches of the regexes they stand for. */
class FastSplitterTest {
    private static final String[] ALPHABET = {"a", "Z", "s", "S", "t", "T", "r", "R", "e", "E", "v", "l", "L", "m", "d", "D",
        "\u017F", "1", "7", "\u00B2", "\u216B", " ", " ", " ", "\t", "\n", "\r", "\u000B", "\u0085", "\u00A0", "\u3000",
        "'", "'", ".", "!", "-", "(", "한", "字", "\uD83E\uDD99", "\uD835\uDC00", "\u0301", "\u200B", "_", "$"};

    @ParameterizedTest
    @ValueSource(strings = {Splitter.GPT2, Splitter.GPT2_LLAMA_CPP, Splitter.LLAMA3, Splitter.QWEN2,
        LlamaCppPreTokenizers.LLAMA3, LlamaCppPreTokenizers.QWEN2})
    void sameMatchesAsTheRegex(String regex) {
        Splitter fast = Splitter.of(regex);
        Splitter slow = Splitter.regex(Regexes.compile(regex));
        Random random = new Random(7);
        for (int iter = 0; iter < 30_000; iter++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(24);
            for (int i = 0; i < len; i++) {
                sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            String text = sb.toString();
            assertArrayEquals(slow.spans(text), fast.spans(text), () -> HfReferenceTest.quote(text));
        }
    }
}
