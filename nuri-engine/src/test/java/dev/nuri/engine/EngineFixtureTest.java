package dev.nuri.engine;

import static dev.nuri.testkit.ReferenceJson.ints;
import static dev.nuri.testkit.ReferenceJson.doubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.NuriException;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole bundle (weights + tokenizer + chat template + generator) against the Hugging Face and llama.cpp references. */
class EngineFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "qwen3-tiny", "mistral-tiny", "gemma2-tiny", "phi3-tiny", "gpt2-tiny"})
    void textInGreedyTextOutMatchesTransformers(String name) throws IOException {
        Path dir = Fixtures.require("hf/" + name);
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (Engine engine = Engine.load(dir)) {
            for (JsonNode prompt : ref.get("prompts")) {
                int[] expectedPrompt = ints(prompt.get("input_ids"));
                int[] promptIds = engine.encodePrompt(prompt.get("text").asText());
                assertArrayEquals(expectedPrompt, promptIds, name + ": prompt ids");
                GenerationResult r = engine.generator().generate(promptIds, GenerationOptions.builder()
                        .maxNewTokens(32).temperature(0).ignoreEos(true).build());
                int[] expected = ints(prompt.get("greedy_ids"));
                double[] margins = doubles(prompt.get("greedy_margins"));
                // Ids must agree up to the first step whose recorded margin is too small to decide fp32 rounding.
                int decisive = IntStream.range(0, margins.length).filter(i -> margins[i] <= 1e-3).findFirst().orElse(margins.length);
                assertArrayEquals(Arrays.copyOf(expected, decisive), Arrays.copyOf(r.tokenIds(), decisive), name + ": greedy ids");
                if (decisive == margins.length) {
                    assertEquals(prompt.get("greedy_text").asText(), r.text(), name + ": greedy text");
                }
            }
            if (ref.has("chat_prompt")) {
                List<ChatMessage> messages = new ArrayList<>();
                for (JsonNode m : ref.get("chat_messages")) {
                    messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
                }
                assertEquals(ref.get("chat_prompt").asText(), engine.renderChat(messages), name + ": chat prompt");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-F32", "stories260K-F16"})
    void ggufGreedyMatchesLlamaCpp(String name) throws IOException {
        Path file = Fixtures.require("gguf/" + name + ".gguf");
        List<String> lines = Files.readAllLines(Fixtures.require("gguf/llamacpp/" + name + ".ids.txt"));
        int[] promptIds = idsAfter(lines, "prompt_ids:");
        int[] genIds = idsAfter(lines, "gen_ids:");
        try (Engine engine = Engine.load(file)) {
            assertArrayEquals(promptIds, engine.encodePrompt("Once upon a time"));
            GenerationResult r = engine.generator().generate(promptIds,
                    GenerationOptions.builder().maxNewTokens(genIds.length).temperature(0).build());
            assertArrayEquals(genIds, r.tokenIds());
            String genText = String.join("\n", lines).replaceFirst("(?s).*gen_text: ", "");
            assertTrue(genText.startsWith(r.text().strip().substring(0, 40)), r.text());
        }
    }

    @Test
    void chatWithoutATemplateFailsClearly() {
        Path file = Fixtures.require("gguf/stories260K-F32.gguf");
        try (Engine engine = Engine.load(file)) {
            var e = assertThrows(NuriException.class, () -> engine.renderChat(List.of(ChatMessage.user("hi"))));
            assertTrue(e.getMessage().contains("has no chat template"), e.getMessage());
        }
    }

    private static int[] idsAfter(List<String> lines, String key) {
        String line = lines.stream().filter(l -> l.startsWith(key)).findFirst().orElseThrow();
        return Arrays.stream(line.substring(key.length()).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
