package dev.nuri.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The sampling side of one sequence, one step at a time: given the model's logits for the next token, it runs the
 * {@link SamplerChain}, records the token (history, log-probabilities, streamed text, stop rules) and says whether
 * the sequence has ended. It owns no model state, so whoever runs the forward passes decides how: {@link Generator}
 * runs one sequence in a loop; a continuous-batching scheduler runs one batched pass over many sequences and hands
 * each its row of logits. Not thread safe: one sequence, one thread at a time.
 */
public final class SequenceDecoder {
    private final Generator generator;
    private final GenerationOptions options;
    private final int promptLength;
    private final int limit;
    private final Set<Integer> stopIds;
    private final SamplerChain chain;
    private final Long seed;
    private final SplittableRandom random;
    private final TokenHistory history;
    private final TextStreamer streamer;
    private final GenerationListener listener;
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private int lastToken = -1;
    private FinishReason finishReason;
    private String text;

    /**
     * Checks the prompt as {@link Generator#generate} does (non-empty, ids in the vocabulary, room for one new
     * token) and prepares the sampler; fails with a {@link dev.nuri.NuriException} naming the problem. Beam search
     * is not a per-sequence step: {@code options.numBeams()} must be 1.
     */
    public SequenceDecoder(Generator generator, int[] promptIds, GenerationOptions options, GenerationListener listener) {
        if (options.numBeams() != 1) {
            throw new dev.nuri.NuriException("beam search (numBeams " + options.numBeams()
                    + ") runs whole sequences, not steps; use Generator.generate");
        }
        this.generator = generator;
        this.options = options;
        this.promptLength = promptIds.length;
        this.limit = generator.checkPrompt(promptIds, options);
        this.stopIds = generator.stopIds(options);
        this.chain = SamplerChain.of(options);
        this.seed = options.greedy() ? null : options.seed() != null ? options.seed() : new SplittableRandom().nextLong();
        this.random = new SplittableRandom(seed != null ? seed : 0);
        this.history = new TokenHistory(generator.model().info().vocabSize(), promptIds);
        this.streamer = new TextStreamer(generator.tokenizer(), options.stopStrings(), listener);
        this.listener = listener;
    }

    /** The most tokens this sequence may generate ({@code maxNewTokens}, or less where the context ends first). */
    public int limit() {
        return limit;
    }

    public int promptLength() {
        return promptLength;
    }

    /**
     * Samples the next token from {@code logits[offset, offset + vocab)} (the row is left untouched) and records it;
     * returns true when the sequence has now ended (end-of-sequence or stop id, stop string, or length limit).
     */
    public boolean next(float[] logits, int offset) {
        if (finishReason != null) {
            throw new IllegalStateException("the sequence has ended (" + finishReason.apiName() + ")");
        }
        int vocab = history.vocabSize();
        float[] row = new float[vocab];
        System.arraycopy(logits, offset, row, 0, vocab);
        Generator.checked(row);
        double[] raw = options.logprobs() ? Distributions.logSoftmax(row) : null;
        int token = chain.next(row, history, random);
        if (raw != null) {
            logprobs.add(generator.logprob(raw, token, options.topLogprobs()));
        }
        lastToken = token;
        history.add(token);
        listener.onToken(token);
        if (stopIds.contains(token) || streamer.add(token)) {
            finishReason = FinishReason.STOP;
        } else if (history.generatedLength() >= limit) {
            finishReason = FinishReason.LENGTH;
        }
        return finishReason != null;
    }

    /** Ends the sequence early (the caller cancelled); a no-op when it has already ended. */
    public void cancel() {
        if (finishReason == null) {
            finishReason = FinishReason.CANCELLED;
        }
    }

    /** The token {@link #next} chose last: the one to feed the model for the following step. */
    public int lastToken() {
        return lastToken;
    }

    public boolean finished() {
        return finishReason != null;
    }

    /** Why the sequence ended, or null while it runs. */
    public FinishReason finishReason() {
        return finishReason;
    }

    /** The log-probabilities recorded so far (empty unless {@code options.logprobs()}), a read-only view. */
    public List<TokenLogprob> logprobs() {
        return java.util.Collections.unmodifiableList(logprobs);
    }

    public int generatedLength() {
        return history.generatedLength();
    }

    /**
     * The result, once ended: passes any text still held back to the listener (once). The timings are the caller's
     * (it ran the forward passes).
     */
    public GenerationResult result(long prefillNanos, long decodeNanos) {
        if (finishReason == null) {
            throw new IllegalStateException("the sequence is still running");
        }
        if (text == null) {
            text = streamer.finish();
        }
        return new GenerationResult(history.generated(), text, finishReason, logprobs, promptLength,
                history.generatedLength(), prefillNanos, decodeNanos, List.of(), seed);
    }
}
