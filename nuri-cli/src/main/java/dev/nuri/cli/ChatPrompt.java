package dev.nuri.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.NuriException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.chat.ChatMessage;
import dev.nuri.text.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A conversation rendered with the model's chat template (generation prompt appended) and its ids. As Hugging
 * Face's {@code apply_chat_template(tokenize=True)} does, the rendered text is tokenized without adding special
 * tokens (the template writes BOS itself where the model wants it) and special tokens written in it are parsed as
 * special tokens. For a GGUF model whose vocabulary asks for BOS ({@code add_bos_token}) and whose template did not
 * write it, BOS is put in front, as llama.cpp does.
 */
record ChatPrompt(String text, int[] ids) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ChatPrompt render(Path model, Tokenizer tokenizer, Path messagesFile) {
        List<ChatMessage> messages = readMessages(messagesFile);
        ChatTemplate template = template(model, tokenizer);
        String prompt = template.render(messages, true);
        return new ChatPrompt(prompt, ChatTemplate.tokenize(prompt, tokenizer));
    }

    private static ChatTemplate template(Path model, Tokenizer tokenizer) {
        if (Files.isDirectory(model)) {
            return ChatTemplate.fromHuggingFace(model)
                    .orElseThrow(() -> new NuriException(model + ": the model has no chat template "
                            + "(no chat_template.jinja, chat_template.json or chat_template in tokenizer_config.json)"));
        }
        if (model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) {
            try (GgufFile gguf = GgufFile.open(model)) {
                return ChatTemplate.fromGguf(gguf, tokenizer)
                        .orElseThrow(() -> new NuriException(model + ": the model has no chat template "
                                + "(metadata key 'tokenizer.chat_template' is missing)"));
            }
        }
        return ChatTemplate.fromHuggingFace(model.toAbsolutePath().getParent())
                .orElseThrow(() -> new NuriException(model + ": no chat template beside this tokenizer"));
    }

    /** A JSON array of messages, or an object with a "messages" array. */
    static List<ChatMessage> readMessages(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new NuriException(file + ": malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new NuriException(file + ": cannot read: " + e.getMessage());
        }
        JsonNode array = root != null && root.isObject() ? root.get("messages") : root;
        if (array == null || !array.isArray()) {
            throw new NuriException(file + ": expected a JSON array of messages (or {\"messages\": [...]})");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new NuriException(file + ": message " + i + " needs a string \"role\"");
            }
            Map<String, Object> fields = JSON.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() { });
            String role = (String) fields.remove("role");
            Object content = fields.remove("content");
            Object name = fields.remove("name");
            Object toolCalls = fields.remove("tool_calls");
            Object toolCallId = fields.remove("tool_call_id");
            try {
                messages.add(new ChatMessage(role, content, name instanceof String n ? n : null,
                        toolCalls instanceof List<?> ? castList(toolCalls) : null,
                        toolCallId instanceof String t ? t : null, fields));
            } catch (IllegalArgumentException e) {
                throw new NuriException(file + ": message " + i + ": " + e.getMessage());
            }
        }
        return messages;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> castList(Object list) {
        for (Object o : (List<?>) list) {
            if (!(o instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("tool_calls must be a list of objects");
            }
        }
        return (List<Map<String, Object>>) list;
    }
}
