package dev.nuri.generate;

/** Softmax, log-softmax and argmax over a logits array, computed in double and stable against overflow. */
public final class Distributions {
    private Distributions() {
    }

    /** Index of the highest logit; the lowest index among ties (as {@code torch.argmax}). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Probabilities; a logit of negative infinity gets exactly 0. */
    public static double[] softmax(float[] logits) {
        float max = logits[argmax(logits)];
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((double) logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Log-probabilities: {@code logit - max - log(sum(exp(logit - max)))}. */
    public static double[] logSoftmax(float[] logits) {
        float max = logits[argmax(logits)];
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp((double) v - max);
        }
        double logSum = Math.log(sum) + max;
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - logSum;
        }
        return out;
    }

    /** Indices of the {@code n} largest values, largest first (lower index first among ties). */
    public static int[] topIndices(double[] values, int n) {
        n = Math.min(n, values.length);
        int[] top = new int[n];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size < n) {
                top[size++] = i;
            } else if (values[i] > values[top[n - 1]]) {
                top[n - 1] = i;
            } else {
                continue;
            }
            for (int j = size - 1; j > 0 && values[top[j]] > values[top[j - 1]]; j--) {
                int t = top[j];
                top[j] = top[j - 1];
                top[j - 1] = t;
            }
        }
        return top;
    }
}
