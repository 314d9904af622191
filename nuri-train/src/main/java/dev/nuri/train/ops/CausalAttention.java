package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * Fused causal multi-head scaled dot-product attention with grouped-query heads (Ainslie et al. 2023): query head
 * {@code h} reads key/value head {@code h / (heads/kvHeads)}. Layouts: {@code q, out [B*T, heads, hd]},
 * {@code k, v [B*T, kvHeads, hd]}, saved probabilities {@code att [B, heads, T, T]} (lower triangle used).
 * Work is split by (batch, kv head) so the key/value gradients of a group are summed by one thread, in order.
 */
public final class CausalAttention {
    private CausalAttention() {
    }

    public static void forward(float[] out, float[] att, float[] q, float[] k, float[] v, int batch, int seq, int heads,
                               int kvHeads, int hd, Parallel par) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        par.forRange(batch * kvHeads, (start, end) -> {
            for (int job = start; job < end; job++) {
                int b = job / kvHeads, kh = job % kvHeads;
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    for (int t = 0; t < seq; t++) {
                        int qo = ((b * seq + t) * heads + h) * hd;
                        int ao = ((b * heads + h) * seq + t) * seq;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int u = 0; u <= t; u++) {
                            int ko = ((b * seq + u) * kvHeads + kh) * hd;
                            float s = 0f;
                            for (int i = 0; i < hd; i++) {
                                s += q[qo + i] * k[ko + i];
                            }
                            s *= scale;
                            att[ao + u] = s;
                            max = Math.max(max, s);
                        }
                        float sum = 0f;
                        for (int u = 0; u <= t; u++) {
                            float e = (float) Math.exp(att[ao + u] - max);
                            att[ao + u] = e;
                            sum += e;
                        }
                        float inv = 1f / sum;
                        for (int i = 0; i < hd; i++) {
                            out[qo + i] = 0f;
                        }
                        for (int u = 0; u <= t; u++) {
                            float p = att[ao + u] * inv;
                            att[ao + u] = p;
                            int vo = ((b * seq + u) * kvHeads + kh) * hd;
                            for (int i = 0; i < hd; i++) {
                                out[qo + i] += p * v[vo + i];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Gradients of q, k, v (overwritten) from {@code dOut} and the probabilities saved by the forward pass. */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dOut, float[] att, float[] q, float[] k,
                                float[] v, int batch, int seq, int heads, int kvHeads, int hd, Parallel par) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        par.forRange(batch * kvHeads, (start, end) -> {
            float[] dp = new float[seq];
            for (int job = start; job < end; job++) {
                int b = job / kvHeads, kh = job % kvHeads;
                for (int u = 0; u < seq; u++) {
                    int ko = ((b * seq + u) * kvHeads + kh) * hd;
                    for (int i = 0; i < hd; i++) {
                        dk[ko + i] = 0f;
                        dv[ko + i] = 0f;
                    }
                }
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    for (int t = 0; t < seq; t++) {
                        int qo = ((b * seq + t) * heads + h) * hd;
                        int ao = ((b * heads + h) * seq + t) * seq;
                        float dot = 0f;
                        for (int u = 0; u <= t; u++) {
                            int vo = ((b * seq + u) * kvHeads + kh) * hd;
                            float p = att[ao + u];
                            float g = 0f;
                            for (int i = 0; i < hd; i++) {
                                g += dOut[qo + i] * v[vo + i];
                                dv[vo + i] += p * dOut[qo + i];
                            }
                            dp[u] = g;
                            dot += p * g;
                        }
                        for (int i = 0; i < hd; i++) {
                            dq[qo + i] = 0f;
                        }
                        for (int u = 0; u <= t; u++) {
                            float ds = att[ao + u] * (dp[u] - dot) * scale;
                            int ko = ((b * seq + u) * kvHeads + kh) * hd;
                            for (int i = 0; i < hd; i++) {
                                dq[qo + i] += ds * k[ko + i];
                                dk[ko + i] += ds * q[qo + i];
                            }
                        }
                    }
                }
            }
        });
    }
}
