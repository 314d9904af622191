package dev.nuri.text.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Python methods of {@code str}, {@code dict} and {@code list} that real chat templates call
 * ({@code content.strip()}, {@code message.get('x')}, {@code tool.items()}, ...), with Python's semantics.
 * Only read-only methods exist here: Hugging Face renders templates in Jinja's immutable sandbox, where
 * {@code list.append} and {@code dict.update} are refused too. Anything not listed is "no such method".
 */
final class PythonMethods {

    private PythonMethods() {
    }

    /** Sentinel for "this type has no such method". */
    static final Object NO_SUCH_METHOD = new Object();

    static Object call(Object base, String method, Object[] args) {
        Object[] a = args == null ? new Object[0] : args;
        if (base instanceof CharSequence s) {
            return stringMethod(s.toString(), method, a);
        }
        if (base instanceof Map<?, ?> map) {
            return mapMethod(map, method, a);
        }
        if (base instanceof List<?> list) {
            return listMethod(list, method, a);
        }
        return NO_SUCH_METHOD;
    }

    private static Object stringMethod(String s, String method, Object[] a) {
        return switch (method) {
            case "strip" -> strip(s, arity(a, 0, 1) == 0 ? null : a[0], true, true);
            case "lstrip" -> strip(s, arity(a, 0, 1) == 0 ? null : a[0], true, false);
            case "rstrip" -> strip(s, arity(a, 0, 1) == 0 ? null : a[0], false, true);
            case "split" -> split(s, a);
            case "rsplit" -> rsplit(s, a);
            case "splitlines" -> { arity(a, 0, 0); yield List.copyOf(s.lines().toList()); }
            case "startswith" -> { arity(a, 1, 1); yield matchesAffix(s, a[0], true); }
            case "endswith" -> { arity(a, 1, 1); yield matchesAffix(s, a[0], false); }
            case "upper" -> { arity(a, 0, 0); yield s.toUpperCase(Locale.ROOT); }
            case "lower" -> { arity(a, 0, 0); yield s.toLowerCase(Locale.ROOT); }
            case "title" -> { arity(a, 0, 0); yield title(s); }
            case "capitalize" -> { arity(a, 0, 0); yield s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT); }
            case "replace" -> replace(s, a);
            case "find" -> { arity(a, 1, 1); yield s.indexOf(str(a[0])); }
            case "rfind" -> { arity(a, 1, 1); yield s.lastIndexOf(str(a[0])); }
            case "count" -> { arity(a, 1, 1); yield count(s, str(a[0])); }
            case "join" -> { arity(a, 1, 1); yield join(s, a[0]); }
            case "isspace" -> { arity(a, 0, 0); yield !s.isEmpty() && s.chars().allMatch(PythonMethods::isSpace); }
            case "isdigit" -> { arity(a, 0, 0); yield !s.isEmpty() && s.chars().allMatch(Character::isDigit); }
            case "isalpha" -> { arity(a, 0, 0); yield !s.isEmpty() && s.chars().allMatch(Character::isLetter); }
            case "isalnum" -> { arity(a, 0, 0); yield !s.isEmpty() && s.chars().allMatch(Character::isLetterOrDigit); }
            case "islower" -> { arity(a, 0, 0); yield s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT)); }
            case "isupper" -> { arity(a, 0, 0); yield s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT)); }
            case "format" -> format(s, a);
            default -> NO_SUCH_METHOD;
        };
    }

    /** Python's {@code s[i]}, negative indexes counting from the end; null (undefined) when out of range. */
    static String charAt(String s, long index) {
        long i = index < 0 ? s.length() + index : index;
        return i >= 0 && i < s.length() ? String.valueOf(s.charAt((int) i)) : null;
    }

    private static Object mapMethod(Map<?, ?> map, String method, Object[] a) {
        return switch (method) {
            case "items" -> {
                arity(a, 0, 0);
                List<Object> items = new ArrayList<>();
                map.forEach((k, v) -> items.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
                yield items;
            }
            case "keys" -> { arity(a, 0, 0); yield new ArrayList<>(map.keySet()); }
            case "values" -> { arity(a, 0, 0); yield new ArrayList<>(map.values()); }
            case "get" -> {
                arity(a, 1, 2);
                Object v = map.get(a[0]);
                yield v != null || map.containsKey(a[0]) ? v : (a.length > 1 ? a[1] : null);
            }
            default -> NO_SUCH_METHOD;
        };
    }

    private static Object listMethod(List<?> list, String method, Object[] a) {
        return switch (method) {
            case "index" -> {
                arity(a, 1, 1);
                int i = list.indexOf(a[0]);
                if (i < 0) {
                    throw new IllegalArgumentException("list.index(x): x not in list");
                }
                yield i;
            }
            case "count" -> { arity(a, 1, 1); yield (int) list.stream().filter(x -> java.util.Objects.equals(x, a[0])).count(); }
            default -> NO_SUCH_METHOD;
        };
    }

    private static int arity(Object[] a, int min, int max) {
        if (a.length < min || a.length > max) {
            throw new IllegalArgumentException("expected " + (min == max ? min : min + " to " + max)
                    + " arguments, got " + a.length);
        }
        return a.length;
    }

    private static String str(Object o) {
        if (!(o instanceof CharSequence)) {
            throw new IllegalArgumentException("expected a string argument, got " + PythonCompat.typeName(o));
        }
        return o.toString();
    }

    /** Python's strip family: without {@code chars}, strips what Python's {@code str.isspace()} calls space. */
    static String strip(String s, Object chars, boolean left, boolean right) {
        String set = chars == null ? null : str(chars);
        int start = 0;
        int end = s.length();
        while (left && start < end && strippable(s.charAt(start), set)) {
            start++;
        }
        while (right && end > start && strippable(s.charAt(end - 1), set)) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean strippable(char c, String set) {
        return set == null ? isSpace(c) : set.indexOf(c) >= 0;
    }

    /** Python's {@code str.isspace()} for one character (Java's isWhitespace misses U+00A0, U+0085 and others). */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }

    private static boolean matchesAffix(String s, Object affix, boolean prefix) {
        if (affix instanceof Collection<?> options) {  // Python accepts a tuple of prefixes
            for (Object o : options) {
                if (matchesAffix(s, o, prefix)) {
                    return true;
                }
            }
            return false;
        }
        String x = str(affix);
        return prefix ? s.startsWith(x) : s.endsWith(x);
    }

    /** {@code str.split(sep=None, maxsplit=-1)}: no separator splits on whitespace runs and drops empty pieces. */
    private static List<String> split(String s, Object[] a) {
        arity(a, 0, 2);
        String sep = a.length > 0 && a[0] != null ? str(a[0]) : null;
        int maxSplit = a.length > 1 ? ((Number) a[1]).intValue() : -1;
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split: empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static List<String> rsplit(String s, Object[] a) {
        arity(a, 0, 2);
        int maxSplit = a.length > 1 ? ((Number) a[1]).intValue() : -1;
        if (maxSplit < 0 || a.length == 0 || a[0] == null) {
            if (maxSplit >= 0) {
                throw new IllegalArgumentException("rsplit: maxsplit without a separator is not supported");
            }
            return split(s, a);
        }
        String sep = str(a[0]);
        List<String> parts = new ArrayList<>();
        int end = s.length();
        int at;
        while (parts.size() < maxSplit && (at = s.lastIndexOf(sep, end - sep.length())) >= 0 && end - sep.length() >= 0) {
            parts.addFirst(s.substring(at + sep.length(), end));
            end = at;
        }
        parts.addFirst(s.substring(0, end));
        return parts;
    }

    private static String replace(String s, Object[] a) {
        arity(a, 2, 3);
        String old = str(a[0]);
        String by = str(a[1]);
        int count = a.length > 2 ? ((Number) a[2]).intValue() : -1;
        if (count < 0) {
            return s.replace(old, by);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int done = 0; done < count; done++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(by);
            from = at + Math.max(old.length(), 0);
            if (old.isEmpty()) {  // Python inserts between characters for an empty pattern
                if (from < s.length()) {
                    out.append(s.charAt(from));
                }
                from++;
            }
        }
        if (from <= s.length()) {
            out.append(s.substring(Math.min(from, s.length())));
        }
        return out.toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        if (!(items instanceof Collection<?> c)) {
            throw new IllegalArgumentException("join: expected a list, got " + PythonCompat.typeName(items));
        }
        List<String> parts = new ArrayList<>();
        for (Object o : c) {
            parts.add(str(o));
        }
        return String.join(sep, parts);
    }

    /** Python's {@code str.title()}: a letter after a non-letter is upper-cased, other letters lower-cased. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousIsLetter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = Character.isLetter(c);
            out.append(letter ? (previousIsLetter ? Character.toLowerCase(c) : Character.toTitleCase(c)) : c);
            previousIsLetter = letter;
        }
        return out.toString();
    }

    private static final Pattern FIELD = Pattern.compile("\\{\\{|}}|\\{([^{}]*)}");

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    private static String format(String s, Object[] a) {
        List<Object> positional = new ArrayList<>();
        Map<String, Object> named = new java.util.HashMap<>();
        for (Object o : a) {
            if (o instanceof com.hubspot.jinjava.el.ext.NamedParameter p) {
                named.put(p.getName(), p.getValue());
            } else {
                positional.add(o);
            }
        }
        Matcher m = FIELD.matcher(s);
        StringBuilder out = new StringBuilder();
        int auto = 0;
        while (m.find()) {
            String token = m.group();
            String replacement;
            if (token.equals("{{")) {
                replacement = "{";
            } else if (token.equals("}}")) {
                replacement = "}";
            } else {
                String field = m.group(1);
                Object value;
                if (field.isEmpty()) {
                    value = at(positional, auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    value = at(positional, Integer.parseInt(field));
                } else if (named.containsKey(field)) {
                    value = named.get(field);
                } else {
                    throw new IllegalArgumentException("format: no argument named '" + field + "'");
                }
                replacement = PythonCompat.str(value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Object at(List<Object> args, int i) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("format: replacement index " + i + " out of range");
        }
        return args.get(i);
    }
}
