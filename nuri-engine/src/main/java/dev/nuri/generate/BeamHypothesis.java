package dev.nuri.generate;

/**
 * One finished beam-search sequence.
 *
 * @param tokenIds     the generated ids (the end-of-sequence id included when one ended it, as Hugging Face returns)
 * @param text         the decoded text, without the end-of-sequence token and cut before a stop string
 * @param score        Hugging Face's {@code sequences_scores}: the sum of the token log-probabilities divided by
 *                     {@code length ^ lengthPenalty}, length counting every generated token (the end-of-sequence
 *                     token included)
 * @param finishReason STOP when an end-of-sequence id or stop string ended it, LENGTH at the length limit
 */
public record BeamHypothesis(int[] tokenIds, String text, double score, FinishReason finishReason) {
    public BeamHypothesis {
        tokenIds = tokenIds.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
