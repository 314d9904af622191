package dev.nuri.tensor;

import jdk.incubator.vector.FloatVector;

/** Activation functions in place over x[off, off+n). */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);

    private Activations() {
    }

    /** SiLU / swish: x·σ(x) = x / (1 + e^-x), in float with {@link FastExp} (within a few ulp of the definition). */
    public static void silu(float[] x, int off, int n) {
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            FloatVector v = FloatVector.fromArray(Simd.F, x, off + i);
            v.div(FastExp.exp(v.neg()).add(1f)).intoArray(x, off + i);
        }
        siluReference(x, off + i, n - i);
    }

    /** The scalar definition of {@link #silu} (double precision), the reference for tests. */
    static void siluReference(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            x[off + i] = (float) (v / (1.0 + Math.exp(-v)));
        }
    }

    /** Exact GELU: x·Φ(x) = x/2·(1 + erf(x/√2)) (Hendrycks &amp; Gimpel 2016). */
    public static void geluErf(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[off + i];
            x[off + i] = (float) (0.5 * v * (1.0 + Erf.erf(v * INV_SQRT_2)));
        }
    }

    /**
     * The tanh approximation of GELU ("gelu_new", "gelu_pytorch_tanh"): x/2·(1 + tanh(√(2/π)(x + 0.044715x³))).
     * Vectorized in float as x / (1 + e^{-2u}), since (1 + tanh(u))/2 = σ(2u) (no cancellation for negative x).
     */
    public static void geluTanh(float[] x, int off, int n) {
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            FloatVector v = FloatVector.fromArray(Simd.F, x, off + i);
            FloatVector u = v.mul(v).mul(v).fma(FloatVector.broadcast(Simd.F, 0.044715f), v).mul((float) SQRT_2_OVER_PI);
            v.div(FastExp.exp(u.mul(-2f)).add(1f)).intoArray(x, off + i);
        }
        geluTanhReference(x, off + i, n - i);
    }

    /** The scalar definition of {@link #geluTanh} (double precision), the reference for tests. */
    static void geluTanhReference(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[off + i];
            x[off + i] = (float) (0.5 * v * (1.0 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
        }
    }

    /** ReLU: max(0, x). */
    public static void relu(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            x[off + i] = Math.max(0f, x[off + i]);
        }
    }

    /** Applies the named activation (Hugging Face {@code hidden_act} spelling) in place. */
    public static void apply(Activation act, float[] x, int off, int n) {
        switch (act) {
            case SILU -> silu(x, off, n);
            case GELU_ERF -> geluErf(x, off, n);
            case GELU_TANH -> geluTanh(x, off, n);
            case RELU -> relu(x, off, n);
        }
    }

    /** The activation functions Nuri's architectures use. */
    public enum Activation {
        SILU, GELU_ERF, GELU_TANH, RELU;

        /** Parses a Hugging Face {@code hidden_act} / {@code hidden_activation} value. */
        public static Activation fromHf(String name) {
            return switch (name) {
                case "silu", "swish" -> SILU;
                case "gelu" -> GELU_ERF;
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_tanh" -> GELU_TANH;
                case "relu" -> RELU;
                default -> throw new IllegalArgumentException("unsupported activation function '" + name + "'");
            };
        }
    }
}
