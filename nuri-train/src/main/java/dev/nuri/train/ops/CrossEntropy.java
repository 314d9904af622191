package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * Fused softmax + cross-entropy over {@code logits [N, V]} with targets {@code [N]}; target {@value #IGNORE} marks a
 * position that does not count. The loss is the mean over counted positions (PyTorch's {@code reduction="mean"}
 * with {@code ignore_index=-100}); the gradient overwrites the logits in place, which saves an [N, V] buffer.
 */
public final class CrossEntropy {
    public static final int IGNORE = -100;

    private CrossEntropy() {
    }

    /** The number of positions whose target is not {@value #IGNORE}. */
    public static int counted(int[] targets) {
        int c = 0;
        for (int t : targets) {
            if (t != IGNORE) {
                c++;
            }
        }
        return c;
    }

    /**
     * Per-position losses into {@code losses[N]} (0 for ignored positions); when {@code gradScale != 0} the logits
     * are replaced by {@code gradScale · (softmax - onehot)} (0 for ignored rows). Returns the sum of the losses.
     */
    public static double forwardBackward(float[] logits, int[] targets, float[] losses, int n, int vocab,
                                         float gradScale, Parallel par) {
        par.forRange(n, 4, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = r * vocab;
                int target = targets[r];
                if (target == IGNORE) {
                    losses[r] = 0f;
                    if (gradScale != 0f) {
                        java.util.Arrays.fill(logits, o, o + vocab, 0f);
                    }
                    continue;
                }
                if (target < 0 || target >= vocab) {
                    throw new IllegalArgumentException("label " + target + " at position " + r
                            + " is outside the vocabulary [0, " + vocab + ") and is not " + IGNORE);
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < vocab; i++) {
                    max = Math.max(max, logits[o + i]);
                }
                float targetLogit = logits[o + target];
                double sum = 0;
                if (gradScale != 0f) {
                    for (int i = 0; i < vocab; i++) {
                        float e = (float) Math.exp(logits[o + i] - max);
                        logits[o + i] = e;
                        sum += e;
                    }
                    float k = (float) (gradScale / sum);
                    for (int i = 0; i < vocab; i++) {
                        logits[o + i] *= k;
                    }
                    logits[o + target] -= gradScale;
                } else {
                    for (int i = 0; i < vocab; i++) {
                        sum += Math.exp(logits[o + i] - max);
                    }
                }
                losses[r] = (float) (max + Math.log(sum) - targetLogit);
            }
        });
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += losses[r];
        }
        return total;
    }
}
