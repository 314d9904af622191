package dev.nuri.text.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every {@code chat_messages} → {@code chat_prompt} pair that Hugging Face transformers recorded in the fixtures. */
class ChatTemplateFixturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "qwen3-tiny", "mistral-tiny", "gemma2-tiny", "phi3-tiny"})
    @SuppressWarnings("unchecked")
    void reproducesTransformersPrompt(String model) throws IOException {
        Path folder = Fixtures.require("hf/" + model);
        Map<String, Object> reference = new ObjectMapper().readValue(folder.resolve("reference.json").toFile(), Map.class);
        List<ChatMessage> messages = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) reference.get("chat_messages")) {
            messages.add(new ChatMessage((String) m.get("role"), (String) m.get("content")));
        }
        ChatTemplate template = ChatTemplate.fromHuggingFace(folder).orElseThrow();
        assertTrue(template.source().endsWith("chat_template.jinja"), template.source());
        assertEquals(reference.get("chat_prompt"), template.render(messages, true));
    }
}
