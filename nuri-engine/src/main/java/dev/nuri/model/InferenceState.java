package dev.nuri.model;

/** One sequence's KV cache and scratch buffers, allocated once. Not thread safe: one sequence, one thread at a time. */
public interface InferenceState {

    /** Tokens held in the cache so far (the position of the next token). */
    int position();

    /** The most tokens this state can hold. */
    int contextLength();

    /** Forgets the tokens from {@code position} on, so the sequence can continue from there (prefix reuse, rollback). */
    void truncate(int position);

    /** An independent copy holding the same cached tokens (beam search forks sequences). */
    InferenceState fork();
}
