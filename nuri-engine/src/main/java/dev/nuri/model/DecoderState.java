package dev.nuri.model;

import dev.nuri.tensor.Rope;

/** One sequence of a {@link DecoderModel}: its KV cache, position and scratch buffers. */
final class DecoderState implements InferenceState {
    final DecoderModel model;
    final KvCache cache;
    final Rope rope;
    private int position;
    private ForwardBuffers buffers;

    DecoderState(DecoderModel model, KvCache cache, Rope rope, int position) {
        this.model = model;
        this.cache = cache;
        this.rope = rope;
        this.position = position;
    }

    @Override
    public int position() {
        return position;
    }

    void advance(int tokens) {
        position += tokens;
    }

    @Override
    public int contextLength() {
        return cache.capacity();
    }

    @Override
    public void truncate(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot truncate a sequence of " + position + " tokens to " + newPosition);
        }
        position = newPosition;
    }

    @Override
    public InferenceState fork() {
        return new DecoderState(model, cache.copy(position), rope, position);
    }

    /** Buffers for at least {@code rows} rows (grown, never shrunk). */
    ForwardBuffers buffers(int rows) {
        if (buffers == null || buffers.rows < rows) {
            buffers = new ForwardBuffers(model.config(), rows);
        }
        return buffers;
    }
}
