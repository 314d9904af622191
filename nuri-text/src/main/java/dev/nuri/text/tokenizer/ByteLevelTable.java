package dev.nuri.text.tokenizer;

/**
 * GPT-2's reversible byte↔character map ({@code bytes_to_unicode} in OpenAI's encoder.py): printable Latin-1 bytes
 * map to themselves, the other 68 bytes to U+0100.. in order, so every byte string becomes a printable string.
 */
public final class ByteLevelTable {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelTable() {
    }

    public static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte a mapped character stands for, or -1 if {@code c} is not one of the 256 mapped characters. */
    public static int byteOf(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** UTF-8 bytes of {@code s}, each mapped to its character. */
    public static String encode(String s) {
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            char[] out = new char[n];
            for (int i = 0; i < n; i++) {
                out[i] = BYTE_TO_CHAR[s.charAt(i)];
            }
            return new String(out);
        }
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(out);
    }
}
