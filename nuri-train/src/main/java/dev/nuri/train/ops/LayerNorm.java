package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * LayerNorm (Ba et al. 2016), as GPT-2 uses it: {@code y = w · (x - mean) / sqrt(var + eps) + b} per row, with the
 * biased variance. {@code mean[N]} and {@code rstd[N]} are saved for the backward pass.
 */
public final class LayerNorm {
    private LayerNorm() {
    }

    public static void forward(float[] out, float[] mean, float[] rstd, float[] in, float[] w, int wOff, float[] b,
                               int bOff, int n, int dim, float eps, Parallel par) {
        par.forRange(n, 8, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = r * dim;
                float m = 0f;
                for (int i = 0; i < dim; i++) {
                    m += in[o + i];
                }
                m /= dim;
                float v = 0f;
                for (int i = 0; i < dim; i++) {
                    float d = in[o + i] - m;
                    v += d * d;
                }
                v /= dim;
                float s = (float) (1.0 / Math.sqrt(v + eps));
                mean[r] = m;
                rstd[r] = s;
                for (int i = 0; i < dim; i++) {
                    out[o + i] = (in[o + i] - m) * s * w[wOff + i] + b[bOff + i];
                }
            }
        });
    }

    /** {@code dIn += ...}, {@code dW += ...}, {@code dB += ...}. */
    public static void backward(float[] dIn, float[] dW, int dwOff, float[] dB, int dbOff, float[] dOut, float[] in,
                                float[] w, int wOff, float[] mean, float[] rstd, int n, int dim, Parallel par) {
        par.forRange(n, 8, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = r * dim;
                float m = mean[r], s = rstd[r];
                float sumG = 0f, sumGx = 0f;
                for (int i = 0; i < dim; i++) {
                    float g = dOut[o + i] * w[wOff + i];
                    float xhat = (in[o + i] - m) * s;
                    sumG += g;
                    sumGx += g * xhat;
                }
                sumG /= dim;
                sumGx /= dim;
                for (int i = 0; i < dim; i++) {
                    float g = dOut[o + i] * w[wOff + i];
                    float xhat = (in[o + i] - m) * s;
                    dIn[o + i] += s * (g - sumG - xhat * sumGx);
                }
            }
        });
        par.forRange(dim, 16, (start, end) -> {
            for (int r = 0; r < n; r++) {
                int o = r * dim;
                float m = mean[r], s = rstd[r];
                for (int i = start; i < end; i++) {
                    dW[dwOff + i] += dOut[o + i] * (in[o + i] - m) * s;
                    dB[dbOff + i] += dOut[o + i];
                }
            }
        });
    }
}
