package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {

    @Test
    void erfMatchesKnownValues() {
        // Values from Abramowitz & Stegun table 7.1 / high-precision references.
        assertEquals(0.0, Erf.erf(0), 0);
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
        assertEquals(0.9953222650189527, Erf.erf(2.0), 1e-15);
        assertEquals(0.9999779095030014, Erf.erf(3.0), 1e-15);
        assertEquals(0.9999999845827421, Erf.erf(4.0), 1e-15);
        assertEquals(-0.8427007929497149, Erf.erf(-1.0), 1e-15);
        assertEquals(-0.9999779095030014, Erf.erf(-3.0), 1e-15);
    }

    @Test
    void softmaxIsStableAndSumsToOne() {
        float[] x = {1000f, 1001f, 999f, Float.NEGATIVE_INFINITY};
        Softmax.inPlace(x, 0, 4);
        assertEquals(0.24472847f, x[0], 1e-7);
        assertEquals(0.66524096f, x[1], 1e-7);
        assertEquals(0.09003057f, x[2], 1e-7);
        assertEquals(0f, x[3], 0);
    }

    @Test
    void ropeLayoutsRotateTheRightPairs() {
        float[] inv = Rope.defaultInverseFrequencies(4, 10000);
        float[] x = {1, 2, 3, 4};
        new Rope(4, Rope.Layout.NORMAL, 8, inv, 1f).apply(x, 0, 1, 4, 1);
        // pairs (x0,x1) at freq 1 and (x2,x3) at freq 1/100
        double c0 = Math.cos(1), s0 = Math.sin(1), c1 = Math.cos(0.01), s1 = Math.sin(0.01);
        assertArrayEquals(new float[] {(float) (1 * c0 - 2 * s0), (float) (1 * s0 + 2 * c0),
                (float) (3 * c1 - 4 * s1), (float) (3 * s1 + 4 * c1)}, x, 1e-6f);
        float[] y = {1, 2, 3, 4};
        new Rope(4, Rope.Layout.NEOX, 8, inv, 1f).apply(y, 0, 1, 4, 1);
        // pairs (x0,x2) at freq 1 and (x1,x3) at freq 1/100
        assertArrayEquals(new float[] {(float) (1 * c0 - 3 * s0), (float) (2 * c1 - 4 * s1),
                (float) (1 * s0 + 3 * c0), (float) (2 * s1 + 4 * c1)}, y, 1e-6f);
    }

    @Test
    void rmsNormAndLayerNorm() {
        float[] x = {1, 2, 3, 4};
        float[] out = new float[4];
        Norms.rmsNorm(out, 0, x, 0, 4, new float[] {1, 1, 2, 1}, 0f, false);
        float inv = (float) (1 / Math.sqrt(7.5));
        assertArrayEquals(new float[] {inv, 2 * inv, 6 * inv, 4 * inv}, out, 1e-6f);
        Norms.rmsNorm(out, 0, x, 0, 4, new float[] {0, 0, 1, 0}, 0f, true);
        assertArrayEquals(new float[] {inv, 2 * inv, 6 * inv, 4 * inv}, out, 1e-6f);
        Norms.layerNorm(out, 0, x, 0, 4, new float[] {1, 1, 1, 1}, new float[] {0, 0, 0, 1}, 0f);
        float s = (float) (1 / Math.sqrt(1.25));
        assertArrayEquals(new float[] {-1.5f * s, -0.5f * s, 0.5f * s, 1.5f * s + 1}, out, 1e-6f);
    }

    @Test
    void activationsMatchTheirDefinitions() {
        float[] x = {-2f, -0.5f, 0f, 0.5f, 2f};
        float[] silu = x.clone();
        Activations.silu(silu, 0, 5);
        float[] gelu = x.clone();
        Activations.geluErf(gelu, 0, 5);
        float[] tanh = x.clone();
        Activations.geluTanh(tanh, 0, 5);
        for (int i = 0; i < 5; i++) {
            double v = x[i];
            assertEquals(v / (1 + Math.exp(-v)), silu[i], 1e-7);
            assertEquals(0.5 * v * (1 + Erf.erf(v / Math.sqrt(2))), gelu[i], 1e-7);
            assertEquals(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), tanh[i], 1e-7);
        }
        assertEquals(-0.04550026f, gelu[0], 1e-7f); // GELU(-2) = -2·Φ(-2)
    }
}
