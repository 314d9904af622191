package dev.nuri.text.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter.InterpreterScopeClosable;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;
import com.hubspot.jinjava.util.ObjectTruthValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.tuple.Pair;

/**
 * Jinja's {@code {% for x in items if condition %}}: Jinjava parses the {@code if} clause but ignores it. Here the
 * items are filtered first, so that {@code loop.index}, {@code loop.last} and {@code loop.length} count only the
 * items that pass, as in Jinja (Mistral's tool templates depend on {@code loop.last} in such a loop). The items
 * of each loop are also kept for {@code loop.previtem} and {@code loop.nextitem}.
 */
final class PythonForTag extends ForTag {

    /** The items of the loops being rendered on this thread, innermost last: {@code loop.previtem} reads them. */
    private static final ThreadLocal<java.util.ArrayDeque<List<Object>>> ACTIVE =
            ThreadLocal.withInitial(java.util.ArrayDeque::new);

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        Pair<List<String>, String> varsAndExpression = getLoopVarsAndExpression((TagToken) tagNode.getMaster());
        String[] iterableAndCondition = splitCondition(varsAndExpression.getRight());
        String iterable = iterableAndCondition == null ? varsAndExpression.getRight() : iterableAndCondition[0];
        List<String> loopVars = varsAndExpression.getLeft();
        Object collection = interpreter.resolveELExpression(iterable, tagNode.getLineNumber());
        if (collection instanceof CharSequence text) {  // Python iterates a string's characters
            collection = text.codePoints().mapToObj(Character::toString).toList();
        }
        List<Object> kept = new ArrayList<>();
        ForLoop items = ObjectIterator.getLoop(collection);
        while (items.hasNext()) {
            Object item = items.next();
            if (iterableAndCondition == null) {
                kept.add(item);
                continue;
            }
            try (InterpreterScopeClosable _ = interpreter.enterScope()) {
                bind(interpreter, loopVars, interpreter.wrap(item));
                Object test = interpreter.resolveELExpression(iterableAndCondition[1], tagNode.getLineNumber());
                if (ObjectTruthValue.evaluate(test)) {
                    kept.add(item);
                }
            }
        }
        ACTIVE.get().addLast(kept);
        try {
            return renderForCollection(tagNode, interpreter, loopVars, kept);
        } finally {
            ACTIVE.get().removeLast();
        }
    }

    /**
     * Jinja's {@code loop.previtem} / {@code loop.nextitem} for the innermost loop being rendered (Jinjava's loop
     * object has no such attributes); null (undefined) at the ends.
     */
    static Object neighbour(ForLoop loop, int offset) {
        List<Object> items = ACTIVE.get().peekLast();
        if (items == null || items.size() != loop.getLength()) {
            return null;
        }
        int at = loop.getIndex0() + offset;
        return at >= 0 && at < items.size() ? items.get(at) : null;
    }

    /** Unpacks one item into the loop variables as ForTag does: a pair for two names, else the item itself. */
    private static void bind(JinjavaInterpreter interpreter, List<String> loopVars, Object item) {
        if (loopVars.size() == 1) {
            interpreter.getContext().put(loopVars.getFirst(), item);
            return;
        }
        List<?> parts = switch (item) {
            case Map.Entry<?, ?> e -> java.util.Arrays.asList(e.getKey(), e.getValue());
            case List<?> l -> l;
            case null, default -> List.of();
        };
        for (int i = 0; i < loopVars.size(); i++) {
            interpreter.getContext().put(loopVars.get(i), i < parts.size() ? parts.get(i) : null);
        }
    }

    /**
     * Splits {@code items if condition} at a top-level {@code if} that has no {@code else} after it (an
     * {@code a if b else c} expression is an iterable, not a filter); null when there is no filter.
     */
    static String[] splitCondition(String expression) {
        int depth = 0;
        char quote = 0;
        int ifAt = -1;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && isWord(expression, i, "if")) {
                ifAt = i;
            } else if (depth == 0 && ifAt >= 0 && isWord(expression, i, "else")) {
                ifAt = -1;
            }
        }
        if (ifAt < 0) {
            return null;
        }
        return new String[] {expression.substring(0, ifAt).trim(), expression.substring(ifAt + 2).trim()};
    }

    private static boolean isWord(String s, int at, String word) {
        return s.startsWith(word, at)
                && (at == 0 || !Character.isJavaIdentifierPart(s.charAt(at - 1)))
                && (at + word.length() == s.length() || !Character.isJavaIdentifierPart(s.charAt(at + word.length())));
    }
}
