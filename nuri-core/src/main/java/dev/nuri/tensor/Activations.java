package dev.nuri.tensor;

/** Activation functions in place over x[off, off+n). */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);

    private Activations() {
    }

    /** SiLU / swish: x·σ(x). */
    public static void silu(float[] x, int off, int n) {
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

    /** The tanh approximation of GELU ("gelu_new", "gelu_pytorch_tanh"): x/2·(1 + tanh(√(2/π)(x + 0.044715x³))). */
    public static void geluTanh(float[] x, int off, int n) {
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
