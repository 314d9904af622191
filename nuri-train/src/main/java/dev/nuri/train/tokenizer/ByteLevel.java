package dev.nuri.train.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level pre-tokenization (Radford et al. 2019; Hugging Face {@code ByteLevel} pre-tokenizer with
 * {@code use_regex}): split text with GPT-2's regex, then spell each piece's UTF-8 bytes with one printable
 * character per byte ({@code bytes_to_unicode}).
 */
public final class ByteLevel {
    /** GPT-2's split pattern, as the {@code tokenizers} library uses it. */
    public static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
        }
    }

    private ByteLevel() {
    }

    /** The character that stands for byte {@code b}. */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The 256 byte characters in ascending character order (the initial alphabet of a byte-level BPE). */
    public static List<String> alphabet() {
        char[] sorted = BYTE_TO_CHAR.clone();
        java.util.Arrays.sort(sorted);
        List<String> out = new ArrayList<>(256);
        for (char c : sorted) {
            out.add(String.valueOf(c));
        }
        return out;
    }

    /** Splits {@code text} and maps every piece to byte characters. */
    public static List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2_SPLIT.matcher(text);
        while (m.find()) {
            out.add(spell(m.group()));
        }
        return out;
    }

    /** The byte-character spelling of a string's UTF-8 bytes. */
    public static String spell(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }
}
