package dev.nuri.text.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One chat turn as Hugging Face chat templates see it: a dict with {@code role} and {@code content}, plus
 * {@code name}, {@code tool_calls} and {@code tool_call_id} where set, plus any {@code extra} fields a template
 * reads (for example {@code reasoning_content} for Qwen3). {@code content} is a string, a list of parts
 * ({@code [{"type": "text", "text": "..."}, {"type": "image"}]}) for templates that iterate parts, or null.
 * Absent optional fields are left out of the dict, so {@code 'tool_calls' in message} works as in Python.
 */
public record ChatMessage(String role, Object content, String name, List<Map<String, Object>> toolCalls,
                          String toolCallId, Map<String, Object> extra) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("chat message role must be a non-empty string");
        }
        if (content != null && !(content instanceof String) && !(content instanceof List<?>)) {
            throw new IllegalArgumentException("chat message content must be a string, a list of parts or null, got "
                    + content.getClass().getSimpleName());
        }
        if (content instanceof List<?> parts) {
            for (Object part : parts) {
                if (!(part instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException("chat message content parts must be maps like "
                            + "{\"type\": \"text\", \"text\": \"...\"}");
                }
            }
            content = TemplateValues.copy(parts, "content");
        }
        toolCalls = toolCalls == null ? null : TemplateValues.copy(toolCalls, "tool_calls");
        extra = extra == null ? Map.of() : TemplateValues.copy(extra, "extra");
        for (String reserved : List.of("role", "content", "name", "tool_calls", "tool_call_id")) {
            if (extra.containsKey(reserved)) {
                throw new IllegalArgumentException("chat message extra field '" + reserved
                        + "' duplicates a record component");
            }
        }
    }

    public ChatMessage(String role, String content) {
        this(role, content, null, null, null, null);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** An assistant turn that calls tools; each call is {@code {"type": "function", "function": {"name", "arguments"}}}. */
    public static ChatMessage assistantToolCalls(String content, List<Map<String, Object>> toolCalls) {
        return new ChatMessage("assistant", content, null, Objects.requireNonNull(toolCalls, "toolCalls"), null, null);
    }

    /** A tool result. */
    public static ChatMessage tool(String content, String toolCallId) {
        return new ChatMessage("tool", content, null, null, toolCallId, null);
    }

    public ChatMessage withExtra(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extra);
        more.put(key, value);
        return new ChatMessage(role, content, name, toolCalls, toolCallId, more);
    }

    /** The content when it is a string; the concatenated text parts when it is a list; "" for null. */
    public String text() {
        if (content instanceof String s) {
            return s;
        }
        StringBuilder text = new StringBuilder();
        if (content instanceof List<?> parts) {
            for (Object part : parts) {
                if (part instanceof Map<?, ?> map && "text".equals(map.get("type")) && map.get("text") != null) {
                    text.append(map.get("text"));
                }
            }
        }
        return text.toString();
    }

    /** The dict a template sees as {@code message}. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role);
        map.put("content", content);
        if (name != null) {
            map.put("name", name);
        }
        if (toolCalls != null) {
            map.put("tool_calls", toolCalls);
        }
        if (toolCallId != null) {
            map.put("tool_call_id", toolCallId);
        }
        map.putAll(extra);
        return map;
    }
}
