package dev.nuri.generate;

import dev.nuri.text.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns generated ids into final text, piece by piece, and finds stop strings across token boundaries.
 *
 * <p>After each token it decodes all generated ids ({@link Tokenizer#decode} with special tokens skipped) and passes
 * on only the part that cannot change any more: a multi-byte character whose bytes have not all arrived decodes to
 * U+FFFD at the end of the text, so trailing U+FFFD is held back; so is an ending that could be the start of a stop
 * string. When a stop string appears the text is cut just before it, as OpenAI does. Decoding everything each step
 * costs O(length) per token, small next to a forward pass; it relies on decoding being prefix-stable (decoding more
 * ids only appends text), which holds for byte-level BPE, SentencePiece and WordPiece decoders.
 */
final class TextStreamer {
    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private final int longestStop;
    private final GenerationListener listener;
    private int[] ids = new int[32];
    private int size;
    private String text = "";
    private int emitted;
    private int searchFrom;
    private boolean stopped;

    TextStreamer(Tokenizer tokenizer, List<String> stopStrings, GenerationListener listener) {
        this.tokenizer = tokenizer;
        this.stopStrings = List.copyOf(stopStrings);
        this.longestStop = stopStrings.stream().mapToInt(String::length).max().orElse(0);
        this.listener = listener;
    }

    /** Adds a generated token (never a stop token); returns true when a stop string has now appeared. */
    boolean add(int id) {
        if (stopped) {
            throw new IllegalStateException("the text already ended at a stop string");
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String decoded = tokenizer.decode(Arrays.copyOf(ids, size), true);
        int stable = decoded.length();
        while (stable > 0 && decoded.charAt(stable - 1) == '\uFFFD') {
            stable--;
        }
        int stopAt = findStop(decoded.substring(0, stable), stopStrings, searchFrom);
        if (stopAt >= 0) {
            text = decoded.substring(0, stopAt);
            stopped = true;
            emit(stopAt);
            return true;
        }
        searchFrom = Math.max(0, stable - longestStop + 1);
        text = decoded;
        int safe = stable - possibleStopStart(decoded, stable);
        if (safe > 0 && Character.isHighSurrogate(decoded.charAt(safe - 1))) {
            safe--;
        }
        emit(safe);
        return false;
    }

    /** Passes on everything still held back (unless a stop string ended the text) and returns the final text. */
    String finish() {
        emit(text.length());
        return text;
    }

    /** The text so far (cut before a stop string, if one appeared). */
    String text() {
        return text;
    }

    private void emit(int upTo) {
        if (upTo > emitted && upTo <= text.length()) {
            listener.onText(text.substring(emitted, upTo));
            emitted = upTo;
        }
    }

    /** Length of the longest ending of {@code text[0, end)} that is a proper prefix of a stop string. */
    private int possibleStopStart(String text, int end) {
        int longest = 0;
        for (String stop : stopStrings) {
            for (int k = Math.min(stop.length() - 1, end); k > longest; k--) {
                if (text.regionMatches(end - k, stop, 0, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** The first index at or after {@code from} where any stop string starts, or -1. */
    static int findStop(String text, List<String> stopStrings, int from) {
        int first = -1;
        for (String stop : stopStrings) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }
}
