package dev.nuri.text.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.NuriException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Official chat templates of real model families (test resources {@code templates/*.jinja}, provenance in
 * README.md) rendered on conversations with system prompts, multi-turn history, tools, tool calls, tool results,
 * content parts and thinking switches; plus one small template per Jinja feature or Python method that real
 * templates rely on ("jinja: ..." cases). The expected prompts in {@code cases.json} were rendered by Python's
 * jinja2 configured as Hugging Face transformers configures it ({@code make_cases.py}), not by this code.
 */
class RealTemplatesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-07T09:30:00Z"), ZoneOffset.UTC);

    @SuppressWarnings("unchecked")
    static Stream<Named<Map<String, Object>>> cases() throws IOException {
        try (InputStream in = RealTemplatesTest.class.getResourceAsStream("cases.json")) {
            List<Map<String, Object>> cases = new ObjectMapper().readValue(in, List.class);
            return cases.stream().map(c -> Named.of((String) c.get("name"), c));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void rendersAsTransformers(Map<String, Object> testCase) throws IOException {
        String file = testCase.containsKey("template") ? (String) testCase.get("template") : "snippet";
        String text = testCase.containsKey("template_text") ? (String) testCase.get("template_text")
                : resource("templates/" + file);
        Map<String, String> tokens = (Map<String, String>) testCase.get("special_tokens");
        ChatTemplate template = ChatTemplate.of(text, file, tokens.get("bos_token"), tokens.get("eos_token"))
                .withClock(CLOCK);
        List<ChatMessage> messages = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) testCase.get("messages")) {
            messages.add(message(m));
        }
        ChatRenderOptions options = new ChatRenderOptions((Boolean) testCase.get("add_generation_prompt"),
                (List<Map<String, Object>>) testCase.get("tools"), null,
                (Map<String, Object>) testCase.get("variables"));
        if (testCase.containsKey("expected_error")) {
            NuriException e = assertThrows(NuriException.class, () -> template.render(messages, options));
            assertTrue(e.getMessage().contains((String) testCase.get("expected_error")), e.getMessage());
            assertTrue(e.getMessage().contains(file), e.getMessage());
        } else {
            assertEquals(testCase.get("expected"), template.render(messages, options));
        }
    }

    @SuppressWarnings("unchecked")
    static ChatMessage message(Map<String, Object> m) {
        Map<String, Object> extra = new LinkedHashMap<>(m);
        for (String key : List.of("role", "content", "name", "tool_calls", "tool_call_id")) {
            extra.remove(key);
        }
        return new ChatMessage((String) m.get("role"), m.get("content"), (String) m.get("name"),
                (List<Map<String, Object>>) m.get("tool_calls"), (String) m.get("tool_call_id"), extra);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = RealTemplatesTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
