package dev.nuri.train.ops;

import dev.nuri.NuriException;
import dev.nuri.tensor.Parallel;

/** Token embedding lookup {@code out[t] = E[ids[t]]} and its scatter-add backward. */
public final class Embedding {
    private Embedding() {
    }

    public static void forward(float[] out, int[] ids, float[] e, int eOff, int vocab, int dim) {
        for (int t = 0; t < ids.length; t++) {
            int id = ids[t];
            if (id < 0 || id >= vocab) {
                throw new NuriException("token id " + id + " at position " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
            System.arraycopy(e, eOff + id * dim, out, t * dim, dim);
        }
    }

    /** {@code dE[ids[t]] += dOut[t]}, split over embedding columns so every thread sums positions in order. */
    public static void backward(float[] dE, int dEOff, float[] dOut, int[] ids, int dim, Parallel par) {
        par.forRange(dim, 16, (start, end) -> {
            for (int t = 0; t < ids.length; t++) {
                int src = t * dim, dst = dEOff + ids[t] * dim;
                for (int i = start; i < end; i++) {
                    dE[dst + i] += dOut[src + i];
                }
            }
        });
    }
}
