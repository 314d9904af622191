package dev.nuri.text.tokenizer;

import dev.nuri.text.Tokenizer;
import java.util.Arrays;

/**
 * Turns ids into text one at a time for streaming generation, never emitting half a character.
 *
 * <p>Incremental detokenization (the prefix/read offset scheme vLLM uses): the pending text of a step is
 * {@code decode(ids[prefix:]) - decode(ids[prefix:read])}, where {@code ids[prefix:read]} are the last ids whose text
 * was complete. So each step decodes a few ids, not the whole sequence, and decoders that depend on context (a
 * leading space stripped from the first token, byte fallback, WordPiece joins) give the same text as decoding
 * everything at once. A multi-byte character whose bytes have not all arrived decodes to U+FFFD at the end: the
 * text before it is emitted, the U+FFFD waits for the next ids (and the window does not move past it).
 * Not thread-safe: one per generation.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[64];
    private int size;
    private int prefixOffset;
    private int readOffset;
    /** Characters of the pending text already returned. */
    private int emittedPending;

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
        String pending = pendingText();
        int stable = pending.length();
        while (stable > 0 && pending.charAt(stable - 1) == '\uFFFD') {
            stable--;
        }
        String out = stable > emittedPending ? pending.substring(emittedPending, stable) : "";
        emittedPending = Math.max(emittedPending, stable);
        if (stable == pending.length()) { // every character complete: move the window on
            prefixOffset = readOffset;
            readOffset = size;
            emittedPending = 0;
        }
        return out;
    }

    /** Text still held back at the end of generation (an incomplete character decodes to U+FFFD, as in a full decode). */
    public String flush() {
        String pending = pendingText();
        String out = pending.length() > emittedPending ? pending.substring(emittedPending) : "";
        prefixOffset = readOffset = size;
        emittedPending = 0;
        return out;
    }

    /** Text of the ids after the last complete point. */
    private String pendingText() {
        String known = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecialTokens);
        String all = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecialTokens);
        return all.length() > known.length() ? all.substring(known.length()) : "";
    }
}
