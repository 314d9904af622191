package dev.nuri.generate;

import dev.nuri.text.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns generated ids into final text, piece by piece, and finds stop strings across token boundaries.
 *
 * <p>Incremental detokenization (the prefix/read offset scheme vLLM uses): the new text of a step is
 * {@code decode(ids[prefix:]) - decode(ids[prefix:read])}, where {@code ids[prefix:read]} are the last tokens whose
 * text was complete. So each step decodes a few tokens, not the whole completion, and the result equals
 * {@link Tokenizer#decode} of all generated ids (special tokens skipped) for decoders where more ids only append
 * text (byte-level BPE, SentencePiece, WordPiece); the leading-space rule of SentencePiece still applies once, to
 * the first generated token, as when decoding the whole completion.
 *
 * <p>Only text that cannot change any more is passed on: a multi-byte character whose bytes have not all arrived
 * decodes to U+FFFD at the end, so trailing U+FFFD waits for the next token (and the window does not move past it);
 * so does an ending that could be the start of a stop string. When a stop string appears the text is cut just before it, as OpenAI does.
 */
final class TextStreamer {
    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private final int longestStop;
    private final GenerationListener listener;
    private int[] ids = new int[32];
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder complete = new StringBuilder();
    private String view = "";
    private String text;
    private int emitted;
    private int searchFrom;

    TextStreamer(Tokenizer tokenizer, List<String> stopStrings, GenerationListener listener) {
        this.tokenizer = tokenizer;
        this.stopStrings = List.copyOf(stopStrings);
        this.longestStop = stopStrings.stream().mapToInt(String::length).max().orElse(0);
        this.listener = listener;
    }

    /** Adds a generated token (never a stop token); returns true when a stop string has now appeared. */
    boolean add(int id) {
        if (text != null) {
            throw new IllegalStateException("the text has ended");
        }
        if (id >= tokenizer.vocabSize()) {
            return false; // a padding row of the model's output layer: no text
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String pending = pendingText();
        int stableLength = pending.length();
        while (stableLength > 0 && pending.charAt(stableLength - 1) == '\uFFFD') {
            stableLength--;
        }
        if (stableLength == pending.length()) { // every character complete: move the window on
            complete.append(pending);
            prefixOffset = readOffset;
            readOffset = size;
            view = complete.toString();
        } else {
            view = complete + pending.substring(0, stableLength);
        }

        int stopAt = findStop(view, stopStrings, searchFrom);
        if (stopAt >= 0) {
            text = view.substring(0, stopAt);
            emit(stopAt);
            return true;
        }
        searchFrom = Math.max(0, view.length() - longestStop + 1);
        int safe = view.length() - possibleStopStart(view);
        if (safe > 0 && Character.isHighSurrogate(view.charAt(safe - 1))) {
            safe--;
        }
        emit(safe);
        return false;
    }

    /** Passes on everything still held back (unless a stop string ended the text) and returns the final text. */
    String finish() {
        if (text == null) {
            text = complete + pendingText(); // an incomplete character at the very end stays as U+FFFD
        }
        view = text;
        emit(text.length());
        return text;
    }

    /** Text of the ids after the last complete point. */
    private String pendingText() {
        String known = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), true);
        String all = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), true);
        return all.length() > known.length() ? all.substring(known.length()) : "";
    }

    private void emit(int upTo) {
        if (upTo > emitted) {
            listener.onText(view.substring(emitted, upTo));
            emitted = upTo;
        }
    }

    /** Length of the longest ending of {@code text} that is a proper prefix of a stop string. */
    private int possibleStopStart(String text) {
        int end = text.length();
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

    /** Decodes {@code ids} (special tokens skipped), leaving out ids beyond the tokenizer's vocabulary. */
    static String decode(Tokenizer tokenizer, int[] ids) {
        int vocab = tokenizer.vocabSize();
        return tokenizer.decode(Arrays.stream(ids).filter(id -> id < vocab).toArray(), true);
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
