package dev.nuri.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Beam search on a bigram model small enough to follow by hand. Token 0 is EOS; the prompt is [1]; impossible
 * continuations get logit -1e4. The next-token probabilities are
 * <pre>
 *   after 1: EOS .40, 2 .35, 3 .25
 *   after 2: EOS .10, 3 .90
 *   after 3: EOS .90, 4 .10
 *   after 4: EOS 1
 * </pre>
 * With 2 beams, Hugging Face keeps max(2, 1 + 1 EOS id) × 2 = 4 candidates per step, and a finished candidate
 * enters the pool only if it ranks in the first 2.
 * <ul>
 *   <li>Step 1: candidates EOS (-0.916), 2 (-1.050), 3 (-1.386), … EOS ranks first: the pool gets [EOS] with score
 *       ln .4 / 1. Running: [2], [3].</li>
 *   <li>Step 2: [2,3] ln.35+ln.9 = -1.155, [3,EOS] ln.25+ln.9 = -1.492, [2,EOS] -3.352, [3,4] -3.689. [3,EOS]
 *       ranks second: it enters with -1.492 / 2 = -0.746, so the pool is full ([3,EOS], [EOS]). [2,EOS] ranks third
 *       and is dropped even though it ends with EOS. Running: [2,3], [3,4].
 *       <br>early_stopping=True stops here. With False, the best running beam scored at the current length,
 *       -1.155 / 2 = -0.578, beats the worst finished (-0.916), so the search goes on.</li>
 *   <li>Step 3: [2,3,EOS] -1.261 ranks first and enters with -1.261 / 3 = -0.420; the pool becomes
 *       ([2,3,EOS], [3,EOS]). The best running beam [2,3,4] scores -3.458 / 3 = -1.153 &lt; -0.746: stop.</li>
 * </ul>
 */
class BeamSearchTest {
    private static final float NO = -1e4f;
    private static final double L40 = Math.log(.40);
    private static final double L35 = Math.log(.35);
    private static final double L25 = Math.log(.25);
    private static final double L10 = Math.log(.10);
    private static final double L90 = Math.log(.90);

    private static float l(double p) {
        return (float) Math.log(p);
    }

    private static FakeModel model() {
        float[][] table = {
                {l(.2), l(.2), l(.2), l(.2), l(.2)},
                {l(.40), NO, l(.35), l(.25), NO},
                {l(.10), NO, NO, l(.90), NO},
                {l(.90), NO, NO, NO, l(.10)},
                {0, NO, NO, NO, NO},
        };
        return FakeModel.bigram(table, 64, Set.of(0));
    }

    private static GenerationResult run(FakeModel model, GenerationOptions options) {
        return new Generator(model, new ByteTokenizer()).generate(new int[] {1}, options);
    }

    private static GenerationOptions beams(EarlyStopping early, int maxNewTokens, double lengthPenalty) {
        return GenerationOptions.builder().numBeams(2).earlyStopping(early).maxNewTokens(maxNewTokens)
                .lengthPenalty(lengthPenalty).build();
    }

    private static void assertBeam(BeamHypothesis h, double score, FinishReason reason, int... ids) {
        assertArrayEquals(ids, h.tokenIds());
        assertEquals(score, h.score(), 1e-5);
        assertEquals(reason, h.finishReason());
    }

    @Test
    void earlyStoppingTrueStopsWhenThePoolIsFull() {
        FakeModel model = model();
        GenerationResult r = run(model, beams(EarlyStopping.TRUE, 4, 1.0));
        List<BeamHypothesis> h = r.beams();
        assertEquals(2, h.size());
        assertBeam(h.get(0), (L25 + L90) / 2, FinishReason.STOP, 3, 0);
        assertBeam(h.get(1), L40, FinishReason.STOP, 0);
        assertArrayEquals(new int[] {3, 0}, r.tokenIds());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals("\u0003", r.text(), "the EOS token is not text");
        assertEquals(1, model.forks, "after step 1 both running beams continue the prompt's cache: one fork");
    }

    @Test
    void earlyStoppingFalseGoesOnWhileTheBestRunningBeamCanWin() {
        FakeModel model = model();
        GenerationResult r = run(model, beams(EarlyStopping.FALSE, 4, 1.0));
        assertEquals(2, r.beams().size());
        assertBeam(r.beams().get(0), (L35 + L90 + L90) / 3, FinishReason.STOP, 2, 3, 0);
        assertBeam(r.beams().get(1), (L25 + L90) / 2, FinishReason.STOP, 3, 0);
        assertEquals(1, model.forks);
        GenerationResult never = run(model(), beams(EarlyStopping.NEVER, 4, 1.0));
        assertBeam(never.beams().get(0), (L35 + L90 + L90) / 3, FinishReason.STOP, 2, 3, 0);
    }

