package dev.nuri.model.t5;

import dev.nuri.model.InferenceState;

/** One decoder sequence: the self-attention KV cache, plus the (shared, read-only) encoder output it attends to. */
final class T5DecoderState implements InferenceState {
    final float[][] keys;
    final float[][] values;
    private final T5Model.Encoded encoded;
    private final int contextLength;
    private final int inner;
    private int position;

    T5DecoderState(T5Model.Encoded encoded, int layers, int inner, int contextLength) {
        this.encoded = encoded;
        this.contextLength = contextLength;
        this.inner = inner;
        this.keys = new float[layers][Math.multiplyExact(contextLength, inner)];
        this.values = new float[layers][Math.multiplyExact(contextLength, inner)];
    }

    T5Model.Encoded encoded() {
        return encoded;
    }

    void advance(int tokens) {
        position += tokens;
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int contextLength() {
        return contextLength;
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
        T5DecoderState copy = new T5DecoderState(encoded, keys.length, inner, contextLength);
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], 0, copy.keys[l], 0, position * inner);
            System.arraycopy(values[l], 0, copy.values[l], 0, position * inner);
        }
        copy.position = position;
        return copy;
    }
}
