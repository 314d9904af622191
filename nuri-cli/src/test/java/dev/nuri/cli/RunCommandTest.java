package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.testkit.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonOutputHasPromptIdsNewIdsTextAndFinishReason() throws Exception {
        Path dir = Fixtures.require("hf/llama-tiny");
        JsonNode prompt = JSON.readTree(dir.resolve("reference.json").toFile()).get("prompts").get(0);
        CliRun r = CliRun.of("run", "--model", dir.toString(), "--prompt", prompt.get("text").asText(),
                "--temperature", "0", "--max-tokens", "32", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(prompt.get("input_ids"), out.get("prompt_ids"));
        assertEquals(prompt.get("greedy_ids"), out.get("ids"));
        assertEquals(prompt.get("greedy_text").asText(), out.get("text").asText());
        assertEquals("length", out.get("finish_reason").asText());
    }

    @Test
    void chatStreamsAReplyThroughTheTemplate() throws Exception {
        Path dir = Fixtures.require("hf/qwen2-tiny");
        CliRun r = CliRun.of("run", "--model", dir.toString(), "--chat", "--system", "Be brief.", "--prompt", "안녕?",
                "--max-tokens", "8", "--seed", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("\n"), r.out());
        CliRun again = CliRun.of("run", "--model", dir.toString(), "--chat", "--system", "Be brief.", "--prompt", "안녕?",
                "--max-tokens", "8", "--seed", "1");
        assertEquals(r.out(), again.out(), "the same seed gives the same text");
    }

    @Test
    void t5FolderAnswersThePromptAsItsInput() throws Exception {
        Path dir = Fixtures.require("hf/t5-tiny");
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        JsonNode prompt = ref.get("prompts").get(0);
        // transformers' greedy ids start with the decoder start token, which is not generated
        JsonNode greedy = prompt.get("greedy_ids");
        CliRun r = CliRun.of("run", "--model", dir.toString(), "--prompt", prompt.get("text").asText(),
                "--temperature", "0", "--max-tokens", String.valueOf(greedy.size() - 1), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(prompt.get("input_ids"), out.get("prompt_ids"));
        for (int i = 1; i < greedy.size(); i++) {
            assertEquals(greedy.get(i).asInt(), out.get("ids").get(i - 1).asInt(), "id " + i);
        }
        CliRun chat = CliRun.of("run", "--model", dir.toString(), "--prompt", "hi", "--chat");
        assertEquals(1, chat.code());
        assertTrue(chat.err().contains("encoder-decoder (T5)"), chat.err());
    }

    @Test
    void badInputGetsOneLineErrors() {
        CliRun missing = CliRun.of("run", "--model", "/no/such/model", "--prompt", "hi");
        assertEquals(1, missing.code());
        assertEquals("nuri: no such model file or folder: /no/such/model", missing.err().strip());
        Path dir = Fixtures.require("hf/llama-tiny");
        CliRun badTemp = CliRun.of("run", "--model", dir.toString(), "--prompt", "hi", "--temperature", "-1");
        assertEquals(1, badTemp.code());
        assertTrue(badTemp.err().startsWith("nuri: ") && badTemp.err().contains("temperature"), badTemp.err());
        CliRun systemWithoutChat = CliRun.of("run", "--model", dir.toString(), "--prompt", "hi", "--system", "x");
        assertEquals(1, systemWithoutChat.code());
        assertEquals("nuri: --system needs --chat", systemWithoutChat.err().strip());
    }
}
