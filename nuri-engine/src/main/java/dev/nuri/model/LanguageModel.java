package dev.nuri.model;

/**
 * A loaded causal language model: weights (mapped, not copied) plus the math of one architecture.
 * One instance serves many generations; per-sequence data lives in {@link InferenceState}.
 * Thread safety: concurrent {@link #forward} calls are allowed on different states.
 */
public interface LanguageModel extends AutoCloseable {

    ModelInfo info();

    /** A fresh sequence whose KV cache is preallocated for {@code contextLength} tokens (at most {@link ModelInfo#contextLength()}). */
    InferenceState newState(int contextLength);

    /**
     * Appends {@code tokens} to the sequence (positions {@code state.position()} onwards), updating its KV cache.
     * Returns the logits of the last token ({@code vocabSize} floats) or, with {@code allLogits}, of every
     * token ({@code tokens.length * vocabSize} floats, row per token). Several tokens run as one batched
     * (mat-mat) pass. Throws {@link ContextOverflowException} if the tokens do not fit in the state's context.
     */
    float[] forward(InferenceState state, int[] tokens, boolean allLogits);

    @Override
    void close();
}
