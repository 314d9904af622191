package dev.nuri.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** llama.cpp's tokenizer test vectors for each fixtures/vocab/ggml-vocab-*.gguf (add_special=false, parse_special=false). */
class GgufVocabTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "bert-bge", "deepseek-llm", "falcon", "starcoder"})
    void reproducesLlamaCppVectors(String name) throws IOException {
        Path gguf = Fixtures.require("vocab/ggml-vocab-" + name + ".gguf");
        LlamaCppTokenizer tok = Tokenizers.loadGguf(gguf);
        VocabVectors.Result r = VocabVectors.check(tok, gguf);
        System.out.println("ggml-vocab-" + name + ": " + r.passed() + "/" + r.total() + " llama.cpp vectors reproduced");
        assertEquals(List.of(), r.failures(), name);
    }

    @Test
    void llamaSpmSpecialTokensAndDecoding() {
        Path gguf = Fixtures.require("vocab/ggml-vocab-llama-spm.gguf");
        LlamaCppTokenizer tok = (LlamaCppTokenizer) Tokenizers.load(gguf);
        assertEquals(1, tok.bosId());
        assertTrue(tok.eosIds().contains(2));
        int[] ids = tok.encode("Hello world", true);
        assertEquals(1, ids[0], "BOS added (tokenizer.ggml.add_bos_token)");
        // llama_detokenize keeps the prefix space when it removes a leading BOS, and drops it otherwise
        assertEquals(" Hello world", tok.decode(ids, true));
        assertEquals("Hello world", tok.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length), true));
        assertEquals("<s> Hello world", tok.decode(ids, false));
        // parse_special: "<s>" in the text is the BOS token only when special tokens are parsed
        assertEquals(1, tok.encode("<s>Hi", false, true)[0]);
        assertTrue(tok.encode("<s>Hi", false, false)[0] != 1);
        String korean = "안녕하세요, 세계! 🦙";
        assertEquals(korean, tok.decode(tok.encode(korean, false), false));
    }

    @Test
    void byteLevelVocabsRoundTrip() {
        for (String name : List.of("gpt-2", "deepseek-llm", "falcon", "starcoder")) {
            LlamaCppTokenizer tok = Tokenizers.loadGguf(Fixtures.require("vocab/ggml-vocab-" + name + ".gguf"));
            String text = "Hello 세계! code: x**2 🦙";
            assertEquals(text, tok.decode(tok.encode(text, false), true), name);
        }
    }

    @Test
    void notAGgufFileIsReported() throws IOException {
        Path bad = Files.createTempFile("bad", ".gguf");
        Files.writeString(bad, "not a gguf file at all");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        Files.delete(bad);
    }
}
