package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/** Element-wise activations and their backward passes. */
public final class Activations {
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);

    private Activations() {
    }

    /** SwiGLU (Shazeer 2020): {@code out = silu(gate) · up}, as in Llama's MLP. */
    public static void swigluForward(float[] out, float[] gate, float[] up, int n, Parallel par) {
        par.forRange(n, 1024, (start, end) -> {
            for (int i = start; i < end; i++) {
                float g = gate[i];
                out[i] = g / (1f + (float) Math.exp(-g)) * up[i];
            }
        });
    }

    /** Gradients of gate and up (overwritten). */
    public static void swigluBackward(float[] dGate, float[] dUp, float[] dOut, float[] gate, float[] up, int n,
                                      Parallel par) {
        par.forRange(n, 1024, (start, end) -> {
            for (int i = start; i < end; i++) {
                float g = gate[i];
                float s = 1f / (1f + (float) Math.exp(-g));
                float silu = g * s;
                dUp[i] = dOut[i] * silu;
                dGate[i] = dOut[i] * up[i] * s * (1f + g * (1f - s));
            }
        });
    }

    public static void siluForward(float[] out, float[] in, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = in[i] / (1f + (float) Math.exp(-in[i]));
        }
    }

    /** {@code dIn += dOut · silu'(in)}. */
    public static void siluBackward(float[] dIn, float[] dOut, float[] in, int n) {
        for (int i = 0; i < n; i++) {
            float s = 1f / (1f + (float) Math.exp(-in[i]));
            dIn[i] += dOut[i] * s * (1f + in[i] * (1f - s));
        }
    }

    /** GELU with the tanh approximation (Hendrycks and Gimpel 2016), as GPT-2 uses it. */
    public static void geluForward(float[] out, float[] in, int n) {
        for (int i = 0; i < n; i++) {
            float x = in[i];
            out[i] = 0.5f * x * (1f + (float) Math.tanh(GELU_C * (x + 0.044715f * x * x * x)));
        }
    }

    /** {@code dIn += dOut · gelu'(in)}. */
    public static void geluBackward(float[] dIn, float[] dOut, float[] in, int n) {
        for (int i = 0; i < n; i++) {
            float x = in[i];
            float u = GELU_C * (x + 0.044715f * x * x * x);
            float t = (float) Math.tanh(u);
            float du = GELU_C * (1f + 3f * 0.044715f * x * x);
            dIn[i] += dOut[i] * (0.5f * (1f + t) + 0.5f * x * (1f - t * t) * du);
        }
    }

    /** {@code out = a + b} (the residual connection; its backward passes the gradient to both inputs). */
    public static void add(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
    }
}
