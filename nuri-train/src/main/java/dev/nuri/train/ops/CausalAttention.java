package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * Fused causal multi-head scaled dot-product attention with grouped-query heads (Ainslie et al. 2023): query head
 * {@code h} reads key/value head {@code h / (heads/kvHeads)}. Layouts: {@code q, out [B*T, heads, hd]},
 * {@code k, v [B*T, kvHeads, hd]}, saved probabilities {@code att [B, heads, T, T]} (lower triangle used).
 * Work is split by (batch, kv head) so the key/value gradients of a group are summed by one thread, in order;
 * sums are accumulated in double precision.
 */
public final class CausalAttention {
    private CausalAttention() {
    }

    public static void forward(float[] out, float[] att, float[] q, float[] k, float[] v, int batch, int seq, int heads,
                               int kvHeads, int hd, Parallel par) {
        int group = heads / kvHeads;
        double scale = 1.0 / Math.sqrt(hd);
        par.forRange(batch * kvHeads, (start, end) -> {
            double[] acc = new double[hd];
            double[] scores = new double[seq];
            for (int job = start; job < end; job++) {
                int b = job / kvHeads, kh = job % kvHeads;
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    for (int t = 0; t < seq; t++) {
                        int qo = ((b * seq + t) * heads + h) * hd;
                        int ao = ((b * heads + h) * seq + t) * seq;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int u = 0; u <= t; u++) {
                            int ko = ((b * seq + u) * kvHeads + kh) * hd;
                            double s = 0;
                            for (int i = 0; i < hd; i++) {
                                s += q[qo + i] * k[ko + i];
                            }
                            s *= scale;
                            scores[u] = s;
                            max = Math.max(max, s);
                        }
                        double sum = 0;
                        for (int u = 0; u <= t; u++) {
                            double e = Math.exp(scores[u] - max);
                            scores[u] = e;
                            sum += e;
                        }
                        java.util.Arrays.fill(acc, 0);
                        for (int u = 0; u <= t; u++) {
                            float p = (float) (scores[u] / sum);
                            att[ao + u] = p;
                            int vo = ((b * seq + u) * kvHeads + kh) * hd;
                            for (int i = 0; i < hd; i++) {
                                acc[i] += p * v[vo + i];
                            }
                        }
                        for (int i = 0; i < hd; i++) {
                            out[qo + i] = (float) acc[i];
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
        double scale = 1.0 / Math.sqrt(hd);
        par.forRange(batch * kvHeads, (start, end) -> {
            double[] dp = new double[seq];
            double[] dqAcc = new double[hd];
            double[] dkAcc = new double[seq * hd];
            double[] dvAcc = new double[seq * hd];
            for (int job = start; job < end; job++) {
                int b = job / kvHeads, kh = job % kvHeads;
                java.util.Arrays.fill(dkAcc, 0);
                java.util.Arrays.fill(dvAcc, 0);
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    for (int t = 0; t < seq; t++) {
                        int qo = ((b * seq + t) * heads + h) * hd;
                        int ao = ((b * heads + h) * seq + t) * seq;
                        double dot = 0;
                        for (int u = 0; u <= t; u++) {
                            int vo = ((b * seq + u) * kvHeads + kh) * hd;
                            double p = att[ao + u];
                            double g = 0;
                            for (int i = 0; i < hd; i++) {
                                g += dOut[qo + i] * v[vo + i];
                                dvAcc[u * hd + i] += p * dOut[qo + i];
                            }
                            dp[u] = g;
                            dot += p * g;
                        }
                        java.util.Arrays.fill(dqAcc, 0);
                        for (int u = 0; u <= t; u++) {
                            double ds = att[ao + u] * (dp[u] - dot) * scale;
                            int ko = ((b * seq + u) * kvHeads + kh) * hd;
                            for (int i = 0; i < hd; i++) {
                                dqAcc[i] += ds * k[ko + i];
                                dkAcc[u * hd + i] += ds * q[qo + i];
                            }
                        }
                        for (int i = 0; i < hd; i++) {
                            dq[qo + i] = (float) dqAcc[i];
                        }
                    }
                }
                for (int u = 0; u < seq; u++) {
                    int ko = ((b * seq + u) * kvHeads + kh) * hd;
                    for (int i = 0; i < hd; i++) {
                        dk[ko + i] = (float) dkAcc[u * hd + i];
                        dv[ko + i] = (float) dvAcc[u * hd + i];
                    }
                }
            }
        });
    }
}
