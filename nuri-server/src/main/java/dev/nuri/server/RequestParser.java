package dev.nuri.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.NuriException;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.text.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads OpenAI request bodies into Nuri's types, checking every field the way OpenAI does (type and range, with the
 * field named in {@code param}). Fields that change the output and that Nuri does not implement
 * ({@code response_format} other than text, {@code tools}, {@code logit_bias}, ...) are refused with a 400 rather than
 * silently ignored. Besides OpenAI's fields, {@code top_k}, {@code min_p} and {@code repetition_penalty} are
 * accepted as llama-server and vLLM accept them.
 */
final class RequestParser {
    /** OpenAI accepts at most 4 stop sequences. */
    static final int MAX_STOP = 4;
    static final int MAX_N = 16;

    private final ObjectMapper mapper;

    RequestParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.invalid(null, "the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.invalid(null, "the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "malformed JSON in the request body: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "could not read the request body: " + e.getMessage());
        }
    }

    /** The chat messages of a chat completion request. */
    List<ChatMessage> messages(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.invalid(param, param + " must be an object with 'role' and 'content'");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || role.asText().isBlank()) {
                throw ApiException.invalid(param + ".role", param + ".role must be a non-empty string");
            }
            if (m.has("tool_calls") || "tool".equals(role.asText()) || "function".equals(role.asText())) {
                throw ApiException.unsupported(param, "tool calls and tool messages are not supported yet");
            }
            out.add(new ChatMessage(role.asText(), content(m.get("content"), param + ".content")));
        }
        return out;
    }

    private static String content(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode type = part.get("type");
                if (type == null || !"text".equals(type.asText()) || !part.path("text").isTextual()) {
                    throw ApiException.unsupported(param, param + ": only text parts ({\"type\": \"text\", \"text\": ...}) "
                            + "are supported; got " + (type == null ? "a part without a type" : "type " + type));
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiException.invalid(param, param + " must be a string or an array of text parts");
    }

    /**
     * The generation options of a chat or completion request. {@code defaultMaxTokens} applies when neither
     * {@code max_tokens} nor {@code max_completion_tokens} is given (OpenAI: 16 for completions, the rest of the
     * context for chat).
     */
    GenerationOptions options(JsonNode body, int defaultMaxTokens, boolean chat) {
        refuseUnsupported(body, chat);
        GenerationOptions.Builder b = GenerationOptions.builder();
        Integer maxTokens = integer(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = integer(body, "max_tokens", 1, Integer.MAX_VALUE);
        }
        b.maxNewTokens(maxTokens != null ? maxTokens : Math.max(1, defaultMaxTokens));
        b.temperature(number(body, "temperature", 0, 2, 1));
        b.topP(number(body, "top_p", 0, 1, 1) == 0 ? Double.MIN_NORMAL : number(body, "top_p", 0, 1, 1));
        Integer topK = integer(body, "top_k", -1, Integer.MAX_VALUE);
        b.topK(topK == null || topK < 0 ? 0 : topK);
        b.minP(number(body, "min_p", 0, 1, 0));
        b.repetitionPenalty(number(body, "repetition_penalty", Double.MIN_VALUE, 100, 1));
        b.presencePenalty(number(body, "presence_penalty", -2, 2, 0));
        b.frequencyPenalty(number(body, "frequency_penalty", -2, 2, 0));
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.canConvertToLong() || !seed.isIntegralNumber()) {
                throw ApiException.invalid("seed", "'seed' must be an integer");
            }
            b.seed(seed.asLong());
        }
        b.stopStrings(stop(body));
        if (chat) {
            boolean logprobs = bool(body, "logprobs", false);
            Integer top = integer(body, "top_logprobs", 0, GenerationOptions.MAX_TOP_LOGPROBS);
            if (top != null && top > 0 && !logprobs) {
                throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
            }
            b.logprobs(logprobs);
            if (logprobs) {
                b.logprobs(top == null ? 0 : top);
            }
        } else {
            Integer top = integer(body, "logprobs", 0, 5);
            if (top != null) {
                b.logprobs(top);
            }
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw ApiException.invalid("user", "'user' must be a string");
        }
        try {
            return b.build();
        } catch (NuriException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
    }

    /** How many choices to generate ({@code n}, 1 by default). */
    int n(JsonNode body) {
        Integer n = integer(body, "n", 1, MAX_N);
        return n == null ? 1 : n;
    }

    boolean stream(JsonNode body) {
        return bool(body, "stream", false);
    }

    boolean includeUsage(JsonNode body) {
        JsonNode options = body.get("stream_options");
        if (options == null || options.isNull()) {
            return false;
        }
        if (!options.isObject()) {
            throw ApiException.invalid("stream_options", "'stream_options' must be an object");
        }
        if (!stream(body)) {
            throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
        }
        return bool(options, "include_usage", false);
    }

    private static void refuseUnsupported(JsonNode body, boolean chat) {
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull()) {
            String type = format.path("type").asText("");
            if (!type.equals("text")) {
                throw ApiException.unsupported("response_format", "response_format of type '" + type
                        + "' (constrained JSON output) is not supported yet; only {\"type\": \"text\"}");
            }
        }
        for (String field : List.of("tools", "functions", "logit_bias", "audio", "prediction")) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw ApiException.unsupported(field, "'" + field + "' is not supported yet");
            }
        }
        JsonNode toolChoice = body.get("tool_choice");
        if (toolChoice != null && !toolChoice.isNull() && !"none".equals(toolChoice.asText())) {
            throw ApiException.unsupported("tool_choice", "'tool_choice' is not supported yet (tools are not supported)");
        }
        if (!chat) {
            if (bool(body, "echo", false)) {
                throw ApiException.unsupported("echo", "'echo' is not supported yet");
            }
            JsonNode suffix = body.get("suffix");
            if (suffix != null && !suffix.isNull()) {
                throw ApiException.unsupported("suffix", "'suffix' (insertion) is not supported yet");
            }
            Integer bestOf = integer(body, "best_of", 1, MAX_N);
            if (bestOf != null && bestOf != 1) {
                throw ApiException.unsupported("best_of", "'best_of' other than 1 is not supported yet");
            }
        }
    }

    private static List<String> stop(JsonNode body) {
        JsonNode stop = body.get("stop");
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.invalid("stop", "'stop' must be a string or an array of strings");
                }
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "'stop' must be a string or an array of strings");
        }
        if (out.size() > MAX_STOP) {
            throw ApiException.invalid("stop", "'stop' holds at most " + MAX_STOP + " sequences, got " + out.size());
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalid("stop", "'stop' sequences must not be empty");
        }
        return out;
    }

    static Integer integer(JsonNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.invalid(field, "'" + field + "' must be an integer, got " + v);
        }
        int value = v.asInt();
        if (value < min || value > max) {
            throw ApiException.invalid(field, "'" + field + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    static double number(JsonNode body, String field, double min, double max, double fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiException.invalid(field, "'" + field + "' must be a number, got " + v);
        }
        double value = v.asDouble();
        if (!(value >= min && value <= max)) {
            throw ApiException.invalid(field, "'" + field + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    static boolean bool(JsonNode body, String field, boolean fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field, "'" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }
}
