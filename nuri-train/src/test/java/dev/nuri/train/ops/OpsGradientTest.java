package dev.nuri.train.ops;

import static dev.nuri.train.ops.GradCheck.check;
import static dev.nuri.train.ops.GradCheck.dot;
import static dev.nuri.train.ops.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nuri.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every op's backward pass against central finite differences of {@code L = sum(out · r)}. */
class OpsGradientTest {
    private static final Parallel P = Parallel.serial();
    private static final double H = 1e-2;
    private static final double TOL = 2e-2;

    @Test
    void gemmMatchesNaiveProductForEveryLayoutAndTail() {
        Random rnd = new Random(1);
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {9, 33, 17}, {70, 13, 41}, {5, 4, 64}};
        for (int[] s : sizes) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = random(rnd, m * k, 1), b = random(rnd, k * n, 1), c0 = random(rnd, m * n, 1);
            for (boolean transposedA : new boolean[] {false, true}) {
                int sm = transposedA ? 1 : k, sk = transposedA ? m : 1;
                float[] c = c0.clone();
                Gemm.gemm(a, 0, sm, sk, b, 0, c, 0, m, k, n, true, P);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double e = c0[i * n + j];
                        for (int kk = 0; kk < k; kk++) {
                            e += (double) a[i * sm + kk * sk] * b[kk * n + j];
                        }
                        assertEquals(e, c[i * n + j], 1e-4 * (1 + Math.abs(e)), "m=" + m + " k=" + k + " n=" + n);
                    }
                }
            }
        }
    }

    @Test
    void gemmGivesIdenticalBitsOnOneAndTwoThreads() {
        Random rnd = new Random(2);
        int m = 67, k = 45, n = 39;
        float[] a = random(rnd, m * k, 1), b = random(rnd, k * n, 1);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Gemm.gemm(a, 0, k, 1, b, 0, c1, 0, m, k, n, false, Parallel.serial());
        try (Parallel two = Parallel.of(2)) {
            Gemm.gemm(a, 0, k, 1, b, 0, c2, 0, m, k, n, false, two);
        }
        assertArrayEquals(c1, c2);
    }

    @Test
    void linear() {
        Random rnd = new Random(3);
        int n = 5, in = 7, out = 6;
        float[] x = random(rnd, n * in, 1), w = random(rnd, out * in, 0.5), r = random(rnd, n * out, 1);
        float[] wt = new float[in * out], y = new float[n * out];
        float[] dx = new float[n * in], dw = new float[out * in];
        Linear.backward(dx, false, dw, 0, r, x, w, 0, n, in, out, P);
        java.util.function.Supplier<Double> loss = () -> {
            Linear.forward(y, x, w, 0, wt, n, in, out, P);
            return dot(y, r);
        };
        check("linear dx", x, dx, loss, H, TOL);
        check("linear dW", w, dw, loss, H, TOL);
    }

    @Test
    void rmsNorm() {
        Random rnd = new Random(4);
        int n = 4, d = 12;
        float[] x = random(rnd, n * d, 1), w = random(rnd, d, 1), r = random(rnd, n * d, 1);
        float[] y = new float[n * d], rstd = new float[n], dx = new float[n * d], dw = new float[d];
        RmsNorm.forward(y, rstd, x, w, 0, n, d, 1e-5f, P);
        RmsNorm.backward(dx, dw, 0, r, x, w, 0, rstd, n, d, P);
        java.util.function.Supplier<Double> loss = () -> {
            RmsNorm.forward(y, rstd, x, w, 0, n, d, 1e-5f, P);
            return dot(y, r);
        };
        check("rmsnorm dx", x, dx, loss, H, TOL);
        check("rmsnorm dw", w, dw, loss, H, TOL);
    }

    @Test
    void layerNorm() {
        Random rnd = new Random(5);
        int n = 4, d = 10;
        float[] x = random(rnd, n * d, 1), w = random(rnd, d, 1), b = random(rnd, d, 1), r = random(rnd, n * d, 1);
        float[] y = new float[n * d], mean = new float[n], rstd = new float[n];
        float[] dx = new float[n * d], dw = new float[d], db = new float[d];
        LayerNorm.forward(y, mean, rstd, x, w, 0, b, 0, n, d, 1e-5f, P);
        LayerNorm.backward(dx, dw, 0, db, 0, r, x, w, 0, mean, rstd, n, d, P);
        java.util.function.Supplier<Double> loss = () -> {
            LayerNorm.forward(y, mean, rstd, x, w, 0, b, 0, n, d, 1e-5f, P);
            return dot(y, r);
        };
        check("layernorm dx", x, dx, loss, H, TOL);
        check("layernorm dw", w, dw, loss, H, TOL);
        check("layernorm db", b, db, loss, H, TOL);
    }

    @Test
    void embedding() {
        Random rnd = new Random(6);
        int vocab = 9, d = 4;
        int[] ids = {3, 1, 3, 8, 0};
        float[] e = random(rnd, vocab * d, 1), r = random(rnd, ids.length * d, 1), y = new float[ids.length * d];
        float[] de = new float[vocab * d];
        Embedding.backward(de, 0, r, ids, d, P);
        check("embedding", e, de, () -> {
            Embedding.forward(y, ids, e, 0, vocab, d);
            return dot(y, r);
        }, H, TOL);
    }

    @Test
    void rope() {
        Random rnd = new Random(8);
        int seq = 5, heads = 3, hd = 8, n = 2 * seq;
        Rope rope = new Rope(hd, seq, 10000);
        float[] x = random(rnd, n * heads * hd, 1), r = random(rnd, x.length, 1);
        float[] dx = r.clone();
        rope.backward(dx, n, heads);
        check("rope", x, dx, () -> {
            float[] y = x.clone();
            rope.forward(y, n, heads);
            return dot(y, r);
        }, H, TOL);
    }

    @Test
    void ropeRotatesHalvesLikeTransformers() {
        int hd = 4;
        Rope rope = new Rope(hd, 3, 10000);
        float[] x = {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4};
        rope.forward(x, 3, 1);
        // position 2, pair (0, 2): frequency 1
        double c = Math.cos(2), s = Math.sin(2);
        assertEquals(1 * c - 3 * s, x[8], 1e-6);
        assertEquals(3 * c + 1 * s, x[10], 1e-6);
        assertEquals(1, x[0], 0);
    }

    @Test
    void attentionWithGroupedQueryHeads() {
        Random rnd = new Random(9);
        int batch = 2, seq = 5, heads = 4, kvHeads = 2, hd = 3, n = batch * seq;
        float[] q = random(rnd, n * heads * hd, 1), k = random(rnd, n * kvHeads * hd, 1), v = random(rnd, n * kvHeads * hd, 1);
        float[] r = random(rnd, n * heads * hd, 1);
        float[] out = new float[n * heads * hd], att = new float[batch * heads * seq * seq];
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        CausalAttention.forward(out, att, q, k, v, batch, seq, heads, kvHeads, hd, P);
        CausalAttention.backward(dq, dk, dv, r, att, q, k, v, batch, seq, heads, kvHeads, hd, P);
        java.util.function.Supplier<Double> loss = () -> {
            CausalAttention.forward(out, att, q, k, v, batch, seq, heads, kvHeads, hd, P);
            return dot(out, r);
        };
        check("attention dq", q, dq, loss, H, TOL);
        check("attention dk", k, dk, loss, H, TOL);
        check("attention dv", v, dv, loss, H, TOL);
    }

    /** Naive double-precision attention and its gradients, to check the blocked kernel on long sequences. */
    @Test
    void blockedAttentionMatchesNaiveReferenceOnLongSequences() {
        Random rnd = new Random(14);
        int batch = 1, seq = 150, heads = 2, kvHeads = 1, hd = 4, n = batch * seq;
        float[] q = random(rnd, n * heads * hd, 1), k = random(rnd, n * kvHeads * hd, 1), v = random(rnd, n * kvHeads * hd, 1);
        float[] dOut = random(rnd, n * heads * hd, 1);
        float[] out = new float[q.length], att = new float[batch * heads * seq * seq];
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        try (Parallel two = Parallel.of(2)) {
            CausalAttention.forward(out, att, q, k, v, batch, seq, heads, kvHeads, hd, two);
            CausalAttention.backward(dq, dk, dv, dOut, att, q, k, v, batch, seq, heads, kvHeads, hd, two);
        }
        double scale = 1 / Math.sqrt(hd);
        double[] rdq = new double[q.length], rdk = new double[k.length], rdv = new double[v.length];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < seq; t++) {
                double[] p = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int u = 0; u <= t; u++) {
                    double s = 0;
                    for (int i = 0; i < hd; i++) {
                        s += q[(t * heads + h) * hd + i] * k[u * hd + i];
                    }
                    p[u] = s * scale;
                    max = Math.max(max, p[u]);
                }
                for (int u = 0; u <= t; u++) {
                    p[u] = Math.exp(p[u] - max);
                    sum += p[u];
                }
                double[] dp = new double[t + 1];
                double dot = 0;
                for (int u = 0; u <= t; u++) {
                    p[u] /= sum;
                    for (int i = 0; i < hd; i++) {
                        dp[u] += dOut[(t * heads + h) * hd + i] * v[u * hd + i];
                        rdv[u * hd + i] += p[u] * dOut[(t * heads + h) * hd + i];
                    }
                    dot += p[u] * dp[u];
                }
                for (int i = 0; i < hd; i++) {
                    double o = 0;
                    for (int u = 0; u <= t; u++) {
                        o += p[u] * v[u * hd + i];
                    }
                    assertEquals(o, out[(t * heads + h) * hd + i], 1e-5, "out t=" + t);
                }
                for (int u = 0; u <= t; u++) {
                    double ds = p[u] * (dp[u] - dot) * scale;
                    for (int i = 0; i < hd; i++) {
                        rdq[(t * heads + h) * hd + i] += ds * k[u * hd + i];
                        rdk[u * hd + i] += ds * q[(t * heads + h) * hd + i];
                    }
                }
            }
        }
        for (int i = 0; i < q.length; i++) {
            assertEquals(rdq[i], dq[i], 1e-5, "dq " + i);
        }
        for (int i = 0; i < k.length; i++) {
            assertEquals(rdk[i], dk[i], 1e-5, "dk " + i);
            assertEquals(rdv[i], dv[i], 1e-5, "dv " + i);
        }
    }

    @Test
    void attentionIsCausal() {
        Random rnd = new Random(10);
        int seq = 4, hd = 2;
        float[] q = random(rnd, seq * hd, 1), k = random(rnd, seq * hd, 1), v = random(rnd, seq * hd, 1);
        float[] out1 = new float[seq * hd], out2 = new float[seq * hd], att = new float[seq * seq];
        CausalAttention.forward(out1, att, q, k, v, 1, seq, 1, 1, hd, P);
        k[3 * hd] += 5;
        v[3 * hd] += 5;
        CausalAttention.forward(out2, att, q, k, v, 1, seq, 1, 1, hd, P);
        for (int i = 0; i < 3 * hd; i++) {
            assertEquals(out1[i], out2[i], 0, "position " + i / hd + " must not see position 3");
        }
    }

    @Test
    void swiglu() {
        Random rnd = new Random(11);
        int n = 20;
        float[] g = random(rnd, n, 2), u = random(rnd, n, 1), r = random(rnd, n, 1), y = new float[n];
        float[] dg = new float[n], du = new float[n];
        Activations.swigluBackward(dg, du, r, g, u, n, P);
        java.util.function.Supplier<Double> loss = () -> {
            Activations.swigluForward(y, g, u, n, P);
            return dot(y, r);
        };
        check("swiglu gate", g, dg, loss, H, TOL);
        check("swiglu up", u, du, loss, H, TOL);
    }

    @Test
    void siluAndGelu() {
        Random rnd = new Random(12);
        int n = 20;
        float[] x = random(rnd, n, 2), r = random(rnd, n, 1), y = new float[n];
        float[] dSilu = new float[n], dGelu = new float[n];
        Activations.siluBackward(dSilu, r, x, n);
        Activations.geluBackward(dGelu, r, x, n);
        check("silu", x, dSilu, () -> {
            Activations.siluForward(y, x, n);
            return dot(y, r);
        }, H, TOL);
        check("gelu", x, dGelu, () -> {
            Activations.geluForward(y, x, n);
            return dot(y, r);
        }, H, TOL);
    }

    @Test
    void crossEntropyWithIgnoredPositions() {
        Random rnd = new Random(13);
        int n = 6, vocab = 7;
        int[] targets = {2, CrossEntropy.IGNORE, 0, 6, CrossEntropy.IGNORE, 3};
        float[] logits = random(rnd, n * vocab, 2);
        float[] losses = new float[n];
        int counted = CrossEntropy.counted(targets);
        assertEquals(4, counted);
        float[] grad = logits.clone();
        double sum = CrossEntropy.forwardBackward(grad, targets, losses, n, vocab, 1f / counted, P);
        assertEquals(0f, losses[1]);
        double expected = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] == CrossEntropy.IGNORE) {
                continue;
            }
            double z = 0;
            for (int i = 0; i < vocab; i++) {
                z += Math.exp(logits[r * vocab + i]);
            }
            expected += Math.log(z) - logits[r * vocab + targets[r]];
        }
        assertEquals(expected, sum, 1e-5);
        float[] scratch = new float[n * vocab];
        check("cross-entropy", logits, grad, () -> {
            System.arraycopy(logits, 0, scratch, 0, logits.length);
            return CrossEntropy.forwardBackward(scratch, targets, losses, n, vocab, 0f, P) / counted;
        }, H, TOL);
    }
}
