package dev.nuri.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nuri.train.model.Parameters;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    /** Reference AdamW in double precision, written from the paper's algorithm (decoupled decay). */
    private static double[] adamwReference(double p, double[] grads, double lr, double b1, double b2, double eps, double wd) {
        double m = 0, v = 0;
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            p *= 1 - lr * wd;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            double mHat = m / (1 - Math.pow(b1, t));
            double vHat = v / (1 - Math.pow(b2, t));
            p -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
        return new double[] {p, m, v};
    }

    @Test
    void adamwFollowsTheAlgorithmOverSeveralSteps() {
        double[] grads = {0.5, -0.25, 0.125, 1.5};
        AdamW opt = new AdamW(1, 0.9, 0.95, 1e-8, 0.1, null);
        float[] p = {0.75f};
        for (double g : grads) {
            opt.step(p, new float[] {(float) g}, 1e-2);
        }
        double[] ref = adamwReference(0.75, grads, 1e-2, 0.9, 0.95, 1e-8, 0.1);
        assertEquals(ref[0], p[0], 1e-6);
        assertEquals(ref[1], opt.state().get("exp_avg")[0], 1e-6);
        assertEquals(ref[2], opt.state().get("exp_avg_sq")[0], 1e-6);
        assertEquals(4, opt.steps());
    }

    @Test
    void decayMaskExcludesNormsByDefault() {
        Parameters params = new Parameters.Builder().add("w", 2, 2).add("norm", 2).build();
        boolean[] mask = DecayPolicy.MATRICES.mask(params);
        AdamW opt = new AdamW(params.count(), 0.9, 0.95, 1e-8, 0.5, mask);
        java.util.Arrays.fill(params.values(), 1f);
        opt.step(params.values(), new float[params.count()], 0.1);
        assertEquals(0.95f, params.values()[0], 1e-7);
        assertEquals(1f, params.values()[4], 0);
        assertEquals(6, DecayPolicy.ALL.mask(params).length);
        assertThrows(IllegalArgumentException.class, () -> DecayPolicy.parse("some"));
    }

    @Test
    void sgdWithMomentumMatchesTorchRecurrence() {
        Sgd sgd = new Sgd(1, 0.9, 0, null);
        float[] p = {1f};
        sgd.step(p, new float[] {1f}, 0.1);
        assertEquals(0.9f, p[0], 1e-7);
        sgd.step(p, new float[] {1f}, 0.1);
        assertEquals(0.9f - 0.1f * 1.9f, p[0], 1e-6);
    }

    @Test
    void clippingScalesToTheMaximumNorm() {
        float[] g = {3f, 4f};
        double norm = GradClip.clip(g, 1.0);
        assertEquals(5.0, norm, 1e-12);
        assertEquals(1.0, GradClip.globalNorm(g), 1e-6);
        float[] small = {0.3f, 0.4f};
        GradClip.clip(small, 1.0);
        assertEquals(0.3f, small[0], 0);
    }

    @Test
    void schedulesWarmUpThenDecay() {
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1.0, 10, 110, 0.1);
        assertEquals(0.1, cos.at(0), 1e-12);
        assertEquals(1.0, cos.at(9), 1e-12);
        assertEquals(1.0, cos.at(10), 1e-12);
        assertEquals(0.55, cos.at(60), 1e-12);
        assertEquals(0.1, cos.at(110), 1e-12);
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 1.0, 0, 100, 0);
        assertEquals(0.5, lin.at(50), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.COSINE, 1, 20, 10, 0));
    }
}
