package dev.nuri.generate;

import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.StreamingDecoder;
import java.util.Arrays;
import java.util.List;

/**
 * Turns generated ids into final text, piece by piece, and finds stop strings across token boundaries. The ids are
 * detokenized incrementally by {@link StreamingDecoder} (special tokens skipped), which never yields half a
 * character; on top of that, an ending that could be the start of a stop string is held back, and when a stop string
 * appears the text is cut just before it, as OpenAI does.
 */
final class TextStreamer {
    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private final int longestStop;
    private final GenerationListener listener;
    private final StreamingDecoder decoder;
    private final StringBuilder decoded = new StringBuilder();
    private String view = "";
    private String text;
    private int emitted;
    private int searchFrom;

    TextStreamer(Tokenizer tokenizer, List<String> stopStrings, GenerationListener listener) {
        this.tokenizer = tokenizer;
        this.stopStrings = List.copyOf(stopStrings);
        this.longestStop = stopStrings.stream().mapToInt(String::length).max().orElse(0);
        this.listener = listener;
        this.decoder = new StreamingDecoder(tokenizer, true);
    }

    /** Adds a generated token (never a stop token); returns true when a stop string has now appeared. */
    boolean add(int id) {
        if (text != null) {
            throw new IllegalStateException("the text has ended");
        }
        if (id >= tokenizer.vocabSize()) {
            return false; // a padding row of the model's output layer: no text
        }
        view = decoded.append(decoder.next(id)).toString();
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
            text = decoded.append(decoder.flush()).toString(); // an incomplete character at the very end stays as U+FFFD
        }
        view = text;
        emit(text.length());
        return text;
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
