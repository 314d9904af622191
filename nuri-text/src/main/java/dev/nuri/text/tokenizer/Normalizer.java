package dev.nuri.text.tokenizer;

import java.text.Normalizer.Form;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** A Hugging Face {@code normalizer}: text → text before pre-tokenization. Offsets are not tracked. */
public interface Normalizer {

    String normalize(String text);

    /** NFC, NFD, NFKC or NFKD. */
    record Unicode(Form form) implements Normalizer {
        @Override
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    record Lowercase() implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.toLowerCase(Locale.ROOT);
        }
    }

    /** Removes non-spacing marks (category Mn), as HF's StripAccents does (it is meant to follow NFD). */
    record StripAccents() implements Normalizer {
        @Override
        public String normalize(String text) {
            return removeNonSpacingMarks(text);
        }
    }

    record Prepend(String prefix) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : prefix + text;
        }
    }

    /** Replaces every match of a literal string or a regex. */
    record Replace(Pattern pattern, String content) implements Normalizer {
        @Override
        public String normalize(String text) {
            return pattern.matcher(text).replaceAll(java.util.regex.Matcher.quoteReplacement(content));
        }
    }

    /** Strips Unicode whitespace on the left and/or the right. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public String normalize(String text) {
            int start = 0;
            int end = text.length();
            if (left) {
                while (start < end && Character.isWhitespace(text.codePointAt(start))) {
                    start += Character.charCount(text.codePointAt(start));
                }
            }
            if (right) {
                while (end > start && Character.isWhitespace(text.codePointBefore(end))) {
                    end -= Character.charCount(text.codePointBefore(end));
                }
            }
            return text.substring(start, end);
        }
    }

    /** BERT's normalizer: control-character cleanup, spaces around CJK ideographs, accent stripping, lower case. */
    record Bert(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
            implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder sb = new StringBuilder(text.length() + 8);
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                i += Character.charCount(c);
                if (cleanText) {
                    if (c == 0 || c == 0xFFFD || isBertControl(c)) {
                        continue;
                    }
                    if (isBertWhitespace(c)) {
                        c = ' ';
                    }
                }
                if (handleChineseChars && isChineseChar(c)) {
                    sb.append(' ').appendCodePoint(c).append(' ');
                } else {
                    sb.appendCodePoint(c);
                }
            }
            String s = sb.toString();
            if (stripAccents) {
                s = removeNonSpacingMarks(java.text.Normalizer.normalize(s, Form.NFD));
            }
            if (lowercase) {
                s = s.toLowerCase(Locale.ROOT);
            }
            return s;
        }
    }

    /**
     * SentencePiece's precompiled charsmap (T5, ALBERT, XLM-R tokenizers): longest-prefix replacements over the
     * whole text, as SentencePiece itself normalizes. Hugging Face applies the map per grapheme cluster, which can
     * differ for clusters of several code points that the map only partly covers.
     */
    record Precompiled(PrecompiledCharsmap charsmap) implements Normalizer {
        @Override
        public String normalize(String text) {
            return charsmap.normalize(text);
        }
    }

    record Sequence(List<Normalizer> normalizers) implements Normalizer {
        @Override
        public String normalize(String text) {
            for (Normalizer n : normalizers) {
                text = n.normalize(text);
            }
            return text;
        }
    }

    static String removeNonSpacingMarks(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    static boolean isBertWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    static boolean isBertControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE || t == Character.UNASSIGNED;
    }

    static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
