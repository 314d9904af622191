package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * Fused causal multi-head scaled dot-product attention with grouped-query heads (Ainslie et al. 2023): query head
 * {@code h} reads key/value head {@code h / (heads/kvHeads)}. Layouts: {@code q, out [B*T, heads, hd]},
 * {@code k, v [B*T, kvHeads, hd]}, saved probabilities {@code att [B, heads, T, T]} (zero above the diagonal).
 * The products run on {@link Gemm}; work is split by (batch, kv head), so the key/value gradients of a group are
 * summed by one thread in a fixed order and results do not depend on the thread count.
 */
public final class CausalAttention {
    private static final int ROWS = 64;

    private CausalAttention() {
    }

    public static void forward(float[] out, float[] att, float[] q, float[] k, float[] v, int batch, int seq, int heads,
                               int kvHeads, int hd, Parallel par) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        par.forRange(batch * kvHeads, (start, end) -> {
            float[] kt = new float[hd * seq];
            float[] vc = new float[seq * hd];
            float[] o = new float[seq * hd];
            for (int job = start; job < end; job++) {
                int b = job / kvHeads, kh = job % kvHeads;
                gatherKv(k, v, kt, vc, b, kh, seq, kvHeads, hd);
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    int ao = (b * heads + h) * seq * seq;
                    int qOff = (b * seq * heads + h) * hd;
                    // row blocks: block [t0, t1) needs key/value columns [0, t1) only (causal mask)
                    for (int t0 = 0; t0 < seq; t0 += ROWS) {
                        int t1 = Math.min(seq, t0 + ROWS);
                        Gemm.gemm(q, qOff + t0 * heads * hd, heads * hd, 1, kt, 0, seq, att, ao + t0 * seq, seq,
                                t1 - t0, hd, t1, false, Parallel.serial());
                        for (int t = t0; t < t1; t++) {
                            softmaxRow(att, ao + t * seq, t + 1, seq, scale);
                        }
                        Gemm.gemm(att, ao + t0 * seq, seq, 1, vc, 0, hd, o, t0 * hd, hd, t1 - t0, t1, hd, false,
                                Parallel.serial());
                    }
                    for (int t = 0; t < seq; t++) {
                        System.arraycopy(o, t * hd, out, qOff + t * heads * hd, hd);
                    }
                }
            }
        });
    }

    /** Scaled softmax over the first {@code valid} entries of a row; the rest (future positions) become 0. */
    private static void softmaxRow(float[] s, int off, int valid, int len, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int u = 0; u < valid; u++) {
            s[off + u] *= scale;
            max = Math.max(max, s[off + u]);
        }
        double sum = 0;
        for (int u = 0; u < valid; u++) {
            float e = (float) Math.exp(s[off + u] - max);
            s[off + u] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int u = 0; u < valid; u++) {
            s[off + u] *= inv;
        }
        java.util.Arrays.fill(s, off + valid, off + len, 0f);
    }

    /** Kᵀ [hd, T] and V [T, hd] of one (batch, kv head), contiguous. */
    private static void gatherKv(float[] k, float[] v, float[] kt, float[] vc, int b, int kh, int seq, int kvHeads, int hd) {
        for (int u = 0; u < seq; u++) {
            int src = ((b * seq + u) * kvHeads + kh) * hd;
            System.arraycopy(v, src, vc, u * hd, hd);
            for (int i = 0; i < hd; i++) {
                kt[i * seq + u] = k[src + i];
            }
        }
    }

    /** Gradients of q, k, v (overwritten) from {@code dOut} and the probabilities saved by the forward pass. */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dOut, float[] att, float[] q, float[] k,
                                float[] v, int batch, int seq, int heads, int kvHeads, int hd, Parallel par) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        par.forRange(batch * kvHeads, (start, end) -> {
            float[] kc = new float[seq * hd];
            float[] vt = new float[hd * seq];
            float[] dp = new float[seq * seq];
            float[] tr = new float[seq * seq];
            float[] qc = new float[seq * hd];
            float[] doc = new float[seq * hd];
            float[] dqc = new float[seq * hd];
            float[] dkc = new float[seq * hd];
            float[] dvc = new float[seq * hd];
            for (int job = start; job < end; job++) {
                int b = job / kvHeads, kh = job % kvHeads;
                for (int u = 0; u < seq; u++) {
                    int src = ((b * seq + u) * kvHeads + kh) * hd;
                    System.arraycopy(k, src, kc, u * hd, hd);
                    for (int i = 0; i < hd; i++) {
                        vt[i * seq + u] = v[src + i];
                    }
                }
                java.util.Arrays.fill(dkc, 0f);
                java.util.Arrays.fill(dvc, 0f);
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    int ao = (b * heads + h) * seq * seq;
                    int qOff = (b * seq * heads + h) * hd;
                    for (int t = 0; t < seq; t++) {
                        System.arraycopy(q, qOff + t * heads * hd, qc, t * hd, hd);
                        System.arraycopy(dOut, qOff + t * heads * hd, doc, t * hd, hd);
                    }
                    // dP = dO · Vᵀ (row block [t0, t1) needs columns [0, t1) only)
                    for (int t0 = 0; t0 < seq; t0 += ROWS) {
                        int t1 = Math.min(seq, t0 + ROWS);
                        Gemm.gemm(doc, t0 * hd, hd, 1, vt, 0, seq, dp, t0 * seq, seq, t1 - t0, hd, t1, false, Parallel.serial());
                    }
                    // dV += Pᵀ · dO (row u sums over t >= u)
                    transpose(att, ao, tr, seq);
                    lowerProduct(tr, doc, dvc, seq, hd);
                    // dS = P ∘ (dP − rowsum(P ∘ dP)) · scale, written over dP
                    for (int t = 0; t < seq; t++) {
                        int r = t * seq;
                        double dot = 0;
                        for (int u = 0; u <= t; u++) {
                            dot += att[ao + r + u] * dp[r + u];
                        }
                        float d = (float) dot;
                        for (int u = 0; u <= t; u++) {
                            dp[r + u] = att[ao + r + u] * (dp[r + u] - d) * scale;
                        }
                        java.util.Arrays.fill(dp, r + t + 1, r + seq, 0f);
                    }
                    // dQ = dS · K ; dK += dSᵀ · Q
                    for (int t0 = 0; t0 < seq; t0 += ROWS) {
                        int t1 = Math.min(seq, t0 + ROWS);
                        Gemm.gemm(dp, t0 * seq, seq, 1, kc, 0, hd, dqc, t0 * hd, hd, t1 - t0, t1, hd, false, Parallel.serial());
                    }
                    for (int t = 0; t < seq; t++) {
                        System.arraycopy(dqc, t * hd, dq, qOff + t * heads * hd, hd);
                    }
                    transpose(dp, 0, tr, seq);
                    lowerProduct(tr, qc, dkc, seq, hd);
                }
                for (int u = 0; u < seq; u++) {
                    int dst = ((b * seq + u) * kvHeads + kh) * hd;
                    System.arraycopy(dkc, u * hd, dk, dst, hd);
                    System.arraycopy(dvc, u * hd, dv, dst, hd);
                }
            }
        });
    }

    /**
     * {@code out[u] += sum_{t >= u} mt[u, t] · x[t]} for an upper-triangular {@code mt [seq, seq]} (the transpose of
     * a causal matrix) and {@code x [seq, hd]}, skipping the zero blocks.
     */
    private static void lowerProduct(float[] mt, float[] x, float[] out, int seq, int hd) {
        for (int u0 = 0; u0 < seq; u0 += ROWS) {
            int u1 = Math.min(seq, u0 + ROWS);
            Gemm.gemm(mt, u0 * seq + u0, seq, 1, x, u0 * hd, hd, out, u0 * hd, hd, u1 - u0, seq - u0, hd, true, Parallel.serial());
        }
    }

    private static void transpose(float[] src, int off, float[] dst, int n) {
        for (int i0 = 0; i0 < n; i0 += 16) {
            for (int j = 0; j < n; j++) {
                int iEnd = Math.min(n, i0 + 16);
                for (int i = i0; i < iEnd; i++) {
                    dst[j * n + i] = src[off + i * n + j];
                }
            }
        }
    }
}
