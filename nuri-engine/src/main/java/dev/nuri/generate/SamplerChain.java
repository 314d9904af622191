package dev.nuri.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks the next token from raw logits: the {@link LogitsProcessor}s in order, then argmax (temperature 0) or a draw
 * from the softmax of what is left. The order is Hugging Face's ({@code generate()} puts logits processors before
 * warpers): repetition penalty, presence/frequency penalty, temperature, top-k, top-p, min-p. Greedy decoding keeps
 * only the penalties (the filters never remove the argmax, temperature never moves it).
 */
public final class SamplerChain {
    private final List<LogitsProcessor> processors;
    private final boolean greedy;

    public SamplerChain(List<LogitsProcessor> processors, boolean greedy) {
        this.processors = List.copyOf(processors);
        this.greedy = greedy;
    }

    /** The chain for {@code options}, leaving out steps that are off. */
    public static SamplerChain of(GenerationOptions options) {
        List<LogitsProcessor> chain = new ArrayList<>(penalties(options));
        if (!options.greedy()) {
            if (options.temperature() != 1) {
                chain.add(new Temperature((float) options.temperature()));
            }
            if (options.topK() > 0) {
                chain.add(new TopK(options.topK()));
            }
            if (options.topP() < 1) {
                chain.add(new TopP(options.topP()));
            }
            if (options.minP() > 0) {
                chain.add(new MinP(options.minP()));
            }
        }
        return new SamplerChain(chain, options.greedy());
    }

    /** The penalty steps of {@code options} (the part of the chain beam search also applies). */
    static List<LogitsProcessor> penalties(GenerationOptions options) {
        List<LogitsProcessor> chain = new ArrayList<>();
        if (options.repetitionPenalty() != 1) {
            chain.add(new RepetitionPenalty((float) options.repetitionPenalty()));
        }
        if (options.presencePenalty() != 0 || options.frequencyPenalty() != 0) {
            chain.add(new PresenceFrequencyPenalty((float) options.presencePenalty(),
                    (float) options.frequencyPenalty()));
        }
        return chain;
    }

    public List<LogitsProcessor> processors() {
        return processors;
    }

    public boolean greedy() {
        return greedy;
    }

    /** Runs the processors over {@code logits} in place. */
    public void process(float[] logits, TokenHistory history) {
        for (LogitsProcessor p : processors) {
            p.process(logits, history);
        }
    }

    /** The distribution a token is drawn from (processors applied to a copy, then softmax). */
    public double[] probabilities(float[] logits, TokenHistory history) {
        float[] work = logits.clone();
        process(work, history);
        return Distributions.softmax(work);
    }

    /**
     * The next token. Overwrites {@code logits} with the processed logits. {@code random} is untouched when greedy.
     */
    public int next(float[] logits, TokenHistory history, SplittableRandom random) {
        process(logits, history);
        if (greedy) {
            return Distributions.argmax(logits);
        }
        return draw(logits, random);
    }

    /**
     * Inverse-CDF draw from the softmax of {@code logits}: the first token whose running sum of
     * {@code exp(logit - max)} exceeds a uniform number in [0, sum). Removed tokens (-inf) are skipped.
     */
    static int draw(float[] logits, SplittableRandom random) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] weights = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                weights[i] = Math.exp(logits[i] - max);
                sum += weights[i];
            }
        }
        double u = random.nextDouble() * sum;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                cumulative += weights[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // u fell in the rounding gap above the running sum
    }
}
