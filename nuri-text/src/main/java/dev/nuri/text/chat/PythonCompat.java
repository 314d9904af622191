package dev.nuri.text.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Makes Jinjava render chat templates the way Hugging Face transformers renders them with Python's jinja2
 * (trim_blocks, lstrip_blocks, loop controls and an immutable sandbox):
 * <ul>
 *   <li>HF's globals {@code raise_exception}, {@code strftime_now} (also {@code is defined}) and its
 *       {@code tojson} ({@link PythonJson}); a sandbox-limited Python {@code range};</li>
 *   <li>Python semantics where Jinjava's differ: the filters {@code trim}, {@code items}, {@code reverse},
 *       {@code string}, {@code max}, {@code min}; the tests {@code iterable}, {@code sequence}, {@code string},
 *       {@code mapping}; {@code {{ x }}} printing {@code str(x)}; str/dict/list methods ({@link PythonMethods});
 *       {@code for ... if ...} filters, iterating strings, {@code loop.previtem/nextitem} ({@link PythonForTag});
 *       the {@code generation} tag of HF's assistant-mask extension;</li>
 *   <li>with {@link JinjaSourceRewriter}, source rewrites for what Jinjava parses differently:
 *       {@code x[::-1]}, the precedence of {@code not} and of keyword-argument values.</li>
 * </ul>
 * Known differences that remain: Jinjava cannot tell None from undefined ({@code {{ none }}} prints nothing,
 * {@code x is defined} is false for a None value); {@code ~} prints booleans as true/false; {@code 'ab' * 2}
 * and step slices other than {@code [::-1]} are unsupported; a nested dict literal whose two closing braces
 * meet inside an expression ends the tag early (write them apart).
 */
final class PythonCompat {

    private PythonCompat() {
    }

    private static final ThreadLocal<ZonedDateTime> NOW = new ThreadLocal<>();

    static void bindNow(ZonedDateTime now) {
        NOW.set(now);
    }

    static void unbindNow() {
        NOW.remove();
    }

    static void install(Jinjava jinjava) {
        jinjava.registerFunction(function("raise_exception", "raiseException", Object.class));
        jinjava.registerFunction(function("strftime_now", "strftimeNow", String.class));
        jinjava.registerFunction(function("range", "range", Object.class, Object[].class));
        jinjava.registerFunction(function(OUTPUT_FUNCTION, "printed", Object.class));
        jinjava.registerFilter(new ToJson());
        jinjava.registerFilter(simpleFilter("trim",
                (v, args) -> PythonMethods.strip(v == null ? "" : str(v), args.length > 0 ? args[0] : null, true, true)));
        jinjava.registerFilter(simpleFilter("items",
                (v, args) -> PythonMethods.call(requireMap(v, "items"), "items", new Object[0])));
        jinjava.registerFilter(simpleFilter("reverse", (v, args) -> reverse(v)));
        jinjava.registerFilter(simpleFilter("string", (v, args) -> str(v)));
        jinjava.registerFilter(new Sum());
        jinjava.registerFilter(simpleFilter("max", (v, args) -> extreme(v, true)));
        jinjava.registerFilter(simpleFilter("min", (v, args) -> extreme(v, false)));
        jinjava.registerExpTest(test("iterable",
                v -> v instanceof CharSequence || v instanceof Iterable<?> || v instanceof Map<?, ?>));
        jinjava.registerExpTest(test("sequence",
                v -> v instanceof CharSequence || v instanceof List<?> || v instanceof Map<?, ?>));
        jinjava.registerExpTest(test("string", v -> v instanceof CharSequence));
        jinjava.registerExpTest(test("mapping", v -> v instanceof Map<?, ?>));
        jinjava.registerTag(new PythonForTag());
        jinjava.registerTag(new GenerationTag());
        jinjava.registerTag(new FilterBlockTag());
    }

    // ---- HF globals ----

