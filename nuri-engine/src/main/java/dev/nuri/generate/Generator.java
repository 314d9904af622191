package dev.nuri.generate;

import dev.nuri.NuriException;
import dev.nuri.model.ContextOverflowException;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.text.Tokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Generates text from a prompt with a {@link LanguageModel} and its {@link Tokenizer}: sampling or greedy decoding
 * through the {@link SamplerChain}, or {@link BeamSearch}; stop ids, stop strings, length limits and cancellation;
 * streamed text; per-token log-probabilities. One instance serves any number of generations, concurrently (each
 * one gets its own {@link InferenceState}).
 *
 * <p>Context: the prompt plus the generated tokens must fit in the model's context. A prompt that leaves no room
 * for one new token fails with {@link ContextOverflowException} (never silent truncation). When the prompt fits but
 * {@code prompt + maxNewTokens} does not, generation runs until the context is full and ends with
 * {@link FinishReason#LENGTH}, as llama.cpp does; a server that must reject such requests up front, as OpenAI's API
 * does with a 400, calls {@link #checkFits} first.
 */
public final class Generator {
    private final LanguageModel model;
    private final Tokenizer tokenizer;

    public Generator(LanguageModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public LanguageModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The most tokens (prompt + generated) one sequence may hold. */
    public int contextLength() {
        return model.info().contextLength();
    }

    /**
     * Throws {@link ContextOverflowException} unless {@code promptTokens + options.maxNewTokens()} fits in the
     * context: the strict check an OpenAI-compatible server makes before accepting a request.
     */
    public void checkFits(int promptTokens, GenerationOptions options) {
        long total = (long) promptTokens + options.maxNewTokens();
        if (total > contextLength()) {
            throw new ContextOverflowException("the prompt (" + promptTokens + " tokens) plus up to "
                    + options.maxNewTokens() + " new tokens needs " + total + " tokens but the context holds "
                    + contextLength() + "; shorten the prompt or lower the maximum number of new tokens");
        }
    }

    /** Encodes {@code prompt} with the tokenizer (special tokens such as BOS added) and generates a completion. */
    public GenerationResult generate(String prompt, GenerationOptions options, GenerationListener listener) {
        return generate(tokenizer.encode(prompt, true), options, listener, Cancellation.none());
    }

    public GenerationResult generate(int[] promptIds, GenerationOptions options) {
        return generate(promptIds, options, GenerationListener.NONE, Cancellation.none());
    }

    public GenerationResult generate(int[] promptIds, GenerationOptions options, GenerationListener listener) {
        return generate(promptIds, options, listener, Cancellation.none());
    }

    /**
     * Generates a completion of {@code promptIds}. {@code listener} receives the text as it becomes final (with
     * beam search: the best hypothesis's text, once, at the end). {@code cancellation} is checked before every step.
     */
    public GenerationResult generate(int[] promptIds, GenerationOptions options, GenerationListener listener,
            Cancellation cancellation) {
        if (options.numBeams() > 1) {
            int limit = checkPrompt(promptIds, options);
            return new BeamSearch(model, tokenizer, options, stopIds(options))
                    .run(promptIds, limit, listener, cancellation);
        }
        return sample(promptIds, options, listener, cancellation);
    }

    /** Validates the prompt and returns how many tokens may be generated. */
    int checkPrompt(int[] promptIds, GenerationOptions options) {
        if (promptIds.length == 0) {
            throw new NuriException("the prompt is empty: a generation needs at least one prompt token (e.g. BOS)");
        }
        int vocab = model.info().vocabSize();
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                throw new NuriException("prompt token " + i + " has id " + promptIds[i]
                        + ", outside the model's vocabulary [0, " + vocab + ")");
            }
        }
        for (int id : options.stopTokenIds()) {
            if (id >= vocab) {
                throw new NuriException("stop token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
            }
        }
        int context = contextLength();
        if (promptIds.length >= context) {
            throw new ContextOverflowException("the prompt has " + promptIds.length + " tokens but the context holds "
                    + context + ", which leaves no room for a new token; shorten the prompt");
        }
        return Math.min(options.maxNewTokens(), context - promptIds.length);
    }

    /**
     * The ids that end a sequence: the extra stop ids, plus (unless ignoring EOS) the model's and the tokenizer's
     * end-of-sequence ids that the model can produce.
     */
    Set<Integer> stopIds(GenerationOptions options) {
        Set<Integer> ids = new HashSet<>(options.stopTokenIds());
        if (!options.ignoreEos()) {
            ids.addAll(model.info().eosIds());
            ids.addAll(tokenizer.eosIds());
        }
        int vocab = model.info().vocabSize();
        ids.removeIf(id -> id >= vocab);
        return ids;
    }

    private GenerationResult sample(int[] promptIds, GenerationOptions options, GenerationListener listener,
            Cancellation cancellation) {
        SequenceDecoder sequence = new SequenceDecoder(this, promptIds, options, listener);
        if (cancellation.isCancelled()) {
            sequence.cancel();
            return sequence.result(0, 0);
        }
        long start = System.nanoTime();
        InferenceState state = model.newState(promptIds.length + sequence.limit());
        float[] logits = model.forward(state, promptIds, false);
        long prefillNanos = System.nanoTime() - start;
        long decodeStart = System.nanoTime();
        while (true) {
            if (cancellation.isCancelled()) {
                sequence.cancel();
                break;
            }
            if (sequence.next(logits, 0)) {
                break;
            }
            logits = model.forward(state, new int[] {sequence.lastToken()}, false);
        }
        return sequence.result(prefillNanos, System.nanoTime() - decodeStart);
    }

    /** {@code logits}, after making sure the model gave a full row of numbers (NaN would sample garbage). */
    static float[] checked(float[] logits) {
        for (float v : logits) {
            if (Float.isNaN(v)) {
                throw new NuriException("the model returned NaN logits: its weights or its computation are broken"
                        + " (check the model file and its dtype)");
            }
        }
        return logits;
    }

    TokenLogprob logprob(double[] logprobs, int token, int top) {
        List<TopLogprob> alternatives = new ArrayList<>(top);
        for (int id : Distributions.topIndices(logprobs, top)) {
            alternatives.add(new TopLogprob(id, tokenText(id), logprobs[id]));
        }
        return new TokenLogprob(token, tokenText(token), logprobs[token], alternatives);
    }

    private String tokenText(int id) {
        return id < tokenizer.vocabSize() ? tokenizer.decode(new int[] {id}, false) : "";
    }
}
