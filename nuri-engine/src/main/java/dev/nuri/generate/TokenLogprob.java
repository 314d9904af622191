package dev.nuri.generate;

import java.util.List;

/**
 * The log-probability of a generated token and the {@code top} most likely alternatives at that step, best first.
 * These come from the log-softmax of the model's raw logits (before penalties, temperature and filters), as
 * OpenAI and vLLM (by default) report them: they describe the model, not the sampler settings.
 */
public record TokenLogprob(int id, String token, double logprob, List<TopLogprob> top) {
    public TokenLogprob {
        top = List.copyOf(top);
    }
}
