package dev.nuri.text.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a chat template's source, inside its tags only, where Jinjava would parse valid jinja2 differently or
 * not at all. Run once when a template is loaded; see {@link #preprocess}.
 */
final class JinjaSourceRewriter {

    private JinjaSourceRewriter() {
    }

    private static final String QUOTED = "'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"";
    /** An expression or statement tag; quoted text may contain the closing delimiter. */
    private static final Pattern CODE = Pattern.compile(
            "\\{\\{(?:[^'\"}]|" + QUOTED + "|}(?!}))*}}|\\{%(?:[^'\"%]|" + QUOTED + "|%(?!}))*%}");
    private static final Pattern REVERSED_SLICE = Pattern.compile(
            "((?:[A-Za-z_]\\w*|'[^']*'|\"[^\"]*\"|\\[[^\\[\\]]*])(?:\\.[A-Za-z_]\\w*|\\[[^\\[\\]]*])*)"
                    + "\\[\\s*:\\s*:\\s*-1\\s*]");

    private static final Pattern MACRO_TAG = Pattern.compile("\\{%[-+]?\\s*macro\\b");
    private static final Pattern FUNCTION_DEFINED = Pattern.compile(
            "\\b(?:raise_exception|strftime_now)\\s+is\\s+(not\\s+)?defined\\b");

    /**
     * Rewrites, inside tags only, what Jinjava parses differently from jinja2: {@code x[::-1]} (a step slice it
     * cannot parse) becomes {@code (x|reverse)}; keyword-argument values are parenthesized (Jinjava reads
     * {@code f(a=n|length - 1)} as {@code f((a=n|length) - 1)}); {@code not} operands are parenthesized;
     * {@code strftime_now is defined} is true, as HF's globals are (Jinjava functions are not variables); every
     * output is printed as Python prints it.
     */
    static String preprocess(String template) {
        Matcher code = CODE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (code.find()) {
            String rewritten = REVERSED_SLICE.matcher(code.group()).replaceAll("($1|reverse)");
            rewritten = FUNCTION_DEFINED.matcher(rewritten).replaceAll(m -> m.group(1) == null ? "true" : "false");
            if (!MACRO_TAG.matcher(rewritten).lookingAt()) {  // default values in a macro signature stay bare
                rewritten = parenthesizeKeywordArguments(rewritten);
            }
            rewritten = parenthesizeNotOperands(rewritten);
            rewritten = printAsPython(rewritten);
            code.appendReplacement(out, Matcher.quoteReplacement(rewritten));
        }
        code.appendTail(out);
        return out.toString();
    }

    private static final Pattern OUTPUT_TAG = Pattern.compile("(?s)^(\\{\\{[-+]?)(.*?)(-?}})$");

    /**
     * {@code {{ x }}} prints {@code str(x)} in jinja2: {@code True}, {@code 2.0}, {@code ['a', None]}; Jinjava
     * would print {@code true}, {@code [a, null]}. Each output expression is wrapped in
     * {@link PythonCompat#OUTPUT_FUNCTION} (a call rather than a filter on a parenthesized expression, which
     * Jinjava may misread as a tuple).
     * (Jinjava cannot tell None from undefined, so both print as empty, where jinja2 prints "None" for None.)
     */
    static String printAsPython(String tag) {
        Matcher m = OUTPUT_TAG.matcher(tag);
        if (!m.matches() || m.group(2).isBlank()) {
            return tag;
        }
        return m.group(1) + " " + PythonCompat.OUTPUT_FUNCTION + "(" + m.group(2).strip() + ") " + m.group(3);
    }

    /** Wraps the value of every {@code name=value} inside call parentheses in parentheses of its own. */
    static String parenthesizeKeywordArguments(String code) {
        StringBuilder out = new StringBuilder(code.length() + 8);
        java.util.ArrayDeque<Integer> openValues = new java.util.ArrayDeque<>();  // paren depth of each open value
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < code.length()) {
                    out.append(code.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> {
                    if (c == ')' && !openValues.isEmpty() && openValues.peek() == depth) {
                        out.append(')');
                        openValues.pop();
                    }
                    depth--;
                }
                case ',' -> {
                    if (!openValues.isEmpty() && openValues.peek() == depth) {
                        out.append(')');
                        openValues.pop();
                    }
                }
                default -> {
                }
            }
            out.append(c);
            if (c == '=' && depth > 0 && isKeywordEquals(code, i)) {
                out.append('(');
                openValues.push(depth);
            }
        }
        return out.toString();
    }

    /**
     * Jinja's {@code not} binds looser than comparisons and filters ({@code not x|length == 1} is
     * {@code not (x|length == 1)}) but Jinjava's binds tightest: each {@code not} operand is parenthesized up to
     * the next {@code and}, {@code or}, {@code if}, {@code else}, comma, closing bracket or end of tag.
     * {@code is not} and {@code not in} are operators of their own and stay as they are.
     */
    static String parenthesizeNotOperands(String code) {
        StringBuilder out = new StringBuilder(code.length() + 8);
        java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();  // bracket depth of each open operand
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < code.length()) {
                    out.append(code.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            boolean ends = c == ',' || ((c == ')' || c == ']' || c == '}'))
                    || (c == '%' && next(code, i + 1) == '}')
                    || (c == '-' && (code.startsWith("%}", i + 1) || code.startsWith("}}", i + 1)))
                    || isWordAt(code, i, "and") || isWordAt(code, i, "or") || isWordAt(code, i, "if")
                    || isWordAt(code, i, "else");
            if (ends) {
                boolean closesBracket = c == ')' || c == ']' || c == '}';
                while (!open.isEmpty() && (open.peek() == depth)) {
                    out.append(')');
                    open.pop();
                }
                if (closesBracket) {
                    depth--;
                }
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == '\'' || c == '"') {
                quote = c;
            }
            if (isWordAt(code, i, "not") && !precededByWord(code, i, "is") && !followedByWord(code, i + 3, "in")) {
                out.append("not (");
                open.push(depth);
                i += 2;
                continue;
            }
            out.append(c);
        }
        while (!open.isEmpty()) {
            out.append(')');
            open.pop();
        }
        return out.toString();
    }

    private static char next(String s, int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private static boolean isWordAt(String s, int at, String word) {
        return s.startsWith(word, at)
                && (at == 0 || !isIdentifierChar(s.charAt(at - 1)))
                && (at + word.length() >= s.length() || !isIdentifierChar(s.charAt(at + word.length())));
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private static boolean precededByWord(String s, int at, String word) {
        int j = at - 1;
        while (j >= 0 && s.charAt(j) == ' ') {
            j--;
        }
        return j - word.length() + 1 >= 0 && isWordAt(s, j - word.length() + 1, word);
    }

    private static boolean followedByWord(String s, int from, String word) {
        int j = from;
        while (j < s.length() && s.charAt(j) == ' ') {
            j++;
        }
        return isWordAt(s, j, word);
    }

    /** An {@code =} that follows an identifier directly after {@code (} or {@code ,}, and is not part of ==, <=, etc. */
    private static boolean isKeywordEquals(String code, int at) {
        if (at + 1 < code.length() && code.charAt(at + 1) == '=') {
            return false;
        }
        int j = at - 1;
        while (j >= 0 && code.charAt(j) == ' ') {
            j--;
        }
        int end = j + 1;
        while (j >= 0 && (Character.isLetterOrDigit(code.charAt(j)) || code.charAt(j) == '_')) {
            j--;
        }
        if (j + 1 == end || Character.isDigit(code.charAt(j + 1))) {
            return false;
        }
        while (j >= 0 && code.charAt(j) == ' ') {
            j--;
        }
        return j >= 0 && (code.charAt(j) == '(' || code.charAt(j) == ',');
    }
}
