package dev.nuri.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerChainTest {

    private static final TokenHistory NO_HISTORY = new TokenHistory(8, new int[0]);

    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    private static int kept(float[] logits) {
        return (int) Arrays.stream(Distributions.softmax(logits)).filter(p -> p > 0).count();
    }

    @Test
    void orderFollowsHuggingFace() {
        GenerationOptions o = GenerationOptions.builder().temperature(0.7).topK(40).topP(0.9).minP(0.05)
                .repetitionPenalty(1.1).presencePenalty(0.5).frequencyPenalty(0.1).build();
        List<Class<?>> order = SamplerChain.of(o).processors().stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(RepetitionPenalty.class, PresenceFrequencyPenalty.class, Temperature.class, TopK.class,
                TopP.class, MinP.class), order);
        List<Class<?>> greedy = SamplerChain.of(o.toBuilder().temperature(0).build()).processors().stream()
                .<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(RepetitionPenalty.class, PresenceFrequencyPenalty.class), greedy);
    }

    @Test
    void greedyIsArgmaxWithLowestIndexOnTies() {
        Random r = new Random(7);
        SamplerChain greedy = SamplerChain.of(GenerationOptions.greedy(1));
        for (int trial = 0; trial < 50; trial++) {
            float[] logits = new float[100];
            int best = 0;
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) r.nextGaussian();
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            assertEquals(best, greedy.next(logits.clone(), new TokenHistory(100, new int[0]), null));
        }
        assertEquals(2, greedy.next(new float[] {1, 3, 5, 5, 0}, new TokenHistory(5, new int[0]), null));
    }

    @Test
    void greedyAppliesPenalties() {
        SamplerChain chain = SamplerChain.of(GenerationOptions.builder().repetitionPenalty(2).build());
        // token 0 is in the prompt: 4 / 2 = 2 < 3, so token 1 wins
        assertEquals(1, chain.next(new float[] {4, 3, 1}, new TokenHistory(3, new int[] {0}), null));
    }

    @Test
    void topKKeepsTiesWithTheKthAndEverythingWhenKIsTheVocabulary() {
        float[] logits = {1, 5, 3, 3, 2};
        float[] a = logits.clone();
        new TopK(2).process(a, NO_HISTORY);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 5, 3, 3, Float.NEGATIVE_INFINITY}, a);
        float[] b = logits.clone();
        new TopK(5).process(b, NO_HISTORY);
        assertArrayEquals(logits, b);
        float[] c = logits.clone();
        new TopK(1000).process(c, NO_HISTORY);
        assertArrayEquals(logits, c);
        float[] d = logits.clone();
        new TopK(1).process(d, NO_HISTORY);
        assertEquals(1, kept(d));
        assertEquals(5f, d[1]);
    }

    @Test
    void topPRemovesTheTailWhoseMassIsAtMostOneMinusP() {
        float[] logits = logitsOf(0.5, 0.3, 0.2);
        float[] a = logits.clone();
        new TopP(0.75).process(a, NO_HISTORY); // ascending running sums 0.2, 0.5, 1.0: only 0.2 <= 0.25
        assertEquals(Float.NEGATIVE_INFINITY, a[2]);
        assertEquals(2, kept(a));
        float[] b = logits.clone();
        new TopP(0.85).process(b, NO_HISTORY); // 0.2 > 0.15: nothing removed
        assertEquals(3, kept(b));
        float[] c = logits.clone();
        new TopP(0.01).process(c, NO_HISTORY); // the most likely token always stays
        assertEquals(1, kept(c));
        assertEquals(logits[0], c[0]);
    }

    @Test
    void topPOfOneKeepsEvenTokensWhoseProbabilityUnderflows() {
        float[] logits = {0, -200, -1000};
        float[] a = logits.clone();
        new TopP(1).process(a, NO_HISTORY);
        assertArrayEquals(logits, a);
        assertTrue(SamplerChain.of(GenerationOptions.builder().temperature(1).topP(1).build()).processors().isEmpty());
    }

    @Test
    void topPKeepsTokensTiedWithTheLeastLikelyKeptOne() {
        float[] a = logitsOf(0.4, 0.2, 0.2, 0.2);
        new TopP(0.5).process(a, NO_HISTORY); // running sums 0.2, 0.4 <= 0.5 would split the tie: all three stay
        assertEquals(4, kept(a));
    }

    @Test
    void minPRemovesTokensBelowAFractionOfTheBest() {
        float[] a = logitsOf(0.5, 0.3, 0.15, 0.05);
        new MinP(0.2).process(a, NO_HISTORY); // threshold 0.1
        assertEquals(3, kept(a));
        assertEquals(Float.NEGATIVE_INFINITY, a[3]);
        float[] b = logitsOf(0.5, 0.3, 0.15, 0.05);
        new MinP(1).process(b, NO_HISTORY);
        assertEquals(1, kept(b));
        float[] c = logitsOf(0.25, 0.25, 0.25, 0.25);
        new MinP(1).process(c, NO_HISTORY); // ties with the best all stay
        assertEquals(4, kept(c));
    }

    @Test
    void repetitionPenaltyDividesPositiveMultipliesNegativeOncePerToken() {
        float[] logits = {2, -2, 2, -2};
        new RepetitionPenalty(2).process(logits, new TokenHistory(4, new int[] {0, 1, 0, 0, 1}));
        assertArrayEquals(new float[] {1, -4, 2, -2}, logits);
    }

    @Test
    void presenceAndFrequencyPenaltiesCountOnlyGeneratedTokens() {
        TokenHistory history = new TokenHistory(4, new int[] {0, 0, 3});
        history.add(1);
        history.add(1);
        history.add(2);
        history.add(3);
        float[] logits = {1, 1, 1, 1};
        new PresenceFrequencyPenalty(0.5f, 0.25f).process(logits, history);
        // token 0: prompt only; 1: twice; 2 and 3: once each (3's prompt occurrence does not count)
        assertArrayEquals(new float[] {1, 1 - 0.5f - 0.5f, 1 - 0.5f - 0.25f, 1 - 0.5f - 0.25f}, logits);
    }

    @Test
    void sameSeedSameTokensAndDrawsFollowTheDistribution() {
        SamplerChain chain = SamplerChain.of(GenerationOptions.builder().temperature(1).topK(3).build());
        float[] logits = logitsOf(0.4, 0.3, 0.2, 0.1);
        int[] first = drawMany(chain, logits, 42, 20_000);
        int[] again = drawMany(chain, logits, 42, 20_000);
        assertArrayEquals(first, again);
        assertNotEquals(Arrays.toString(first), Arrays.toString(drawMany(chain, logits, 43, 20_000)));
        double[] expected = {0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9, 0};
        int[] counts = new int[4];
        for (int t : first) {
            counts[t]++;
        }
        assertEquals(0, counts[3], "top-k removed token 3: it must never be drawn");
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], counts[i] / 20_000.0, 0.015, "frequency of token " + i);
        }
    }

    private static int[] drawMany(SamplerChain chain, float[] logits, long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = chain.next(logits.clone(), new TokenHistory(logits.length, new int[0]), random);
        }
        return out;
    }

    @Test
    void temperatureSharpensAndFlattens() {
        float[] logits = logitsOf(0.6, 0.3, 0.1);
        double[] cold = SamplerChain.of(GenerationOptions.builder().temperature(0.5).build())
                .probabilities(logits, NO_HISTORY);
        // p_i^(1/T) normalized: 0.36, 0.09, 0.01 over 0.46
        assertEquals(0.36 / 0.46, cold[0], 1e-6);
        assertEquals(0.01 / 0.46, cold[2], 1e-6);
    }

    /** Hugging Face's top-p, written plainly: full ascending sort, float probabilities, running sum. */
    private static boolean[] referenceTopPKeeps(float[] logits, double p) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
        double[] probs = Distributions.softmax(logits);
        boolean[] keep = new boolean[logits.length];
        double cumulative = 0;
        for (int j = 0; j < order.length; j++) {
            cumulative += (float) probs[order[j]];
            keep[order[j]] = (float) cumulative > (float) (1 - p) || j == order.length - 1;
        }
        return keep;
    }

    @Test
    void topPMatchesAPlainFullSortOnManyDistributions() {
        Random r = new Random(11);
        int[] sizes = {3, 50, 300, 5000};
        double[] spreads = {0.3, 1, 3, 8};
        double[] ps = {0.1, 0.5, 0.9, 0.95, 0.99};
        for (int size : sizes) {
            for (double spread : spreads) {
                for (double p : ps) {
                    float[] logits = new float[size];
                    for (int i = 0; i < size; i++) {
                        logits[i] = (float) (spread * r.nextGaussian());
                    }
                    boolean[] expected = referenceTopPKeeps(logits, p);
                    float[] actual = logits.clone();
                    new TopP(p).process(actual, NO_HISTORY);
                    for (int i = 0; i < size; i++) {
                        assertEquals(expected[i], actual[i] != Float.NEGATIVE_INFINITY,
                                "size " + size + " spread " + spread + " p " + p + " token " + i);
                    }
                }
            }
        }
    }

    @Test
    void minPMatchesTheProbabilityDefinitionOnManyDistributions() {
        Random r = new Random(12);
        for (int trial = 0; trial < 200; trial++) {
            int size = 1 + r.nextInt(3000);
            double minP = r.nextDouble();
            float[] logits = new float[size];
            for (int i = 0; i < size; i++) {
                logits[i] = (float) (4 * r.nextGaussian());
            }
            double[] probs = Distributions.softmax(logits);
            float top = (float) probs[Distributions.argmax(logits)];
            float[] actual = logits.clone();
            new MinP(minP).process(actual, NO_HISTORY);
            for (int i = 0; i < size; i++) {
                boolean keep = !((float) probs[i] < (float) minP * top);
                assertEquals(keep, actual[i] != Float.NEGATIVE_INFINITY, "trial " + trial + " token " + i);
            }
        }
    }
}
