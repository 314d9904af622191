package dev.nuri.text.tokenizer;

import dev.nuri.NuriException;

/** Checks on text before it is tokenized. */
public final class Utf8 {
    private Utf8() {
    }

    /** Throws if {@code text} holds a lone surrogate (it has no UTF-8 form, so no tokenizer can encode it). */
    public static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new NuriException("text is not valid UTF-16: lone high surrogate U+" + hex(c) + " at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new NuriException("text is not valid UTF-16: lone low surrogate U+" + hex(c) + " at index " + i);
            }
        }
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }
}
