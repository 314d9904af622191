package dev.nuri.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.tensor.Parallel;
import dev.nuri.train.ops.CrossEntropy;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainableLlamaTest {
    private static final LlamaShape SHAPE = new LlamaShape(23, 16, 2, 4, 2, 4, 24, 10000, 1e-5f, false, 16);

    private static int[] ids(Random rnd, int n, int vocab) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextInt(vocab);
        }
        return a;
    }

    @Test
    void wholeModelGradientMatchesFiniteDifferences() {
        for (boolean tied : new boolean[] {false, true}) {
            LlamaShape shape = new LlamaShape(23, 16, 2, 4, 2, 4, 24, 10000, 1e-5f, tied, 16);
            TrainableLlama model = new TrainableLlama(shape, Parallel.serial());
            model.initialize(1, 0.3);
            Random rnd = new Random(2);
            for (int i = 0; i < model.parameters().count(); i++) {
                // perturb the norm weights too, so their gradients are generic
                model.parameters().values()[i] += (float) (rnd.nextGaussian() * 0.05);
            }
            int batch = 2, seq = 6;
            int[] in = ids(rnd, batch * seq, 23);
            int[] labels = ids(rnd, batch * seq, 23);
            labels[3] = CrossEntropy.IGNORE;
            int[] targets = TrainableLlama.shiftLabels(labels, batch, seq);
            int counted = CrossEntropy.counted(targets);
            model.parameters().zeroGrads();
            model.forwardBackward(in, targets, batch, seq, 1f / counted);
            float[] grads = model.parameters().grads().clone();
            float[] values = model.parameters().values();
            for (Parameters.Param p : model.parameters().list()) {
                double diff = 0, norm = 0;
                for (int s = 0; s < 6; s++) {
                    int i = p.offset() + rnd.nextInt(p.size());
                    float orig = values[i];
                    double h = 1e-2;
                    values[i] = (float) (orig + h);
                    double up = model.loss(in, targets, batch, seq) / counted;
                    values[i] = (float) (orig - h);
                    double down = model.loss(in, targets, batch, seq) / counted;
                    values[i] = orig;
                    double numeric = (up - down) / (2 * h);
                    diff += (numeric - grads[i]) * (numeric - grads[i]);
                    norm += numeric * numeric;
                }
                double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-4);
                assertTrue(rel < 5e-2, "tied=" + tied + " " + p.name() + ": relative error " + rel);
            }
        }
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        Random rnd = new Random(3);
        int batch = 2, seq = 8;
        int[] in = ids(rnd, batch * seq, 23), targets = ids(rnd, batch * seq, 23);
        TrainableLlama one = new TrainableLlama(SHAPE, Parallel.serial());
        one.initialize(5, 0.2);
        double l1 = one.forwardBackward(in, targets, batch, seq, 0.1f);
        try (Parallel par = Parallel.of(2)) {
            TrainableLlama two = new TrainableLlama(SHAPE, par);
            two.initialize(5, 0.2);
            double l2 = two.forwardBackward(in, targets, batch, seq, 0.1f);
            assertEquals(l1, l2, 0);
            assertArrayEquals(one.parameters().grads(), two.parameters().grads());
        }
    }

    @Test
    void gradientAccumulationOverTwoHalvesEqualsOneFullBatch() {
        Random rnd = new Random(5);
        int seq = 6;
        int[] in = ids(rnd, 4 * seq, 23), targets = ids(rnd, 4 * seq, 23);
        TrainableLlama model = new TrainableLlama(SHAPE, Parallel.serial());
        model.initialize(9, 0.2);
        model.parameters().zeroGrads();
        double full = model.forwardBackward(in, targets, 4, seq, 1f / in.length) / in.length;
        float[] fullGrads = model.parameters().grads().clone();
        model.parameters().zeroGrads();
        int half = 2 * seq;
        double a = model.forwardBackward(java.util.Arrays.copyOfRange(in, 0, half),
                java.util.Arrays.copyOfRange(targets, 0, half), 2, seq, 1f / (half * 2)) / half;
        double b = model.forwardBackward(java.util.Arrays.copyOfRange(in, half, in.length),
                java.util.Arrays.copyOfRange(targets, half, in.length), 2, seq, 1f / (half * 2)) / half;
        assertEquals(full, (a + b) / 2, 1e-6);
        float[] acc = model.parameters().grads();
        double diff = 0, norm = 0;
        for (int i = 0; i < acc.length; i++) {
            diff += (acc[i] - fullGrads[i]) * (double) (acc[i] - fullGrads[i]);
            norm += fullGrads[i] * (double) fullGrads[i];
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-6, "relative difference " + Math.sqrt(diff / norm));
    }

    @Test
    void rowsOfABatchAreIndependent() {
        Random rnd = new Random(4);
        int seq = 5;
        int[] a = ids(rnd, seq, 23), b = ids(rnd, seq, 23);
        int[] both = new int[2 * seq];
        System.arraycopy(a, 0, both, 0, seq);
        System.arraycopy(b, 0, both, seq, seq);
        TrainableLlama model = new TrainableLlama(SHAPE, Parallel.serial());
        model.initialize(6, 0.2);
        float[] batched = model.forward(both, 2, seq).clone();
        float[] single = model.forward(b, 1, seq).clone();
        for (int i = 0; i < single.length; i++) {
            assertEquals(single[i], batched[seq * 23 + i], 1e-6f);
        }
    }

    @Test
    void outOfVocabularyIdIsAClearError() {
        TrainableLlama model = new TrainableLlama(SHAPE, Parallel.serial());
        NuriException e = assertThrows(NuriException.class, () -> model.forward(new int[] {1, 99}, 1, 2));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }
}
