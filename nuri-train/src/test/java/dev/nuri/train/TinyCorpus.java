package dev.nuri.train;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small English corpus made in code: sentences drawn from a fixed grammar over words from public-domain nursery
 * rhymes, tokenized as UTF-8 bytes (ids 0–255) with id 256 between sentences. Byte-level so the tests need no
 * trained tokenizer.
 */
final class TinyCorpus {
    static final List<String> SUBJECTS = List.of("the cat", "the dog", "a little lamb", "the old woman", "jack", "jill",
            "the cow", "the mouse", "a black sheep", "the king");
    static final List<String> VERBS = List.of("sat on", "ran to", "jumped over", "went up", "looked at", "found");
    static final List<String> OBJECTS = List.of("the hill", "the moon", "the wall", "the clock", "the fiddle",
            "the garden", "the river", "the house");
    static final int END = 256;
    static final int VOCAB = 257;

    private TinyCorpus() {
    }

    static String sentence(SplittableRandom rnd) {
        return SUBJECTS.get(rnd.nextInt(SUBJECTS.size())) + " " + VERBS.get(rnd.nextInt(VERBS.size())) + " "
                + OBJECTS.get(rnd.nextInt(OBJECTS.size())) + ".";
    }

    static int[] tokens(int sentences, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder ids = new StringBuilder();
        int[] out = new int[sentences * 40];
        int n = 0;
        for (int s = 0; s < sentences; s++) {
            for (byte b : sentence(rnd).getBytes(StandardCharsets.UTF_8)) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
                out[n++] = b & 0xFF;
            }
            if (n == out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = END;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Entropy (nats) of the token frequencies: the loss of the best model that ignores context. */
    static double unigramEntropy(int[] ids) {
        long[] c = new long[VOCAB];
        for (int id : ids) {
            c[id]++;
        }
        double h = 0;
        for (long k : c) {
            if (k > 0) {
                double p = (double) k / ids.length;
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
