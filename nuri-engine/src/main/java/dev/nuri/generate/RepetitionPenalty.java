package dev.nuri.generate;

/**
 * The CTRL repetition penalty (Keskar et al. 2019) as Hugging Face's {@code RepetitionPenaltyLogitsProcessor}:
 * for every distinct token of prompt + generated text, a positive logit is divided by the penalty and a negative
 * one multiplied (so a penalty above 1 always makes the token less likely). Each token is penalized once however
 * often it occurs.
 */
public record RepetitionPenalty(float penalty) implements LogitsProcessor {
    public RepetitionPenalty {
        if (!(penalty > 0) || Float.isInfinite(penalty)) {
            throw new IllegalArgumentException("repetition penalty must be a positive finite number, got " + penalty);
        }
    }

    @Override
    public void process(float[] logits, TokenHistory history) {
        for (int i = 0, n = history.distinctCount(); i < n; i++) {
            int id = history.distinctId(i);
            float v = logits[id];
            logits[id] = v < 0 ? v * penalty : v / penalty;
        }
    }
}
