package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.testkit.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChatCommandTest {

    @Test
    void slashCommandsAndTurnsWork() {
        Path dir = Fixtures.require("hf/qwen2-tiny");
        String input = "/set temperature 0\n안녕?\n/set top_p 2\n/set nothing 1\n/system Be brief.\nWhat is RAG?\n/reset\n/exit\n";
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            CliRun r = CliRun.of("chat", "--model", dir.toString(), "--max-tokens", "6");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("(temperature = 0)"), r.out());
            assertTrue(r.out().contains("got 2.0 (unchanged)"), "an invalid value is reported and not kept: " + r.out());
            assertTrue(r.out().contains("unknown setting nothing"), r.out());
            assertTrue(r.out().contains("(system message set; conversation cleared)"), r.out());
            assertTrue(r.out().contains("(conversation cleared)"), r.out());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void longConversationsDropTheOldestTurns() {
        Path dir = Fixtures.require("hf/qwen2-tiny");
        // Each question is long; with a 6-token reply budget the tiny model's context fills after a few turns.
        String question = "Tell me a story about a language model. ".repeat(10);
        StringBuilder input = new StringBuilder("/set temperature 0\n");
        for (int i = 0; i < 6; i++) {
            input.append(question).append('\n');
        }
        input.append(question.repeat(8)).append('\n'); // alone longer than the context: reported, the chat goes on
        input.append("still here?\n");
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(input.append("/exit\n").toString().getBytes(StandardCharsets.UTF_8)));
        try {
            CliRun r = CliRun.of("chat", "--model", dir.toString(), "--max-tokens", "6");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("oldest messages to stay within the context"), r.out());
            assertTrue(r.out().contains("nuri: the sequence would need"), r.out());
        } finally {
            System.setIn(old);
        }
    }
}