    @Test
    void theLengthLimitFinishesTheTopCandidates() {
        GenerationResult r = run(model(), beams(EarlyStopping.FALSE, 2, 1.0));
        // step 2 is the last: [2,3] (rank 1) and [3,EOS] (rank 2) enter the pool, replacing [EOS]
        assertBeam(r.beams().get(0), (L35 + L90) / 2, FinishReason.LENGTH, 2, 3);
        assertBeam(r.beams().get(1), (L25 + L90) / 2, FinishReason.STOP, 3, 0);
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void lengthPenaltyZeroRanksByTheSumOfLogProbs() {
        GenerationResult r = run(model(), beams(EarlyStopping.TRUE, 4, 0.0));
        assertBeam(r.beams().get(0), L40, FinishReason.STOP, 0);
        assertBeam(r.beams().get(1), L25 + L90, FinishReason.STOP, 3, 0);
        assertEquals("", r.text());
    }

    @Test
    void moreBeamsThanLiveContinuationsStillEndWithTheBestHypotheses() {
        // 3 beams, 6 candidates: the -1e4 continuations fill the candidate list without winning
        GenerationResult r = run(model(), GenerationOptions.builder().numBeams(3).earlyStopping(EarlyStopping.TRUE)
                .maxNewTokens(4).build());
        assertEquals(3, r.beams().size());
        for (int i = 1; i < r.beams().size(); i++) {
            assertTrue(r.beams().get(i - 1).score() >= r.beams().get(i).score());
        }
        assertTrue(r.beams().getFirst().score() > -2, "best " + r.beams().getFirst().score());
    }

    @Test
    void beamsStopAtStopStrings() {
        // token 3 decodes to "\u0003": with that stop string, a candidate ending in 3 finishes like one ending in EOS.
        // Step 1: EOS (rank 1) enters; [3] (rank 3) finishes but ranks too low. Running: [2] and a -1e4 beam.
        // Step 2: [2,3] -1.155 ranks first and enters with -1.155 / 2; the pool is full: stop.
        GenerationResult r = run(model(), GenerationOptions.builder().numBeams(2).earlyStopping(EarlyStopping.TRUE)
                .maxNewTokens(4).stopStrings("\u0003").build());
        assertBeam(r.beams().get(0), (L35 + L90) / 2, FinishReason.STOP, 2, 3);
        assertBeam(r.beams().get(1), L40, FinishReason.STOP, 0);
        assertEquals("\u0002", r.text(), "the text stops before the stop string");
    }

    /**
     * The repetition penalty applies to the beams' log-probabilities, as HF applies its processors there. After 1:
     * EOS .22, 1 .60, 3 .18; after 3: EOS .55, 4 .45; the prompt is [1].
     * Without the penalty: step 1 ranks [1] -0.511, [EOS] -1.514 (enters), [3]; step 2 ranks [1,1] -1.022,
     * [1,EOS] -2.025 (second: enters with -1.012), so the pool [1,EOS], [EOS] is complete.
     * With penalty 2, token 1 (in the prompt) has log-prob 2 ln .6 = -1.022 after 1: step 2 ranks
     * [1,1] -2.043, [3,EOS] -2.313 (second: enters with -1.156), [3,4], [1,EOS].
     */
    @Test
    void repetitionPenaltyActsOnLogProbabilities() {
        float[][] table = {
                {l(.2), l(.2), l(.2), l(.2), l(.2)},
                {l(.22), l(.60), NO, l(.18), NO},
                {l(.2), l(.2), l(.2), l(.2), l(.2)},
                {l(.55), NO, NO, NO, l(.45)},
                {0, NO, NO, NO, NO},
        };
        GenerationOptions plain = beams(EarlyStopping.TRUE, 4, 1.0);
        GenerationResult a = run(FakeModel.bigram(table, 64, Set.of(0)), plain);
        assertBeam(a.beams().get(0), (Math.log(.6) + Math.log(.22)) / 2, FinishReason.STOP, 1, 0);
        assertBeam(a.beams().get(1), Math.log(.22), FinishReason.STOP, 0);
        GenerationResult b = run(FakeModel.bigram(table, 64, Set.of(0)), plain.toBuilder().repetitionPenalty(2).build());
        assertBeam(b.beams().get(0), (Math.log(.18) + Math.log(.55)) / 2, FinishReason.STOP, 3, 0);
        assertBeam(b.beams().get(1), Math.log(.22), FinishReason.STOP, 0);
    }

    @Test
    void cancellingReturnsTheBestSoFar() {
        Cancellation cancel = new Cancellation();
        FakeModel plain = model();
        int[] calls = {0};
        FakeModel cancelling = new FakeModel(5, 64, Set.of(0), seq -> {
            if (++calls[0] == 3) { // the prompt, then the two beams of step 1
                cancel.cancel();
            }
            return plain.forwardOnlyForTest(seq);
        });
        GenerationResult r = new Generator(cancelling, new ByteTokenizer()).generate(new int[] {1},
                beams(EarlyStopping.TRUE, 4, 1.0), GenerationListener.NONE, cancel);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertBeam(r.beams().get(0), L40, FinishReason.STOP, 0);
        assertBeam(r.beams().get(1), L35, FinishReason.CANCELLED, 2);
    }
}
