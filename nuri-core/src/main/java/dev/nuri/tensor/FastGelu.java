package dev.nuri.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact (erf) GELU in float SIMD, for encoders whose feed-forward layers are wide enough that the activation
 * costs as much as the matrix products when computed with a double-precision erf. erf uses the odd/even rational
 * approximation on [-4, 4] of Eigen's {@code generic_fast_erf_float} (a few ulp in float; erf(±4) is ±1 to float
 * precision). The test checks it against {@link Activations#geluErf}.
 */
public final class FastGelu {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float A1 = -1.60960333262415e-02f;
    private static final float A3 = -2.95459980854025e-03f;
    private static final float A5 = -7.34990630326855e-04f;
    private static final float A7 = -5.69250639462346e-05f;
    private static final float A9 = -2.10102402082508e-06f;
    private static final float A11 = 2.77068142495902e-08f;
    private static final float A13 = -2.72614225801306e-10f;
    private static final float B0 = -1.42647390514189e-02f;
    private static final float B2 = -7.37332916720468e-03f;
    private static final float B4 = -1.68282697438203e-03f;
    private static final float B6 = -2.13374055278905e-04f;
    private static final float B8 = -1.45660718464996e-05f;

    private FastGelu() {
    }

    /** x·Φ(x) = x/2·(1 + erf(x/√2)) in place over x[off, off+n). */
    public static void apply(float[] x, int off, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            FloatVector z = v.mul(INV_SQRT2).max(-4f).min(4f);
            FloatVector z2 = z.mul(z);
            FloatVector p = z2.mul(A13).add(A11);
            p = p.mul(z2).add(A9);
            p = p.mul(z2).add(A7);
            p = p.mul(z2).add(A5);
            p = p.mul(z2).add(A3);
            p = p.mul(z2).add(A1);
            p = p.mul(z);
            FloatVector q = z2.mul(B8).add(B6);
            q = q.mul(z2).add(B4);
            q = q.mul(z2).add(B2);
            q = q.mul(z2).add(B0);
            FloatVector erf = p.div(q);
            v.mul(0.5f).mul(erf.add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            x[off + i] = 0.5f * v * (1f + erf(v * INV_SQRT2));
        }
    }

    /** The scalar form of the same approximation. */
    static float erf(float a) {
        float z = Math.min(4f, Math.max(-4f, a));
        float z2 = z * z;
        float p = z2 * A13 + A11;
        p = p * z2 + A9;
        p = p * z2 + A7;
        p = p * z2 + A5;
        p = p * z2 + A3;
        p = p * z2 + A1;
        p = p * z;
        float q = z2 * B8 + B6;
        q = q * z2 + B4;
        q = q * z2 + B2;
        q = q * z2 + B0;
        return p / q;
    }
}
