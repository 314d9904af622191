package dev.nuri.generate;

/**
 * Receives a generation as it happens. {@link #onText} gets text only once it is final: valid UTF-8 (never half a
 * multi-byte character such as a Korean syllable) and not possibly the start of a stop string. The pieces
 * concatenate to {@link GenerationResult#text()}. Called on the generating thread; keep it quick.
 */
@FunctionalInterface
public interface GenerationListener {

    /** Ignores everything. */
    GenerationListener NONE = text -> {
    };

    /** The next piece of final text (never empty). */
    void onText(String text);

    /** A token was generated (including an end-of-sequence token, which {@link #onText} never shows). */
    default void onToken(int tokenId) {
    }
}
