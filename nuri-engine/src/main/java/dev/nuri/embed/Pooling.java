package dev.nuri.embed;

/** How token states become one sentence embedding. */
public enum Pooling {
    /** The mean over the tokens the attention mask keeps (sentence-transformers' default). */
    MEAN,
    /** The first token's state ([CLS]; BGE's choice). */
    CLS,
    /** The last kept token's state (decoder-style embedding models such as E5-Mistral). */
    LAST;

    /**
     * Pools tokens [start, start+len) of {@code hidden} (row of {@code dim} per token); {@code keep} (indexed
     * like the rows, may be null) marks the tokens that count.
     */
    public float[] pool(float[] hidden, int start, int len, int dim, boolean[] keep) {
        float[] out = new float[dim];
        switch (this) {
            case CLS -> System.arraycopy(hidden, start * dim, out, 0, dim);
            case LAST -> {
                int last = start + len - 1;
                while (keep != null && last > start && !keep[last]) {
                    last--;
                }
                System.arraycopy(hidden, last * dim, out, 0, dim);
            }
            case MEAN -> {
                // Sum in double, as the token count can be large; divide by the kept count as sentence-transformers does.
                double[] sum = new double[dim];
                int count = 0;
                for (int t = start; t < start + len; t++) {
                    if (keep == null || keep[t]) {
                        count++;
                        for (int j = 0; j < dim; j++) {
                            sum[j] += hidden[t * dim + j];
                        }
                    }
                }
                for (int j = 0; j < dim; j++) {
                    out[j] = (float) (sum[j] / Math.max(1, count));
                }
            }
        }
        return out;
    }

    /** Scales {@code v} to unit L2 length in place (a zero vector stays zero, as torch's normalize with eps leaves it). */
    public static void normalize(float[] v) {
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        double norm = Math.max(Math.sqrt(ss), 1e-12);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
    }

    /** Parses "mean", "cls" or "last". */
    public static Pooling parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "mean" -> MEAN;
            case "cls" -> CLS;
            case "last" -> LAST;
            default -> throw new IllegalArgumentException("unknown pooling '" + s + "' (expected mean, cls or last)");
        };
    }
}
