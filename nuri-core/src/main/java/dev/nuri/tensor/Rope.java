package dev.nuri.tensor;

/**
 * Rotary position embeddings (Su et al. 2021, RoFormer). A table holds cos/sin for every position and
 * frequency; {@link #apply} rotates the first {@code rotaryDim} values of each head.
 *
 * <p>Two layouts pair the values differently: {@link Layout#NORMAL} rotates adjacent pairs (2i, 2i+1), as
 * the original Llama code and llama.cpp's GGUF llama weights do; {@link Layout#NEOX} rotates (i, i + d/2),
 * as Hugging Face's {@code rotate_half} and GPT-NeoX do.
 */
public final class Rope {

    public enum Layout { NORMAL, NEOX }

    private final int rotaryDim;
    private final Layout layout;
    private final int maxPositions;
    private final float[] cos;
    private final float[] sin;

    /**
     * @param invFreq {@code rotaryDim/2} inverse frequencies, already adjusted for any RoPE scaling
     *                (see {@link #defaultInverseFrequencies})
     * @param attentionFactor multiplies cos and sin (YaRN's attention scaling; 1 otherwise)
     */
    public Rope(int rotaryDim, Layout layout, int maxPositions, float[] invFreq, float attentionFactor) {
        if (rotaryDim % 2 != 0 || invFreq.length != rotaryDim / 2) {
            throw new IllegalArgumentException("rotary dim " + rotaryDim + " must be even with " + rotaryDim / 2 + " frequencies");
        }
        this.rotaryDim = rotaryDim;
        this.layout = layout;
        this.maxPositions = maxPositions;
        int half = rotaryDim / 2;
        this.cos = new float[Math.multiplyExact(maxPositions, half)];
        this.sin = new float[cos.length];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                // Angles in float as PyTorch computes them (fp32 outer product), then cos/sin.
                float angle = p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle) * attentionFactor;
                sin[p * half + i] = (float) Math.sin(angle) * attentionFactor;
            }
        }
    }

    /** θ^(-2i/d) for i in [0, d/2), computed as Hugging Face does: 1 / (base ** (arange(0, d, 2).float() / d)). */
    public static float[] defaultInverseFrequencies(int rotaryDim, double theta) {
        float[] inv = new float[rotaryDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / rotaryDim;
            inv[i] = (float) (1.0 / Math.pow(theta, exponent));
        }
        return inv;
    }

    public int rotaryDim() {
        return rotaryDim;
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** Rotates {@code heads} consecutive heads of {@code headDim} values starting at x[off], for position {@code pos}. */
    public void apply(float[] x, int off, int heads, int headDim, int pos) {
        if (pos < 0 || pos >= maxPositions) {
            throw new IllegalArgumentException("position " + pos + " is outside the RoPE table (0.." + (maxPositions - 1) + ")");
        }
        int half = rotaryDim / 2;
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = layout == Layout.NORMAL ? base + 2 * i : base + i;
                int b = layout == Layout.NORMAL ? a + 1 : a + half;
                float x0 = x[a];
                float x1 = x[b];
                float c = cos[t + i];
                float s = sin[t + i];
                x[a] = x0 * c - x1 * s;
                x[b] = x0 * s + x1 * c;
            }
        }
    }
}
