package dev.nuri.bench;

import dev.nuri.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * STREAM-style memory bandwidth probes on float arrays far larger than the caches, split across threads like
 * the kernels: the triad {@code a = b + s·c} (12 bytes per element: two reads and a write, as STREAM counts
 * it) and a read-only sum (4 bytes per element), which is what a mat-vec does with its weights.
 */
public final class Stream {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final float[] a;
    private final float[] b;
    private final float[] c;

    public Stream(int elements) {
        a = new float[elements];
        b = new float[elements];
        c = new float[elements];
        java.util.Arrays.fill(a, 1f);
        java.util.Arrays.fill(b, 2f);
        java.util.Arrays.fill(c, 0.5f);
    }

    public long triadBytes() {
        return 12L * a.length;
    }

    public long sumBytes() {
        return 4L * a.length;
    }

    public void triad(Parallel p, float s) {
        p.forRange(a.length, 1 << 16, (start, end) -> {
            int i = start;
            for (int upper = start + S.loopBound(end - start); i < upper; i += S.length()) {
                FloatVector.fromArray(S, c, i).fma(FloatVector.broadcast(S, s), FloatVector.fromArray(S, b, i)).intoArray(a, i);
            }
            for (; i < end; i++) {
                a[i] = b[i] + s * c[i];
            }
        });
    }

    /** Sum of every element of {@code a} (each thread sums its chunk with 4 accumulators; the result only keeps the loads alive). */
    public double sum(Parallel p) {
        java.util.concurrent.atomic.DoubleAdder total = new java.util.concurrent.atomic.DoubleAdder();
        p.forRange(a.length, 1 << 16, (start, end) -> {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            int step = 4 * S.length();
            int i = start;
            for (int upper = end - step; i <= upper; i += step) {
                s0 = s0.add(FloatVector.fromArray(S, a, i));
                s1 = s1.add(FloatVector.fromArray(S, a, i + S.length()));
                s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * S.length()));
                s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * S.length()));
            }
            float t = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
            for (; i < end; i++) {
                t += a[i];
            }
            total.add(t);
        });
        return total.sum();
    }
}
