package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;


    private Path tinyModel() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens":[{"id":0,"content":"[UNK]","special":true},{"id":1,"content":"[CLS]","special":true},
                   {"id":2,"content":"[SEP]","special":true}],
                 "normalizer":{"type":"BertNormalizer","lowercase":true},
                 "pre_tokenizer":{"type":"BertPreTokenizer"},
                 "post_processor":{"type":"BertProcessing","sep":["[SEP]",2],"cls":["[CLS]",1]},
                 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                   "vocab":{"[UNK]":0,"[CLS]":1,"[SEP]":2,"hello":3,"world":4,"##s":5,"!":6}}}
                """);
        return dir;
    }

    @Test
    void tokenizeJsonAndTable() throws IOException {
        Path model = tinyModel();
        CliRun r = CliRun.of("tokenize", "--model", model.toString(), "--text", "Hello worlds!", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"ids\":[1,3,4,5,6,2],\"tokens\":[\"[CLS]\",\"hello\",\"world\",\"##s\",\"!\",\"[SEP]\"]}", r.out().strip());
        r = CliRun.of("tokenize", "--model", model.toString(), "--text", "Hello", "--no-special", "--json");
        assertEquals("{\"ids\":[3],\"tokens\":[\"hello\"]}", r.out().strip());
        r = CliRun.of("tokenize", "--model", model.toString(), "--text", "Hello");
        assertTrue(r.out().contains("hello") && r.out().contains("3 tokens"), r.out());
    }

    @Test
    void tokenizeManyTextsFromJsonl() throws IOException {
        Path model = tinyModel();
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, "\"hello\"\n\"world!\"\n");
        CliRun r = CliRun.of("tokenize", "--model", model.toString(), "--input", input.toString(), "--json", "--no-special");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"ids\":[3],\"tokens\":[\"hello\"]}\n{\"ids\":[4,6],\"tokens\":[\"world\",\"!\"]}", r.out().strip());

        Files.writeString(input, "\"hello\"\n{not json\n");
        r = CliRun.of("tokenize", "--model", model.toString(), "--input", input.toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 2") && r.err().contains("not valid JSON"), r.err());

        Files.writeString(input, "\"ok\"\n\"bad \\ud800 surrogate\"\n");
        r = CliRun.of("tokenize", "--model", model.toString(), "--input", input.toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 2") && r.err().contains("lone high surrogate"), r.err());
    }

    @Test
    void detokenize() throws IOException {
        Path model = tinyModel();
        CliRun r = CliRun.of("detokenize", "--model", model.toString(), "--ids", "1,3,4,5,6,2");
        assertEquals(0, r.code(), r.err());
        assertEquals("[CLS] hello worlds! [SEP]", r.out().strip());
        r = CliRun.of("detokenize", "--model", model.toString(), "--ids", "1,3,4,5,6,2", "--skip-special");
        assertEquals("hello worlds!", r.out().strip());
        r = CliRun.of("detokenize", "--model", model.toString(), "--ids", "3,99");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("99 is outside the vocabulary"), r.err());
    }

    @Test
    void tokenizeRealModelMatchesHuggingFace() {
        Path llama = Fixtures.require("hf/llama-tiny");
        CliRun r = CliRun.of("tokenize", "--model", llama.toString(), "--text", "Hello world", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("{\"ids\":[0,44,73,293,83,304,265,80,72],"), r.out());
    }

    @Test
    void chatPromptMatchesHuggingFace() throws IOException {
        for (String name : java.util.List.of("qwen2-tiny", "llama-tiny", "mistral-tiny")) {
            Path folder = Fixtures.require("hf/" + name);
            var reference = new com.fasterxml.jackson.databind.ObjectMapper().readTree(folder.resolve("reference.json").toFile());
            Path messages = dir.resolve(name + "-messages.json");
            Files.writeString(messages, reference.get("chat_messages").toString());
            CliRun r = CliRun.of("tokenize", "--model", folder.toString(), "--chat", messages.toString(), "--json");
            assertEquals(0, r.code(), r.err());
            var out = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
            String prompt = reference.get("chat_prompt").asText();
            assertEquals(prompt, out.get("prompt").asText(), name);
            int[] expected = dev.nuri.text.tokenizer.Tokenizers.load(folder).encode(prompt, false);
            assertEquals(java.util.Arrays.toString(expected), out.get("ids").toString().replace(",", ", "), name);
        }
        // ChatML's markers are parsed as special tokens, and no BOS is added on top of the template's text
        Path qwen = Fixtures.require("hf/qwen2-tiny");
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, "[{\"role\":\"user\",\"content\":\"Hi\"}]");
        CliRun r = CliRun.of("tokenize", "--model", qwen.toString(), "--chat", messages.toString(), "--json");
        assertTrue(r.out().contains("\"ids\":[1,"), r.out());
        Path llama = Fixtures.require("hf/llama-tiny");
        r = CliRun.of("tokenize", "--model", llama.toString(), "--chat", messages.toString(), "--json");
        assertTrue(r.out().contains("\"ids\":[0,") && !r.out().contains("\"ids\":[0,0"), r.out());
        Files.writeString(messages, "[{\"content\":\"no role\"}]");
        r = CliRun.of("tokenize", "--model", qwen.toString(), "--chat", messages.toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("message 0 needs a string \"role\""), r.err());
    }

    @Test
    void chatPromptFromGgufTemplate() throws IOException {
        Path gguf = Fixtures.require("vocab/ggml-vocab-phi-3.gguf");
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        CliRun r = CliRun.of("tokenize", "--model", gguf.toString(), "--chat", messages.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("{\"prompt\":\"<s><|user|>\\nHi<|end|>\\n<|assistant|>\\n\",\"ids\":[1,32010,"), r.out());
    }
}
