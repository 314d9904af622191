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

    /**
     * One step over several sequences: row {@code i} appends {@code tokens[i]} to {@code states.get(i)} (a state may
     * appear more than once; its rows take consecutive positions). Returns every row's logits, {@code [rows][vocab]}.
     * A continuous-batching server calls this with one row per active request. This default runs the rows one by one;
     * {@link DecoderModel} runs them as one batched pass (one mat-mat per weight matrix).
     */
    default float[] forwardBatch(java.util.List<? extends InferenceState> states, int[] tokens) {
        if (states.size() != tokens.length) {
            throw new IllegalArgumentException("forwardBatch needs one token per state; got " + states.size()
                    + " states and " + tokens.length + " tokens");
        }
        int vocab = info().vocabSize();
        float[] logits = new float[tokens.length * vocab];
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(forward(states.get(i), new int[] {tokens[i]}, false), 0, logits, i * vocab, vocab);
        }
        return logits;
    }

    @Override
    void close();
}
