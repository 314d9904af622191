package dev.nuri.train.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;

/** Central finite differences of a scalar loss against an analytic gradient, on a sample of coordinates. */
final class GradCheck {
    private GradCheck() {
    }

    static float[] random(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /**
     * Perturbs {@code x} at up to {@code samples} coordinates and compares {@code (L(x+h) - L(x-h)) / 2h} with
     * {@code analytic}; the relative error over the sample (by norm) must be below {@code tol}.
     */
    static void check(String what, float[] x, float[] analytic, Supplier<Double> loss, double h, double tol) {
        Random rnd = new Random(7);
        int samples = Math.min(x.length, 48);
        double diff = 0, norm = 0;
        for (int s = 0; s < samples; s++) {
            int i = x.length <= 48 ? s : rnd.nextInt(x.length);
            float orig = x[i];
            x[i] = (float) (orig + h);
            double up = loss.get();
            x[i] = (float) (orig - h);
            double down = loss.get();
            x[i] = orig;
            double numeric = (up - down) / (2 * h);
            diff += (numeric - analytic[i]) * (numeric - analytic[i]);
            norm += numeric * numeric;
        }
        double rel = Math.sqrt(diff) / Math.max(1e-12, Math.sqrt(norm));
        assertTrue(norm > 0, what + ": finite differences are all zero (the check would be vacuous)");
        assertTrue(rel < tol, what + ": relative gradient error " + rel + " exceeds " + tol);
    }
}
