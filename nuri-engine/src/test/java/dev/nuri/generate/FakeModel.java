package dev.nuri.generate;

import dev.nuri.model.ContextOverflowException;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.ModelInfo;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;

/**
 * A deterministic stand-in for a model: the logits of the next token are a function of the whole sequence so far.
 * Counts forward passes, forwarded tokens and forks so tests can check what the generator asked for.
 */
final class FakeModel implements LanguageModel {
    private final ModelInfo info;
    private final Function<int[], float[]> next;
    int forwardCalls;
    int forks;

    FakeModel(int vocabSize, int contextLength, Set<Integer> eosIds, Function<int[], float[]> next) {
        this.info = new ModelInfo("fake", "fake", vocabSize, contextLength, -1, eosIds);
        this.next = next;
    }

    /** A bigram model: {@code table[previous token]} are the logits of the next one. */
    static FakeModel bigram(float[][] table, int contextLength, Set<Integer> eosIds) {
        return new FakeModel(table.length, contextLength, eosIds, seq -> table[seq[seq.length - 1]].clone());
    }

    /**
     * A model that, after a prompt of {@code promptLength} tokens, emits {@code script} in order (logit 10 for the
     * scripted token, 0 for the others), then token {@code after} forever.
     */
    static FakeModel scripted(int vocabSize, int contextLength, Set<Integer> eosIds, int promptLength, int[] script,
            int after) {
        return new FakeModel(vocabSize, contextLength, eosIds, seq -> {
            float[] logits = new float[vocabSize];
            int i = seq.length - promptLength; // negative inside the prompt, where the logits do not matter
            logits[i < 0 ? after : i < script.length ? script[i] : after] = 10;
            return logits;
        });
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public InferenceState newState(int contextLength) {
        if (contextLength > info.contextLength()) {
            throw new IllegalArgumentException("state of " + contextLength + " > model context " + info.contextLength());
        }
        return new State(new int[0], contextLength);
    }

    @Override
    public float[] forward(InferenceState state, int[] tokens, boolean allLogits) {
        State s = (State) state;
        if (s.tokens.length + tokens.length > s.contextLength) {
            throw new ContextOverflowException(s.tokens.length, tokens.length, s.contextLength);
        }
        forwardCalls++;
        float[] all = new float[tokens.length * info.vocabSize()];
        for (int i = 0; i < tokens.length; i++) {
            s.tokens = Arrays.copyOf(s.tokens, s.tokens.length + 1);
            s.tokens[s.tokens.length - 1] = tokens[i];
            System.arraycopy(next.apply(s.tokens.clone()), 0, all, i * info.vocabSize(), info.vocabSize());
        }
        return allLogits ? all : Arrays.copyOfRange(all, all.length - info.vocabSize(), all.length);
    }

    /** The logits the model gives after {@code sequence}, without touching any state. */
    float[] forwardOnlyForTest(int[] sequence) {
        return next.apply(sequence.clone());
    }

    @Override
    public void close() {
    }

    final class State implements InferenceState {
        int[] tokens;
        final int contextLength;

        State(int[] tokens, int contextLength) {
            this.tokens = tokens;
            this.contextLength = contextLength;
        }

        @Override
        public int position() {
            return tokens.length;
        }

        @Override
        public int contextLength() {
            return contextLength;
        }

        @Override
        public void truncate(int position) {
            tokens = Arrays.copyOf(tokens, position);
        }

        @Override
        public InferenceState fork() {
            forks++;
            return new State(tokens.clone(), contextLength);
        }
    }
}