    private static ELFunctionDefinition function(String name, String method, Class<?>... parameters) {
        try {
            java.lang.reflect.Method m = PythonCompat.class.getDeclaredMethod(method, parameters);
            m.setAccessible(true);  // this class is package-private; Jinjava calls the method reflectively
            return new ELFunctionDefinition("", name, m);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HF's {@code raise_exception(message)}: aborts the render with the template's own message. */
    public static Object raiseException(Object message) {
        String text = String.valueOf(message);
        TemplateSandbox.Budget budget = TemplateSandbox.currentBudget();
        if (budget != null) {
            budget.raise(text);
        }
        throw new TemplateSandbox.LimitExceeded("raise_exception: " + text);
    }

    /**
     * Python's {@code range(stop)} / {@code range(start, stop[, step])}, refusing, as jinja2's sandbox does, ranges
     * longer than the limit (Jinjava's own would silently cut them short).
     */
    public static List<Long> range(Object first, Object... rest) {
        long start = 0;
        long stop;
        long step = 1;
        if (rest == null || rest.length == 0) {
            stop = integer(first);
        } else {
            start = integer(first);
            stop = integer(rest[0]);
            step = rest.length > 1 ? integer(rest[1]) : 1;
        }
        if (step == 0) {
            throw new IllegalArgumentException("range() arg 3 must not be zero");
        }
        long length = step > 0 ? Math.max(0, Math.ceilDiv(stop - start, step)) : Math.max(0, Math.ceilDiv(start - stop, -step));
        TemplateSandbox.Budget budget = TemplateSandbox.currentBudget();
        int maxRange = budget != null ? budget.limits().maxRange() : TemplateSandbox.Limits.DEFAULT.maxRange();
        if (length > maxRange) {
            String why = "asked for range() of " + length + " items, over the limit of " + maxRange;
            if (budget != null) {
                budget.stop(why);
            }
            throw new TemplateSandbox.LimitExceeded(why);
        }
        List<Long> values = new ArrayList<>((int) length);
        for (long i = 0, v = start; i < length; i++, v += step) {
            values.add(v);
        }
        return values;
    }

    private static long integer(Object o) {
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw new IllegalArgumentException("range() needs integers, got " + typeName(o));
    }

    /** HF's {@code strftime_now(format)}: the render's clock formatted with Python's strftime directives. */
    public static String strftimeNow(String format) {
        ZonedDateTime now = NOW.get() != null ? NOW.get() : ZonedDateTime.now();
        return strftime(now, format);
    }

    static String strftime(ZonedDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean noPad = d == '-' && i + 1 < format.length();  // glibc's %-d
            if (noPad) {
                d = format.charAt(++i);
            }
            String field = switch (d) {
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'd' -> pad(t.getDayOfMonth(), 2, noPad);
                case 'e' -> String.format("%2d", t.getDayOfMonth());
                case 'm' -> pad(t.getMonthValue(), 2, noPad);
                case 'y' -> pad(t.getYear() % 100, 2, noPad);
                case 'Y' -> Integer.toString(t.getYear());
                case 'H' -> pad(t.getHour(), 2, noPad);
                case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, noPad);
                case 'M' -> pad(t.getMinute(), 2, noPad);
                case 'S' -> pad(t.getSecond(), 2, noPad);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'j' -> pad(t.getDayOfYear(), 3, noPad);
                case 'f' -> String.format("%06d", t.getNano() / 1000);
                case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'z' -> t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", "");
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            };
            out.append(field);
        }
        return out.toString();
    }

    private static String pad(int value, int width, boolean noPad) {
        return noPad ? Integer.toString(value) : String.format("%0" + width + "d", value);
    }

    // ---- Python values ----

