package dev.nuri.generate;

import java.util.Arrays;

/**
 * Nucleus filtering (Holtzman et al. 2019) as Hugging Face's {@code TopPLogitsWarper}: sort the tokens by logit,
 * ascending, take the running sum of their probabilities, and remove every token whose running sum is at most
 * {@code 1 - p}; the most likely token always stays. Probabilities are rounded to float and the running sum compared
 * in float, as PyTorch does. Tokens tied with the least likely kept token are all kept (PyTorch leaves the order of
 * ties unspecified). {@code p = 1} keeps everything.
 */
public record TopP(double p) implements LogitsProcessor {
    public TopP {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top-p needs p in (0, 1], got " + p);
        }
    }

    @Override
    public void process(float[] logits, TokenHistory history) {
        if (p >= 1) {
            return;
        }
        int n = 0;
        long[] keys = new long[logits.length];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (v != Float.NEGATIVE_INFINITY) {
                keys[n++] = ((long) sortable(v) << 32) | i;
                max = Math.max(max, v);
            }
        }
        if (n <= 1) {
            return;
        }
        keys = Arrays.copyOf(keys, n);
        Arrays.sort(keys);
        double sum = 0;
        for (long key : keys) {
            sum += Math.exp(logits[(int) key] - max);
        }
        float removeUpTo = (float) (1 - p);
        double cumulative = 0;
        int removed = 0;
        while (removed < n - 1) {
            float prob = (float) (Math.exp(logits[(int) keys[removed]] - max) / sum);
            cumulative += prob;
            if ((float) cumulative > removeUpTo) {
                break;
            }
            removed++;
        }
        float smallestKept = logits[(int) keys[removed]];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < smallestKept) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** An int whose signed order is the float's numeric order. */
    private static int sortable(float v) {
        int bits = Float.floatToIntBits(v);
        return bits < 0 ? bits ^ 0x7fffffff : bits;
    }
}
