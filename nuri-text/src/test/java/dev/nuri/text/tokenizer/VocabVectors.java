package dev.nuri.text.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** llama.cpp's tokenizer test vectors: {@code .inp} strings separated by a marker line, {@code .out} ids per line. */
final class VocabVectors {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Result(int passed, int total, List<String> failures) {
    }

    private VocabVectors() {
    }

    static Result check(LlamaCppTokenizer tok, Path gguf) throws IOException {
        String inp = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        if (!texts.isEmpty() && texts.get(texts.size() - 1).isEmpty()) {
            texts.remove(texts.size() - 1);
        }
        List<String> outs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        if (outs.size() != texts.size()) {
            throw new IllegalStateException(gguf + ": " + texts.size() + " inputs but " + outs.size() + " outputs");
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = outs.get(i).strip();
            int[] expected = line.isEmpty() ? new int[0]
                    : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            int[] actual = tok.encode(texts.get(i), false, false);
            if (!Arrays.equals(expected, actual)) {
                failures.add("#" + i + " " + HfReferenceTest.quote(texts.get(i)) + ": expected " + Arrays.toString(expected)
                        + " got " + Arrays.toString(actual));
            }
        }
        return new Result(texts.size() - failures.size(), texts.size(), failures);
    }
}
