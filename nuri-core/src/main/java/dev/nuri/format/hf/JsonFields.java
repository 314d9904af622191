package dev.nuri.format.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.format.ModelFormatException;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of one JSON object's fields, failing with messages that name the source, key and problem. */
final class JsonFields {
    private final ObjectNode node;
    private final String source;

    JsonFields(ObjectNode node, String source) {
        this.node = node;
        this.source = source;
    }

    /** The value, or null when the key is absent or JSON null. */
    JsonNode get(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    ModelFormatException missing(String key) {
        return new ModelFormatException(source + ": '" + key + "' is missing");
    }

    ModelFormatException wrong(String key, JsonNode v, String wanted) {
        return new ModelFormatException(source + ": '" + key + "' is " + HfJson.show(v) + ", not " + wanted);
    }

    Integer intOrNull(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrong(key, v, "an integer");
        }
        return v.intValue();
    }

    Long longOrNull(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrong(key, v, "an integer");
        }
        return v.longValue();
    }

    Double doubleOrNull(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrong(key, v, "a number");
        }
        return v.doubleValue();
    }

    String stringOrNull(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrong(key, v, "a string");
        }
        return v.textValue();
    }

    Boolean booleanOrNull(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrong(key, v, "true or false");
        }
        return v.booleanValue();
    }

    /** An integer or a list of integers (as {@code eos_token_id} may be); empty when absent. */
    List<Integer> intList(String key) {
        JsonNode v = get(key);
        List<Integer> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw wrong(key, v, "an integer or a list of integers");
                }
                out.add(e.intValue());
            }
            return out;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrong(key, v, "an integer or a list of integers");
        }
        out.add(v.intValue());
        return out;
    }

    List<Double> doubleList(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrong(key, v, "a list of numbers");
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isNumber()) {
                throw wrong(key, v, "a list of numbers");
            }
            out.add(e.doubleValue());
        }
        return List.copyOf(out);
    }

    List<String> stringList(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw wrong(key, v, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw wrong(key, v, "a list of strings");
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }
}