    /** Python's {@code str(x)}: None, True and False spelled as Python does, containers as their repr. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case CharSequence s -> s.toString();
            default -> repr(v);
        };
    }

    static String repr(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Number n -> PythonJson.number(n);
            case CharSequence s -> reprString(s.toString());
            case Map<?, ?> map -> {
                List<String> parts = new ArrayList<>();
                map.forEach((k, x) -> parts.add(repr(k) + ": " + repr(x)));
                yield "{" + String.join(", ", parts) + "}";
            }
            case Collection<?> c -> {
                List<String> parts = new ArrayList<>();
                c.forEach(x -> parts.add(repr(x)));
                yield "[" + String.join(", ", parts) + "]";
            }
            default -> v.toString();
        };
    }

    private static String reprString(String s) {
        char quote = s.contains("'") && !s.contains("\"") ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(quote).toString();
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case CharSequence s -> "str";
            case Boolean b -> "bool";
            case Integer i -> "int";
            case Long l -> "int";
            case Number n -> "float";
            case Map<?, ?> m -> "dict";
            case Collection<?> c -> "list";
            default -> "object";
        };
    }

    private static Map<?, ?> requireMap(Object v, String filter) {
        if (v instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalArgumentException("filter '" + filter + "' needs a mapping, got " + typeName(v));
    }

    /** Jinja's {@code max}/{@code min} over a list of numbers or of strings. */
    private static Object extreme(Object v, boolean max) {
        if (!(v instanceof Collection<?> c)) {
            throw new IllegalArgumentException("filter '" + (max ? "max" : "min") + "' needs a list, got " + typeName(v));
        }
        Object best = null;
        for (Object x : c) {
            if (best == null || (compare(x, best) > 0) == max && compare(x, best) != 0) {
                best = x;
            }
        }
        return best;
    }

    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof CharSequence x && b instanceof CharSequence y) {
            return x.toString().compareTo(y.toString());
        }
        throw new IllegalArgumentException("cannot compare " + typeName(a) + " with " + typeName(b));
    }

    private static Object reverse(Object v) {
        if (v instanceof CharSequence s) {
            return new StringBuilder(s).reverse().toString();
        }
        if (v instanceof Collection<?> c) {
            List<Object> copy = new ArrayList<>(c);
            Collections.reverse(copy);
            return copy;
        }
        if (v instanceof Map<?, ?> m) {
            return reverse(new ArrayList<>(m.keySet()));
        }
        throw new IllegalArgumentException("filter 'reverse' needs a string or a list, got " + typeName(v));
    }

    /** The function every {@code {{ ... }}} output goes through (a name no template uses). */
    static final String OUTPUT_FUNCTION = "nuri_python_str";

    /** What {@code {{ value }}} prints: Python's str(value), except that None/undefined print as nothing. */
    public static String printed(Object value) {
        return value == null ? "" : str(value);
    }

    // ---- small Jinjava adapters ----

    private interface FilterBody {
        Object apply(Object value, Object[] args);
    }

    private static Filter simpleFilter(String name, FilterBody body) {
        return new Filter() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
                return body.apply(var, args);
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                return body.apply(var, args);
            }
        };
    }

    private static ExpTest test(String name, java.util.function.Predicate<Object> predicate) {
        return new ExpTest() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
                return predicate.test(var);
            }
        };
    }

    /** HF's {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object ensureAscii = kwargs.getOrDefault("ensure_ascii", args.length > 0 ? args[0] : false);
            Object indent = kwargs.getOrDefault("indent", args.length > 1 ? args[1] : null);
            Object separators = kwargs.getOrDefault("separators", args.length > 2 ? args[2] : null);
            Object sortKeys = kwargs.getOrDefault("sort_keys", args.length > 3 ? args[3] : false);
            String itemSeparator = null;
            String keySeparator = null;
            if (separators instanceof List<?> pair && pair.size() == 2) {
                itemSeparator = String.valueOf(pair.get(0));
                keySeparator = String.valueOf(pair.get(1));
            } else if (separators != null) {
                throw new IllegalArgumentException("tojson: separators must be a pair of strings");
            }
            Integer indentWidth = switch (indent) {
                case null -> null;
                case Number n -> n.intValue();
                default -> throw new IllegalArgumentException("tojson: indent must be a number");
            };
            return new PythonJson(Boolean.TRUE.equals(ensureAscii), indentWidth, itemSeparator, keySeparator,
                    Boolean.TRUE.equals(sortKeys)).write(var);
        }
    }

    /** Jinja's {@code sum(iterable, attribute=None, start=0)}: integers stay integers (Jinjava's gives 6.0). */
    private static final class Sum implements Filter {
        @Override
        public String getName() {
            return "sum";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (!(var instanceof Collection<?> items)) {
                throw new IllegalArgumentException("filter 'sum' needs a list, got " + typeName(var));
            }
            Object attribute = kwargs.getOrDefault("attribute", args.length > 0 ? args[0] : null);
            Object start = kwargs.getOrDefault("start", args.length > 1 ? args[1] : 0);
            long whole = 0;
            double real = 0;
            boolean isReal = false;
            List<Object> terms = new ArrayList<>(items);
            terms.add(start);
            for (int i = 0; i < terms.size(); i++) {
                Object term = terms.get(i);
                if (attribute != null && i < items.size()) {
                    term = term instanceof Map<?, ?> map ? map.get(String.valueOf(attribute)) : null;
                }
                switch (term) {
                    case Integer n -> whole += n;
                    case Long n -> whole += n;
                    case Number n -> {
                        real += n.doubleValue();
                        isReal = true;
                    }
                    default -> throw new IllegalArgumentException("filter 'sum' cannot add " + typeName(term));
                }
            }
            return isReal ? (Object) (real + whole) : (Object) whole;
        }
    }

    /** Jinja's {@code {% filter name(args) %}...{% endfilter %}}: applies a filter to the rendered body. */
    private static final class FilterBlockTag implements Tag {
        private static final String BODY = "nuri_filter_block_body";

        @Override
        public String getName() {
            return "filter";
        }

        @Override
        public String getEndTagName() {
            return "endfilter";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder body = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                body.append(child.render(interpreter));
            }
            try (JinjavaInterpreter.InterpreterScopeClosable _ = interpreter.enterScope()) {
                interpreter.getContext().put(BODY, body.toString());
                Object result = interpreter.resolveELExpression(BODY + "|" + tagNode.getHelpers().trim(),
                        tagNode.getLineNumber());
                return printed(result);
            }
        }
    }

    /**
     * {@code {% generation %}...{% endgeneration %}} from HF's AssistantTracker extension: marks assistant text
     * for training masks and renders its body unchanged.
     */
    private static final class GenerationTag implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter));
            }
            return out.toString();
        }
    }
}
