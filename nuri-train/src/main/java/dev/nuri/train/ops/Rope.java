package dev.nuri.train.ops;

/**
 * Rotary position embedding (Su et al. 2021) in the Hugging Face "rotate half" layout: component {@code i} pairs
 * with {@code i + headDim/2}. Applied in place to {@code [N, heads, headDim]} rows where row {@code r} sits at
 * position {@code r % seqLen}. The tables follow transformers' float32 arithmetic.
 */
public final class Rope {
    private final int headDim;
    private final int seqLen;
    private final float[] cos;
    private final float[] sin;

    public Rope(int headDim, int seqLen, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even head dimension, got " + headDim);
        }
        this.headDim = headDim;
        this.seqLen = seqLen;
        int half = headDim / 2;
        cos = new float[seqLen * half];
        sin = new float[seqLen * half];
        for (int i = 0; i < half; i++) {
            float invFreq = 1f / (float) Math.pow(theta, (float) (2 * i) / headDim);
            for (int p = 0; p < seqLen; p++) {
                float angle = p * invFreq;
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    public void forward(float[] x, int n, int heads) {
        apply(x, n, heads, 1f);
    }

    /** The backward pass is the inverse rotation of the gradient. */
    public void backward(float[] dx, int n, int heads) {
        apply(dx, n, heads, -1f);
    }

    private void apply(float[] x, int n, int heads, float sign) {
        int half = headDim / 2;
        for (int r = 0; r < n; r++) {
            int p = (r % seqLen) * half;
            for (int h = 0; h < heads; h++) {
                int o = (r * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = cos[p + i], s = sign * sin[p + i];
                    float a = x[o + i], b = x[o + i + half];
                    x[o + i] = a * c - b * s;
                    x[o + i + half] = b * c + a * s;
                }
            }
        }
    }
}
