package dev.nuri.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Numerically stable softmax: subtract the maximum before exponentiating. */
public final class Softmax {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    private Softmax() {
    }

    /**
     * Softmax of x[off, off+n) in place: SIMD maximum, {@link FastExp} (a few ulp from exp), the sum in
     * double lanes, one reciprocal.
     */
    public static void inPlace(float[] x, int off, int n) {
        FloatVector vmax = FloatVector.broadcast(Simd.F, Float.NEGATIVE_INFINITY);
        int i = 0;
        int upper = n & ~7;
        for (; i < upper; i += 8) {
            vmax = vmax.max(FloatVector.fromArray(Simd.F, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX); // max is exact in any order
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            inPlaceReference(x, off, n); // all -inf: keep the scalar definition's answer
            return;
        }
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = s0;
        for (i = 0; i < upper; i += 8) {
            FloatVector e = FastExp.exp(FloatVector.fromArray(Simd.F, x, off + i).sub(max));
            e.intoArray(x, off + i);
            s0 = s0.add((DoubleVector) e.castShape(D, 0));
            s1 = s1.add((DoubleVector) e.castShape(D, 1));
        }
        DoubleVector s = s0.add(s1);
        double sum = (s.lane(0) + s.lane(1)) + (s.lane(2) + s.lane(3));
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (i = 0; i < upper; i += 8) {
            FloatVector.fromArray(Simd.F, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /** The scalar definition of {@link #inPlace} (exact exp, in order), the reference for tests. */
    static void inPlaceReference(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /** log(Σ exp(x)) over x[off, off+n), computed stably. */
    public static double logSumExp(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[off + i] - max);
        }
        return max + Math.log(sum);
    }
}
