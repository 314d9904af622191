package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * RMSNorm (Zhang and Sennrich 2019) as Llama computes it: {@code y = w · x / sqrt(mean(x²) + eps)} per row.
 * {@code rstd[N]} saves {@code 1/sqrt(mean(x²)+eps)} for the backward pass.
 */
public final class RmsNorm {
    private RmsNorm() {
    }

    public static void forward(float[] out, float[] rstd, float[] in, float[] w, int wOff, int n, int dim, float eps,
                               Parallel par) {
        par.forRange(n, 8, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = r * dim;
                double ss = 0;
                for (int i = 0; i < dim; i++) {
                    ss += in[o + i] * in[o + i];
                }
                float s = (float) (1.0 / Math.sqrt(ss / dim + eps));
                rstd[r] = s;
                for (int i = 0; i < dim; i++) {
                    out[o + i] = w[wOff + i] * (in[o + i] * s);
                }
            }
        });
    }

    /**
     * {@code dIn += ...} (accumulated: the input is the residual stream) and {@code dW += ...}. The weight gradient
     * is reduced over rows serially per column block so it does not depend on the thread count.
     */
    public static void backward(float[] dIn, float[] dW, int dwOff, float[] dOut, float[] in, float[] w, int wOff,
                                float[] rstd, int n, int dim, Parallel par) {
        par.forRange(n, 8, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = r * dim;
                float s = rstd[r];
                double dot = 0;
                for (int i = 0; i < dim; i++) {
                    dot += dOut[o + i] * w[wOff + i] * in[o + i];
                }
                float c = (float) (dot * s * s * s / dim);
                for (int i = 0; i < dim; i++) {
                    dIn[o + i] += s * w[wOff + i] * dOut[o + i] - c * in[o + i];
                }
            }
        });
        par.forRange(dim, 16, (start, end) -> {
            for (int r = 0; r < n; r++) {
                int o = r * dim;
                float s = rstd[r];
                for (int i = start; i < end; i++) {
                    dW[dwOff + i] += dOut[o + i] * in[o + i] * s;
                }
            }
        });
    }
}
