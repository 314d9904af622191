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
 * items that pass, as in Jinja (Mistral's tool templates depend on {@code loop.last} in such a loop).
 */
final class PythonForTag extends ForTag {

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        Pair<List<String>, String> varsAndExpression = getLoopVarsAndExpression((TagToken) tagNode.getMaster());
        String[] iterableAndCondition = splitCondition(varsAndExpression.getRight());
        if (iterableAndCondition == null) {
            return super.interpretUnchecked(tagNode, interpreter);
        }
        List<String> loopVars = varsAndExpression.getLeft();
        Object collection = interpreter.resolveELExpression(iterableAndCondition[0], tagNode.getLineNumber());
        List<Object> kept = new ArrayList<>();
        ForLoop items = ObjectIterator.getLoop(collection);
        while (items.hasNext()) {
            Object item = items.next();
            try (InterpreterScopeClosable scope = interpreter.enterScope()) {
                bind(interpreter, loopVars, interpreter.wrap(item));
                Object test = interpreter.resolveELExpression(iterableAndCondition[1], tagNode.getLineNumber());
                if (ObjectTruthValue.evaluate(test)) {
                    kept.add(item);
                }
            }
        }
        return renderForCollection(tagNode, interpreter, loopVars, kept);
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
