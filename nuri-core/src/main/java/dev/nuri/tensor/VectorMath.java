package dev.nuri.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise arithmetic on float arrays (offset + length), SIMD with scalar tails. */
public final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {
    }

    /**
     * Σ a[aOff+i]·b[bOff+i] for i in [0, n), in a fixed order (8 lanes, pairwise lane sum, then the tail), so
     * the result is the same bits on every machine and in every JIT tier.
     */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(Simd.F);
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            acc = FloatVector.fromArray(Simd.F, a, aOff + i).fma(FloatVector.fromArray(Simd.F, b, bOff + i), acc);
        }
        float sum = Simd.sum8(acc);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff+i] += a·x[xOff+i]. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.broadcast(S, a), FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** y[yOff+i] += x[xOff+i] (residual connections). */
    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, y, yOff + i).add(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    /** y[yOff+i] *= x[xOff+i]. */
    public static void mulInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, y, yOff + i).mul(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] *= x[xOff + i];
        }
    }

    /** x[off+i] *= s. */
    public static void scale(float[] x, int off, int n, float s) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).mul(s).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= s;
        }
    }

    /** Soft-capping {@code cap · tanh(x / cap)} in place (Gemma 2's attention and final logits). */
    public static void softCap(float[] x, int off, int n, float cap) {
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (cap * Math.tanh(x[off + i] / cap));
        }
    }

    /** Index of the largest value in x[off, off+n) (the first one on ties). */
    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
