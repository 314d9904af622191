package dev.nuri.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Normalization layers over one vector of {@code n} values; {@code out} may be {@code x}. */
public final class Norms {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    private Norms() {
    }

    /**
     * RMSNorm (Zhang &amp; Sennrich 2019): {@code out = x / sqrt(mean(x²) + eps) · w}, or {@code · (1 + w)} with
     * {@code unitOffset} (Gemma). The sum of squares is accumulated in double for stability (the order of the
     * double additions is the vector lanes', so it can differ from the scalar loop in the last double bit).
     */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, int n, float[] weight, float eps, boolean unitOffset) {
        // Σx² in double lanes: each float square is exact in double, so only the double additions round.
        DoubleVector acc0 = DoubleVector.zero(D);
        DoubleVector acc1 = acc0;
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            FloatVector v = FloatVector.fromArray(Simd.F, x, xOff + i);
            DoubleVector lo = (DoubleVector) v.castShape(D, 0);
            DoubleVector hi = (DoubleVector) v.castShape(D, 1);
            acc0 = lo.fma(lo, acc0);
            acc1 = hi.fma(hi, acc1);
        }
        DoubleVector sum = acc0.add(acc1);
        double ss = (sum.lane(0) + sum.lane(1)) + (sum.lane(2) + sum.lane(3)); // fixed order, unlike reduceLanes
        for (; i < n; i++) {
            double v = x[xOff + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        i = 0;
        FloatVector vinv = FloatVector.broadcast(Simd.F, inv);
        for (int upper = n & ~7; i < upper; i += 8) {
            FloatVector v = FloatVector.fromArray(Simd.F, x, xOff + i).mul(vinv);
            if (weight != null) {
                FloatVector w = FloatVector.fromArray(Simd.F, weight, i);
                v = v.mul(unitOffset ? w.add(1f) : w);
            }
            v.intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float w = weight == null ? 1f : (unitOffset ? 1f + weight[i] : weight[i]);
            out[outOff + i] = x[xOff + i] * inv * w;
        }
    }

    /** The scalar definition of {@link #rmsNorm}, kept as the reference the SIMD version is tested against. */
    static void rmsNormReference(float[] out, int outOff, float[] x, int xOff, int n, float[] weight, float eps, boolean unitOffset) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            float w = weight == null ? 1f : (unitOffset ? 1f + weight[i] : weight[i]);
            out[outOff + i] = x[xOff + i] * inv * w;
        }
    }

    /** LayerNorm (Ba et al. 2016): {@code out = (x - mean) / sqrt(var + eps) · gamma + beta}; null beta means zero. */
    public static void layerNorm(float[] out, int outOff, float[] x, int xOff, int n, float[] gamma, float[] beta, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[xOff + i];
        }
        double mean = sum / n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = x[xOff + i] - mean;
            var += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(var / n + eps));
        float m = (float) mean;
        for (int i = 0; i < n; i++) {
            float v = (x[xOff + i] - m) * inv;
            out[outOff + i] = v * gamma[i] + (beta == null ? 0f : beta[i]);
        }
    }
}
