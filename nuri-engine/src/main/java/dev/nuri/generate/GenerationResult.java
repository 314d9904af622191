package dev.nuri.generate;

import java.util.List;

/**
 * What a generation produced.
 *
 * @param tokenIds         the generated ids, including the end-of-sequence or stop id that ended them (if any)
 * @param text             the decoded completion: special tokens skipped, cut before a stop string
 * @param finishReason     why it ended
 * @param logprobs         one entry per generated id when log-probabilities were asked for, else empty
 * @param promptTokens     tokens in the prompt
 * @param completionTokens generated tokens ({@code tokenIds.length})
 * @param prefillNanos     time to run the prompt through the model
 * @param decodeNanos      time for everything after the prompt (sampling and one forward pass per further token)
 * @param beams            with beam search, the finished hypotheses best first (the first is this result);
 *                         else empty
 * @param seed             the sampling seed used (the one given, or the fresh one drawn when none was given: pass it
 *                         back in {@link GenerationOptions#seed()} to repeat the run); null when nothing was sampled
 *                         (greedy, beam search)
 */
public record GenerationResult(
        int[] tokenIds,
        String text,
        FinishReason finishReason,
        List<TokenLogprob> logprobs,
        int promptTokens,
        int completionTokens,
        long prefillNanos,
        long decodeNanos,
        List<BeamHypothesis> beams,
        Long seed) {

    public GenerationResult {
        tokenIds = tokenIds.clone();
        logprobs = List.copyOf(logprobs);
        beams = List.copyOf(beams);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    /** Prompt tokens per second, or 0 when unmeasured. */
    public double prefillTokensPerSecond() {
        return prefillNanos > 0 ? promptTokens * 1e9 / prefillNanos : 0;
    }

    /**
     * Decode speed in tokens per second: the first generated token comes from the prefill logits, so the decode
     * phase ran {@code completionTokens - 1} forward passes.
     */
    public double decodeTokensPerSecond() {
        return decodeNanos > 0 && completionTokens > 1 ? (completionTokens - 1) * 1e9 / decodeNanos : 0;
    }
}
