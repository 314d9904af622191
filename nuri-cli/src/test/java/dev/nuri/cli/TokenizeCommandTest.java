package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = NuriCommand.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

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
        Run r = run("tokenize", "--model", model.toString(), "--text", "Hello worlds!", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"ids\":[1,3,4,5,6,2],\"tokens\":[\"[CLS]\",\"hello\",\"world\",\"##s\",\"!\",\"[SEP]\"]}", r.out().strip());
        r = run("tokenize", "--model", model.toString(), "--text", "Hello", "--no-special", "--json");
        assertEquals("{\"ids\":[3],\"tokens\":[\"hello\"]}", r.out().strip());
        r = run("tokenize", "--model", model.toString(), "--text", "Hello");
        assertTrue(r.out().contains("hello") && r.out().contains("3 tokens"), r.out());
    }

    @Test
    void tokenizeManyTextsFromJsonl() throws IOException {
        Path model = tinyModel();
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, "\"hello\"\n\"world!\"\n");
        Run r = run("tokenize", "--model", model.toString(), "--input", input.toString(), "--json", "--no-special");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"ids\":[3],\"tokens\":[\"hello\"]}\n{\"ids\":[4,6],\"tokens\":[\"world\",\"!\"]}", r.out().strip());

        Files.writeString(input, "\"hello\"\n{not json\n");
        r = run("tokenize", "--model", model.toString(), "--input", input.toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 2") && r.err().contains("not valid JSON"), r.err());

        Files.writeString(input, "\"ok\"\n\"bad \\ud800 surrogate\"\n");
        r = run("tokenize", "--model", model.toString(), "--input", input.toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 2") && r.err().contains("lone high surrogate"), r.err());
    }

    @Test
    void detokenize() throws IOException {
        Path model = tinyModel();
        Run r = run("detokenize", "--model", model.toString(), "--ids", "1,3,4,5,6,2");
        assertEquals(0, r.code(), r.err());
        assertEquals("[CLS] hello worlds! [SEP]", r.out().strip());
        r = run("detokenize", "--model", model.toString(), "--ids", "1,3,4,5,6,2", "--skip-special");
        assertEquals("hello worlds!", r.out().strip());
        r = run("detokenize", "--model", model.toString(), "--ids", "3,99");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("99 is outside the vocabulary"), r.err());
    }

    @Test
    void tokenizeRealModelMatchesHuggingFace() {
        Path llama = Fixtures.require("hf/llama-tiny");
        Run r = run("tokenize", "--model", llama.toString(), "--text", "Hello world", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("{\"ids\":[0,44,73,293,83,304,265,80,72],"), r.out());
    }
}
