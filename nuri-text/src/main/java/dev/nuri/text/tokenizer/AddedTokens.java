package dev.nuri.text.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text before the model runs, as HF's {@code AddedVocabulary} does: leftmost-longest matches,
 * {@code single_word} (no word character on either side), {@code lstrip}/{@code rstrip} (absorb adjacent whitespace).
 */
final class AddedTokens {

    /** One entry of tokenizer.json's {@code added_tokens}. */
    record Token(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord,
                 boolean normalized) {
    }

    /** A segment of text: either plain text ({@code id < 0}) or an added token. */
    record Segment(String text, int id, int start) {
    }

    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        Token token;
    }

    private final Node root = new Node();
    private final boolean empty;
    /** Characters that start some added token (a quick reject before the trie). */
    private final java.util.BitSet firstChars = new java.util.BitSet();

    AddedTokens(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.content().isEmpty()) {
                continue;
            }
            firstChars.set(t.content().charAt(0));
            Node n = root;
            for (int i = 0; i < t.content().length(); i++) {
                n = n.next.computeIfAbsent(t.content().charAt(i), k -> new Node());
            }
            n.token = t;
        }
        empty = root.next.isEmpty();
    }

    /** Splits {@code text} into plain and added-token segments (plain segments may be empty-free; never empty). */
    List<Segment> split(String text, int baseOffset) {
        List<Segment> out = new ArrayList<>();
        if (empty) {
            if (!text.isEmpty()) {
                out.add(new Segment(text, -1, baseOffset));
            }
            return out;
        }
        int startOffset = 0;
        int i = 0;
        while (i < text.length()) {
            if (!firstChars.get(text.charAt(i))) {
                i++;
                continue;
            }
            Token match = null;
            int matchEnd = -1;
            Node n = root;
            for (int j = i; j < text.length(); j++) {
                n = n.next.get(text.charAt(j));
                if (n == null) {
                    break;
                }
                if (n.token != null) {
                    match = n.token;
                    matchEnd = j + 1;
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = matchEnd;
            if (match.singleWord()) {
                boolean startOk = start == 0 || !isWordChar(text.codePointBefore(start));
                boolean stopOk = stop == text.length() || !isWordChar(text.codePointAt(stop));
                if (!startOk || !stopOk) {
                    i = matchEnd; // aho-corasick does not retry inside a rejected match
                    continue;
                }
            }
            if (match.lstrip()) {
                int s = start;
                while (s > 0 && Character.isWhitespace(text.codePointBefore(s))) {
                    s -= Character.charCount(text.codePointBefore(s));
                }
                start = Math.max(s, startOffset);
            }
            if (match.rstrip()) {
                while (stop < text.length() && Character.isWhitespace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                out.add(new Segment(text.substring(startOffset, start), -1, baseOffset + startOffset));
            }
            out.add(new Segment(text.substring(start, stop), match.id(), baseOffset + start));
            startOffset = stop;
            i = Math.max(stop, matchEnd);
        }
        if (startOffset < text.length()) {
            out.add(new Segment(text.substring(startOffset), -1, baseOffset + startOffset));
        }
        return out;
    }

    private static boolean isWordChar(int c) {
        return Character.isLetterOrDigit(c) || c == '_' || Character.getType(c) == Character.NON_SPACING_MARK
                || Character.getType(c) == Character.CONNECTOR_PUNCTUATION;
    }
}
