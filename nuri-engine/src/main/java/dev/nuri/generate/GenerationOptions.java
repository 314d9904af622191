package dev.nuri.generate;

import dev.nuri.NuriException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How to generate: length, sampler settings, beam search, stop rules and log-probabilities. Build one with
 * {@link #builder()}; every field is checked here and a bad value fails with a {@link NuriException} whose message
 * names the field, the allowed range and the value given.
 *
 * @param maxNewTokens      the most tokens to generate (at least 1); generation also stops when the context is full
 * @param temperature       0 = greedy (argmax); otherwise logits are divided by it before the filters
 * @param topK              keep the k most likely tokens (ties with the k-th kept too); 0 = off
 * @param topP              keep the smallest set of most likely tokens whose probability reaches p; 1 = off
 * @param minP              drop tokens less likely than {@code minP} × the most likely one; 0 = off
 * @param repetitionPenalty Hugging Face / CTRL penalty on every token of prompt + generated text: positive logits
 *                          are divided by it, negative ones multiplied; 1 = off
 * @param presencePenalty   OpenAI: subtracted once from the logit of every token already generated; 0 = off
 * @param frequencyPenalty  OpenAI: subtracted per occurrence from the logit of every token already generated; 0 = off
 * @param seed              seed of the sampling random number generator (same seed, same options, same model =
 *                          same tokens), or null for a fresh random seed
 * @param numBeams          1 = sampling/greedy; more = Hugging Face beam search (needs temperature 0)
 * @param lengthPenalty     beam search: a finished hypothesis scores sum(logprob) / length^lengthPenalty
 * @param earlyStopping     beam search stopping rule, as Hugging Face's {@code early_stopping}
 * @param stopStrings       text that ends the generation; the returned text stops before it (OpenAI {@code stop})
 * @param stopTokenIds      ids that end the generation besides the model's end-of-sequence ids (vLLM
 *                          {@code stop_token_ids}); they are kept even with {@code ignoreEos}
 * @param logprobs          report the log-probability of every generated token
 * @param topLogprobs       with {@code logprobs}, how many most likely alternatives to report per token (0–20)
 * @param ignoreEos         keep generating past end-of-sequence ids (benchmarks that need a fixed length)
 */
