package dev.nuri.tensor;

/** Normalization layers over one vector of {@code n} values; {@code out} may be {@code x}. */
public final class Norms {
    private Norms() {
    }

    /**
     * RMSNorm (Zhang &amp; Sennrich 2019): {@code out = x / sqrt(mean(x²) + eps) · w}, or {@code · (1 + w)} with
     * {@code unitOffset} (Gemma). The sum of squares is accumulated in double for stability.
     */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, int n, float[] weight, float eps, boolean unitOffset) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            float w = weight == null ? 1f : (unitOffset ? 1f + weight[i] : weight[i]);
            out[outOff + i] = x[xOff + i] * inv * w;
        }
    }

    /** LayerNorm (Ba et al. 2016): {@code out = (x - mean) / sqrt(var + eps) · gamma + beta}; null beta means zero. */
    public static void layerNorm(float[] out, int outOff, float[] x, int xOff, int n, float[] gamma, float[] beta, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[xOff + i];
        }
        double mean = sum / n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = x[xOff + i] - mean;
            var += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(var / n + eps));
        float m = (float) mean;
        for (int i = 0; i < n; i++) {
            float v = (x[xOff + i] - m) * inv;
            out[outOff + i] = v * gamma[i] + (beta == null ? 0f : beta[i]);
        }
    }
}
