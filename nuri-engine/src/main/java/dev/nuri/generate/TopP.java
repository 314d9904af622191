package dev.nuri.generate;

import java.util.Arrays;

/**
 * Nucleus filtering (Holtzman et al. 2019) as Hugging Face's {@code TopPLogitsWarper}: sort the tokens by logit,
 * ascending, take the running sum of their probabilities, and remove every token whose running sum is at most
 * {@code 1 - p}; the most likely token always stays. Probabilities are rounded to float and the running sums compared
 * in float, as PyTorch does. Tokens tied with the least likely kept token are all kept (PyTorch leaves the order of
 * ties unspecified). {@code p = 1} keeps everything.
 *
 * <p>Only the most likely tokens are sorted: the running sum below them is {@code 1 - their mass}, and when that is
 * already at most {@code 1 - p} every other token is removed. Otherwise the search widens (64, then 1024 tokens,
 * then a sort of the whole vocabulary).
 */
public record TopP(double p) implements LogitsProcessor {
    private static final int FIRST_CANDIDATES = 64;
    private static final int MAX_HEAP_CANDIDATES = 1024;

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
        float max = Float.NEGATIVE_INFINITY;
        int live = 0;
        for (float v : logits) {
            if (v != Float.NEGATIVE_INFINITY) {
                live++;
                max = Math.max(max, v);
            }
        }
        if (live <= 1) {
            return;
        }
        double sum = 0;
        for (float v : logits) {
            if (v != Float.NEGATIVE_INFINITY) {
                sum += Math.exp(v - max);
            }
        }
        float removeUpTo = (float) (1 - p);
        for (int m = Math.min(FIRST_CANDIDATES, live); m <= MAX_HEAP_CANDIDATES && m < live; m *= 16) {
            int[] top = Distributions.topIndices(logits, m); // best first
            double mass = 0;
            for (int i : top) {
                mass += Math.exp(logits[i] - max) / sum;
            }
            double below = Math.max(0, 1 - mass); // the running sum just below the candidates
            if ((float) below <= removeUpTo) {
                int[] ascending = new int[m];
                for (int j = 0; j < m; j++) {
                    ascending[j] = top[m - 1 - j];
                }
                filter(logits, ascending, below, max, sum, removeUpTo);
                return;
            }
        }
        filter(logits, allAscending(logits, live), 0, max, sum, removeUpTo);
    }

    /** The ids of every live token, least likely first (a sort of packed (logit, id) keys). */
    private static int[] allAscending(float[] logits, int live) {
        long[] keys = new long[live];
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                int bits = Float.floatToIntBits(logits[i]);
                int sortable = bits < 0 ? bits ^ 0x7fffffff : bits;
                keys[n++] = ((long) sortable << 32) | i;
            }
        }
        Arrays.sort(keys);
        int[] ids = new int[live];
        for (int j = 0; j < live; j++) {
            ids[j] = (int) keys[j];
        }
        return ids;
    }

    /**
     * Continues the running sum {@code below} over the candidates, least likely first, and removes every token below
     * the first one whose running sum exceeds {@code 1 - p} (the most likely candidate always stays).
     */
    private static void filter(float[] logits, int[] ascending, double below, float max, double sum, float removeUpTo) {
        double cumulative = below;
        int kept = ascending.length - 1;
        for (int j = 0; j < ascending.length - 1; j++) {
            cumulative += (float) (Math.exp(logits[ascending[j]] - max) / sum);
            if ((float) cumulative > removeUpTo) {
                kept = j;
                break;
            }
        }
        float smallestKept = logits[ascending[kept]];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < smallestKept) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
