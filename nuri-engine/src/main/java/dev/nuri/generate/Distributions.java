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

    /**
     * Indices of the {@code n} highest logits, highest first (lower index first among ties), with a size-n heap:
     * O(vocab log n).
     */
    public static int[] topIndices(float[] values, int n) {
        n = Math.min(n, values.length);
        int[] heap = new int[n]; // a min-heap by (value, then higher index = worse)
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size < n) {
                heap[size] = i;
                siftUp(heap, size++, values);
            } else if (values[i] > values[heap[0]]) {
                heap[0] = i;
                siftDown(heap, n, values);
            }
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = heap[j];
        }
        java.util.Arrays.sort(order, (a, b) -> worse(values, a, b) ? 1 : worse(values, b, a) ? -1 : 0);
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            out[j] = order[j];
        }
        return out;
    }

    /** Whether token a ranks below token b: a lower logit, or the same logit and a higher id. */
    private static boolean worse(float[] v, int a, int b) {
        return v[a] < v[b] || (v[a] == v[b] && a > b);
    }

    private static void siftUp(int[] heap, int i, float[] v) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(v, heap[i], heap[parent])) {
                return;
            }
            int t = heap[i];
            heap[i] = heap[parent];
            heap[parent] = t;
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, float[] v) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < size && worse(v, heap[l], heap[worst])) {
                worst = l;
            }
            if (r < size && worse(v, heap[r], heap[worst])) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            int t = heap[i];
            heap[i] = heap[worst];
            heap[worst] = t;
            i = worst;
        }
    }
}
