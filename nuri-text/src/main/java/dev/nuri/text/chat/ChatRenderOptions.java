package dev.nuri.text.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to render a conversation, mirroring the arguments of Hugging Face's {@code apply_chat_template}:
 * {@code add_generation_prompt}; {@code tools} (JSON-schema function definitions such as
 * {@code {"type": "function", "function": {"name", "description", "parameters"}}}), or null for none;
 * {@code templateName}, to pick one of several named templates (null: "tool_use" when tools are given and the
 * model has one, else "default"); and extra template {@code variables} such as {@code enable_thinking},
 * {@code date_string} or an overriding {@code bos_token}.
 */
public record ChatRenderOptions(boolean addGenerationPrompt, List<Map<String, Object>> tools, String templateName,
                                Map<String, Object> variables) {

    public ChatRenderOptions {
        tools = tools == null ? null : TemplateValues.copy(tools, "tools");
        variables = variables == null ? Map.of() : TemplateValues.copy(variables, "variables");
        for (String reserved : List.of("messages", "tools", "add_generation_prompt")) {
            if (variables.containsKey(reserved)) {
                throw new IllegalArgumentException("template variable '" + reserved
                        + "' is set by the render itself; pass it through its own option");
            }
        }
    }

    public static ChatRenderOptions of(boolean addGenerationPrompt) {
        return new ChatRenderOptions(addGenerationPrompt, null, null, null);
    }

    public ChatRenderOptions withTools(List<Map<String, Object>> newTools) {
        return new ChatRenderOptions(addGenerationPrompt, newTools, templateName, variables);
    }

    public ChatRenderOptions withTemplateName(String name) {
        return new ChatRenderOptions(addGenerationPrompt, tools, name, variables);
    }

    public ChatRenderOptions with(String variable, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(variables);
        more.put(variable, value);
        return new ChatRenderOptions(addGenerationPrompt, tools, templateName, more);
    }

    /** Qwen3-style thinking switch: templates read {@code enable_thinking}. */
    public ChatRenderOptions withEnableThinking(boolean enable) {
        return with("enable_thinking", enable);
    }
}
