package dev.nuri.text.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only values a chat template ever sees: strings, numbers, booleans, null, and lists and string-keyed maps of
 * those (what JSON holds). Copies are taken so that no caller object, and no Java method, is reachable from a
 * template.
 */
final class TemplateValues {

    private TemplateValues() {
    }

    @SuppressWarnings("unchecked")
    static <T> T copy(T value, String where) {
        return (T) copyValue(value, where, 0);
    }

    private static Object copyValue(Object value, String where, int depth) {
        if (depth > 64) {
            throw new IllegalArgumentException(where + ": nested deeper than 64 levels");
        }
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Double d -> d;
            case Float f -> f.doubleValue();
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            case java.math.BigInteger b -> b;
            case java.math.BigDecimal b -> b.doubleValue();
            case Map<?, ?> map -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException(where + ": map keys must be strings, got " + e.getKey());
                    }
                    copy.put(key, copyValue(e.getValue(), where + "." + key, depth + 1));
                }
                yield Collections.unmodifiableMap(copy);
            }
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    copy.add(copyValue(list.get(i), where + "[" + i + "]", depth + 1));
                }
                yield Collections.unmodifiableList(copy);
            }
            default -> throw new IllegalArgumentException(where + ": chat templates accept only JSON-like values "
                    + "(string, number, boolean, null, list, map), got " + value.getClass().getName());
        };
    }
}
