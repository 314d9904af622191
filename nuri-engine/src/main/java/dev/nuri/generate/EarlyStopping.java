package dev.nuri.generate;

/**
 * When beam search stops, exactly as Hugging Face's {@code early_stopping} ({@code True}, {@code False},
 * {@code "never"}).
 */
public enum EarlyStopping {
    /** Stop as soon as {@code numBeams} finished hypotheses exist. */
    TRUE,
    /**
     * Stop when the best running beam, scored at its current length, can no longer beat the worst finished
     * hypothesis (HF's default heuristic).
     */
    FALSE,
    /**
     * Canonical beam search: stop only when no running beam can improve, estimating the best running score at
     * the longest possible length when {@code lengthPenalty > 0}.
     */
    NEVER
}
