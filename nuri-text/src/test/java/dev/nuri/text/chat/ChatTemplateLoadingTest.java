package dev.nuri.text.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a Hugging Face folder keeps its template and special tokens, in the layouts real downloads have. */
class ChatTemplateLoadingTest {

    @TempDir
    Path dir;

    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final List<Map<String, Object>> TOOLS = List.of(Map.of("type", "function",
            "function", Map.of("name", "f")));

    @Test
    void templateInsideTokenizerConfigWithAddedTokenObjects() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": "</s>", "pad_token": null,
                 "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}{{ eos_token }}"}
                """);
        ChatTemplate t = ChatTemplate.fromHuggingFace(dir).orElseThrow();
        assertEquals(Optional.of("<s>"), t.bosToken());
        assertEquals(Optional.of("</s>"), t.eosToken());
        assertEquals("<s>[hi]</s>", t.render(HI, true));
        assertTrue(t.source().endsWith("tokenizer_config.json (chat_template)"), t.source());
    }

    @Test
    void namedTemplatesPickToolUseWhenToolsAreGiven() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "default", "template": "D{{ messages|length }}"},
                                   {"name": "tool_use", "template": "T{{ tools|length }}"},
                                   {"name": "rag", "template": "R"}]}
                """);
        ChatTemplate t = ChatTemplate.fromHuggingFace(dir).orElseThrow();
        assertEquals(List.of("default", "tool_use", "rag"), t.names());
        assertEquals("D1", t.render(HI, true));
        assertEquals("T1", t.render(HI, ChatRenderOptions.of(true).withTools(TOOLS)));
        assertEquals("R", t.render(HI, ChatRenderOptions.of(true).withTemplateName("rag")));
        NuriException e = assertThrows(NuriException.class,
                () -> t.render(HI, ChatRenderOptions.of(true).withTemplateName("nope")));
        assertTrue(e.getMessage().contains("no template named 'nope'"), e.getMessage());
    }

    @Test
    void chatTemplateJinjaWinsOverTokenizerConfig() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"eos_token": "<e>", "chat_template": "old"}
                """);
        Files.writeString(dir.resolve("chat_template.jinja"), "new{{ eos_token }}{{ bos_token }}");
        Files.createDirectories(dir.resolve("additional_chat_templates"));
        Files.writeString(dir.resolve("additional_chat_templates/tool_use.jinja"), "tools!");
        ChatTemplate t = ChatTemplate.fromHuggingFace(dir).orElseThrow();
        assertEquals("new<e>", t.render(HI, false));  // no bos_token in the config: undefined renders empty
        assertEquals("tools!", t.render(HI, ChatRenderOptions.of(false).withTools(TOOLS)));
    }

    @Test
    void folderWithoutTemplate() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertEquals(Optional.empty(), ChatTemplate.fromHuggingFace(dir));
        assertEquals(Optional.empty(), ChatTemplate.fromHuggingFace(dir.resolve("missing")));
    }

    @Test
    void malformedFilesAreNamed() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ");
        NuriException e = assertThrows(NuriException.class, () -> ChatTemplate.fromHuggingFace(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json") && e.getMessage().contains("malformed JSON"),
                e.getMessage());

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");
        e = assertThrows(NuriException.class, () -> ChatTemplate.fromHuggingFace(dir));
        assertTrue(e.getMessage().contains("chat_template must be a string"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"x\", \"bos_token\": 7}");
        e = assertThrows(NuriException.class, () -> ChatTemplate.fromHuggingFace(dir));
        assertTrue(e.getMessage().contains("bos_token must be a string"), e.getMessage());
    }

    @Test
    void ggufStyleTemplateString() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}{{ messages[0].content }}", "model.gguf", "<|bos|>", null);
        assertEquals("<|bos|>hi", t.render(HI, true));
        assertEquals("model.gguf", t.source());
        assertThrows(NuriException.class, () -> ChatTemplate.of("", "model.gguf", null, null));
    }

    @Test
    void variablesOverrideSpecialTokensAndReachTheTemplate() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}|{{ enable_thinking }}|{{ custom }}", "t", "<s>", null);
        String out = t.render(HI, ChatRenderOptions.of(true).with("bos_token", "B").withEnableThinking(false)
                .with("custom", "c"));
        assertEquals("B|False|c", out);  // printed as Python prints False
        assertThrows(IllegalArgumentException.class, () -> ChatRenderOptions.of(true).with("messages", List.of()));
    }

    @Test
    void messageFieldsAreOmittedWhenAbsent() {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{{ 'tool_calls' in m }}{{ m.name }}"
                + "{{ m.tool_call_id }}{{ m.reasoning_content }};{% endfor %}", "t", null, null);
        List<ChatMessage> messages = List.of(
                ChatMessage.user("a"),
                new ChatMessage("user", "b", "bob", null, null, null),
                ChatMessage.assistantToolCalls(null, List.of(Map.of("type", "function"))),
                ChatMessage.tool("r", "call1"),
                ChatMessage.assistant("x").withExtra("reasoning_content", "why"));
        assertEquals("False;Falsebob;True;Falsecall1;Falsewhy;", t.render(messages, false));
    }

    @Test
    void contentPartsText() {
        ChatMessage m = new ChatMessage("user", List.of(Map.of("type", "image"),
                Map.of("type", "text", "text", "a"), Map.of("type", "text", "text", "b")), null, null, null, null);
        assertEquals("ab", m.text());
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("user", List.of("not a map"), null, null,
                null, null));
    }
}
