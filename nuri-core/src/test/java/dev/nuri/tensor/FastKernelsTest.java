package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Each SIMD element-wise kernel against its scalar reference, on sizes that are not multiples of 8. */
class FastKernelsTest {
    private static final int[] SIZES = {1, 7, 9, 31, 77, 333, 4099};

    private static float[] random(int n, long seed, double scale) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * scale);
        }
        return x;
    }

    private static void assertClose(float[] expected, float[] actual, double rel, double abs, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.abs(expected[i]) + abs;
            assertEquals(expected[i], actual[i], tol, what + " at " + i);
        }
    }

    @Test
    void fastExpIsWithinAFewUlpOfExp() {
        float[] in = new float[8];
        float[] out = new float[8];
        Random rnd = new Random(5);
        for (int k = 0; k < 20000; k++) {
            for (int i = 0; i < 8; i++) {
                in[i] = (float) (rnd.nextDouble() * 175 - 87);
            }
            FastExp.exp(FloatVector.fromArray(Simd.F, in, 0)).intoArray(out, 0);
            for (int i = 0; i < 8; i++) {
                double exact = Math.exp(in[i]);
                assertEquals(exact, out[i], 3 * Math.ulp((float) exact), "exp(" + in[i] + ")");
            }
        }
        float[] edge = {-1000f, -88f, Float.NEGATIVE_INFINITY, 0f, 1f, 89f, Float.POSITIVE_INFINITY, -0f};
        FastExp.exp(FloatVector.fromArray(Simd.F, edge, 0)).intoArray(out, 0);
        assertEquals(0f, out[0]);
        assertEquals(0f, out[2]);
        assertEquals(1f, out[3]);
        assertEquals((float) Math.E, out[4], Math.ulp((float) Math.E));
        assertEquals(Float.POSITIVE_INFINITY, out[5]);
        assertEquals(Float.POSITIVE_INFINITY, out[6]);
        assertEquals(1f, out[7]);
    }

    @Test
    void rmsNormMatchesItsReference() {
        for (int n : SIZES) {
            float[] x = random(n + 3, n, 3);
            float[] w = random(n, n + 1, 1);
            for (boolean unit : new boolean[] {false, true}) {
                for (float[] weight : new float[][] {w, null}) {
                    float[] fast = new float[n + 2];
                    float[] ref = new float[n + 2];
                    Norms.rmsNorm(fast, 2, x, 3, n, weight, 1e-5f, unit);
                    Norms.rmsNormReference(ref, 2, x, 3, n, weight, 1e-5f, unit);
                    // the double sums differ at most in their last bits; after rounding to float: ≤ 1 ulp
                    assertClose(ref, fast, 2e-7, 0, "rmsNorm n=" + n);
                }
            }
        }
    }

    @Test
    void softmaxMatchesItsReference() {
        for (int n : SIZES) {
            for (double scale : new double[] {1, 30}) {
                float[] x = random(n + 1, n * 7L, scale);
                x[n / 2] = Float.NEGATIVE_INFINITY; // masked position
                float[] fast = x.clone();
                float[] ref = x.clone();
                Softmax.inPlace(fast, 1, n);
                Softmax.inPlaceReference(ref, 1, n);
                assertClose(ref, fast, 1e-6, 1e-12, "softmax n=" + n);
            }
        }
        float[] allMasked = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] refMasked = allMasked.clone();
        Softmax.inPlace(allMasked, 0, 2);
        Softmax.inPlaceReference(refMasked, 0, 2);
        assertEquals(Float.floatToIntBits(refMasked[0]), Float.floatToIntBits(allMasked[0]));
    }

    @Test
    void activationsMatchTheirReferences() {
        for (int n : SIZES) {
            float[] x = random(n + 2, n * 3L, 4);
            x[0] = 120f; // beyond exp's range
            x[1] = -120f;
            float[] fast = x.clone();
            float[] ref = x.clone();
            Activations.silu(fast, 0, n);
            Activations.siluReference(ref, 0, n);
            assertClose(ref, fast, 1e-6, 1e-30, "silu n=" + n);
            fast = x.clone();
            ref = x.clone();
            Activations.geluTanh(fast, 0, n);
            Activations.geluTanhReference(ref, 0, n);
            assertClose(ref, fast, 1e-6, 1e-7, "geluTanh n=" + n);
        }
    }

    @Test
    void vectorDotIsTheSameInEveryCallAndCloseToExact() {
        for (int n : SIZES) {
            float[] a = random(n, n, 1);
            float[] b = random(n, n + 9, 1);
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[i] * b[i];
                magnitude += Math.abs((double) a[i] * b[i]);
            }
            float first = VectorMath.dot(a, 0, b, 0, n);
            assertEquals(exact, first, 1e-6 * magnitude);
            for (int k = 0; k < 2000; k++) { // long enough for the JIT to compile it: the bits must not change
                assertEquals(Float.floatToIntBits(first), Float.floatToIntBits(VectorMath.dot(a, 0, b, 0, n)));
            }
        }
    }
}