public record GenerationOptions(
        int maxNewTokens,
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        Long seed,
        int numBeams,
        double lengthPenalty,
        EarlyStopping earlyStopping,
        List<String> stopStrings,
        Set<Integer> stopTokenIds,
        boolean logprobs,
        int topLogprobs,
        boolean ignoreEos) {

    /** OpenAI accepts at most 20 alternatives per token. */
    public static final int MAX_TOP_LOGPROBS = 20;

    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new NuriException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new NuriException(
                    "temperature must be 0 (greedy) or a positive finite number, got " + temperature);
        }
        if (topK < 0) {
            throw new NuriException("topK must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new NuriException("topP must be in (0, 1] (1 = off), got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new NuriException("minP must be in [0, 1] (0 = off), got " + minP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new NuriException(
                    "repetitionPenalty must be a positive finite number (1 = off), got " + repetitionPenalty);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new NuriException("presencePenalty must be in [-2, 2] (0 = off), got " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new NuriException(
                    "frequencyPenalty must be in [-2, 2] (0 = off), got " + frequencyPenalty);
        }
        if (numBeams < 1) {
            throw new NuriException("numBeams must be at least 1 (1 = no beam search), got " + numBeams);
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw new NuriException("lengthPenalty must be a finite number, got " + lengthPenalty);
        }
        if (earlyStopping == null) {
            throw new NuriException("earlyStopping must be TRUE, FALSE or NEVER, got null");
        }
        if (stopStrings == null) {
            throw new NuriException("stopStrings must not be null (use an empty list)");
        }
        for (String s : stopStrings) {
            if (s == null || s.isEmpty()) {
                throw new NuriException("stop strings must not be null or empty, got " + stopStrings);
            }
        }
        stopStrings = List.copyOf(stopStrings);
        if (stopTokenIds == null) {
            throw new NuriException("stopTokenIds must not be null (use an empty set)");
        }
        for (Integer id : stopTokenIds) {
            if (id == null || id < 0) {
                throw new NuriException("stop token ids must not be null or negative, got " + id);
            }
        }
        stopTokenIds = Set.copyOf(stopTokenIds);
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new NuriException(
                    "topLogprobs must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        }
        if (topLogprobs > 0 && !logprobs) {
            throw new NuriException("topLogprobs " + topLogprobs + " needs logprobs enabled");
        }
        if (numBeams > 1) {
            if (temperature != 0) {
                throw new NuriException("beam search (numBeams " + numBeams
                        + ") is deterministic: set temperature to 0 (beam sampling is not supported), got "
                        + temperature);
            }
            if (logprobs) {
                throw new NuriException("logprobs are not reported with beam search (numBeams "
                        + numBeams + "); use numBeams 1");
            }
        }
    }

    /** Greedy decoding of at most {@code maxNewTokens} tokens, no penalties, no stop strings. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return builder().maxNewTokens(maxNewTokens).build();
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.repetitionPenalty = repetitionPenalty;
        b.presencePenalty = presencePenalty;
        b.frequencyPenalty = frequencyPenalty;
        b.seed = seed;
        b.numBeams = numBeams;
        b.lengthPenalty = lengthPenalty;
        b.earlyStopping = earlyStopping;
        b.stopStrings = stopStrings;
        b.stopTokenIds = stopTokenIds;
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.ignoreEos = ignoreEos;
        return b;
    }

    /**
     * Defaults: 256 new tokens, greedy (temperature 0, as Hugging Face's {@code do_sample=False}), every filter and
     * penalty off, one beam, length penalty 1, early stopping FALSE (Hugging Face's defaults), no stop strings.
     */
    public static final class Builder {
        private int maxNewTokens = 256;
        private double temperature = 0;
        private int topK = 0;
        private double topP = 1;
        private double minP = 0;
        private double repetitionPenalty = 1;
        private double presencePenalty = 0;
        private double frequencyPenalty = 0;
        private Long seed;
        private int numBeams = 1;
        private double lengthPenalty = 1;
        private EarlyStopping earlyStopping = EarlyStopping.FALSE;
        private List<String> stopStrings = List.of();
        private Set<Integer> stopTokenIds = Set.of();
        private boolean logprobs;
        private int topLogprobs;
        private boolean ignoreEos;

        private Builder() {
        }

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder minP(double v) {
            minP = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder presencePenalty(double v) {
            presencePenalty = v;
            return this;
        }

        public Builder frequencyPenalty(double v) {
            frequencyPenalty = v;
            return this;
        }

        /** A fixed seed for reproducible sampling; null for a fresh random one. */
        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder numBeams(int v) {
            numBeams = v;
            return this;
        }

        public Builder lengthPenalty(double v) {
            lengthPenalty = v;
            return this;
        }

        public Builder earlyStopping(EarlyStopping v) {
            earlyStopping = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = v;
            return this;
        }

        public Builder stopStrings(String... v) {
            stopStrings = Arrays.asList(v);
            return this;
        }

        public Builder stopTokenIds(Set<Integer> v) {
            stopTokenIds = v;
            return this;
        }

        public Builder stopTokenIds(Integer... v) {
            stopTokenIds = new LinkedHashSet<>(Arrays.asList(v));
            return this;
        }

        /** Report each token's log-probability and its {@code top} most likely alternatives (0–20). */
        public Builder logprobs(int top) {
            logprobs = true;
            topLogprobs = top;
            return this;
        }

        public Builder logprobs(boolean v) {
            logprobs = v;
            return this;
        }

        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(maxNewTokens, temperature, topK, topP, minP, repetitionPenalty,
                    presencePenalty, frequencyPenalty, seed, numBeams, lengthPenalty, earlyStopping, stopStrings,
                    stopTokenIds, logprobs, topLogprobs, ignoreEos);
        }
    }
}
