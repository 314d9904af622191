package dev.nuri.text.tokenizer;

import dev.nuri.text.Tokenizer;
import java.util.Arrays;

/**
 * Turns ids into text one at a time for streaming generation, never emitting half a character: text that ends in
 * U+FFFD (an incomplete UTF-8 sequence, e.g. the first byte tokens of a Korean syllable) is held back until the
 * next ids complete it. Each step decodes a short window of recent ids and emits only what is new, so decoders that
 * depend on context (a leading space stripped from the first token, byte fallback, WordPiece joins) give the same
 * text as decoding everything at once. Not thread-safe: one per generation.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[64];
    private int size;
    private int prefixOffset;
    private int readOffset;

    public StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Feeds one id; returns the text it completes (possibly empty). */
    public String next(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecialTokens);
        String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecialTokens);
        if (after.endsWith("\uFFFD") || after.length() <= before.length()) {
            return ""; // an incomplete character, or nothing visible yet (e.g. a skipped special token)
        }
        prefixOffset = readOffset;
        readOffset = size;
        return after.substring(before.length());
    }

    /** Text still held back at the end of generation (an incomplete character decodes to U+FFFD, as in a full decode). */
    public String flush() {
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecialTokens);
        String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecialTokens);
        prefixOffset = readOffset = size;
        return after.length() > before.length() ? after.substring(before.length()) : "";
    }
}
