package dev.nuri.text.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the pre-tokenizer regexes of tokenizer.json (written for Oniguruma / fancy-regex) and llama.cpp for
 * {@link java.util.regex}. Their {@code \s}, {@code \w} and {@code \d} are Unicode-aware, so patterns are compiled
 * with {@link Pattern#UNICODE_CHARACTER_CLASS}; script classes such as {@code \p{Han}} are renamed to Java's
 * {@code \p{IsHan}}. Possessive quantifiers, lookahead and {@code (?i:...)} mean the same in both.
 */
public final class Regexes {
    private Regexes() {
    }

    public static Pattern compile(String regex) {
        return Pattern.compile(translate(regex), Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** Like {@link #compile} but wraps a syntax error in an {@link IllegalArgumentException} naming the regex. */
    public static Pattern compileChecked(String regex) {
        try {
            return compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("unsupported regex " + regex + ": " + e.getDescription(), e);
        }
    }

    static String translate(String regex) {
        String[] scripts = {"Han", "Hiragana", "Katakana", "Hangul", "Latin", "Greek", "Cyrillic", "Arabic", "Hebrew",
            "Thai", "Devanagari"};
        for (String s : scripts) {
            regex = regex.replace("\\p{" + s + "}", "\\p{Is" + s + "}").replace("\\P{" + s + "}", "\\P{Is" + s + "}");
        }
        return regex;
    }
}
