package dev.nuri.text.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's {@code llm_tokenizer_wpm} (BERT): NFD + accent stripping + lower case, split on whitespace and around
 * punctuation, ASCII symbols and CJK ideographs; each word gets a "▁" prefix (the converter stores word-initial
 * pieces as "▁piece" and continuations without "##") and is cut greedily into the longest vocabulary tokens; a word
 * that cannot be covered becomes the unknown token.
 */
final class LlamaCppWordPiece {
    private LlamaCppWordPiece() {
    }

    static void tokenize(String text, LlamaCppTokenizer vocab, IntList out) {
        for (String word : preprocess(text)) {
            if (word.isEmpty()) {
                continue;
            }
            String w = "\u2581" + word;
            int before = out.size();
            IntList pieces = new IntList();
            boolean ok = true;
            for (int i = 0; i < w.length(); ) {
                int found = -1;
                int foundEnd = -1;
                for (int j = Math.min(w.length(), i + vocab.maxTokenLength()); j > i; j--) {
                    if (j < w.length() && Character.isLowSurrogate(w.charAt(j))) {
                        continue;
                    }
                    int id = vocab.idOf(w.substring(i, j));
                    if (id >= 0) {
                        found = id;
                        foundEnd = j;
                        break;
                    }
                }
                if (found < 0) {
                    ok = false;
                    break;
                }
                pieces.add(found);
                i = foundEnd;
            }
            if (ok) {
                out.addAll(pieces.toArray());
            }
            if (out.size() == before) {
                out.add(vocab.unknownId());
            }
        }
    }

    static List<String> preprocess(String text) {
        String nfd = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD);
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhitespace(cp)) {
                flush(current, words);
                continue;
            }
            int type = Character.getType(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(type)) {
                continue;
            }
            if (type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK) {
                continue;
            }
            int lower = Character.toLowerCase(cp);
            if (isPunctuation(type) || (cp < 0x7F && isSymbol(type)) || Normalizer.isChineseChar(cp)) {
                flush(current, words);
                words.add(new String(Character.toChars(lower)));
            } else {
                current.appendCodePoint(lower);
            }
        }
        flush(current, words);
        return words;
    }

    private static void flush(StringBuilder current, List<String> words) {
        if (!current.isEmpty()) {
            words.add(current.toString());
            current.setLength(0);
        }
    }

    /** Unicode White_Space. */
    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    private static boolean isControl(int type) {
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    private static boolean isPunctuation(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
                || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
    }
}
