package dev.nuri.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.tensor.Activations.Activation;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The forward pass on tiny random models built in memory (always runs, no fixtures needed). */
class DecoderModelTest {

    private static final DecoderConfig LLAMA = TinyDecoders.llamaLike().build();

    private static final DecoderConfig GEMMA2 = TinyDecoders.llamaLike().norm(DecoderConfig.NormType.RMS_UNIT_OFFSET)
            .activation(Activation.GELU_TANH).sandwichNorms(true).attentionSoftCap(50).finalSoftCap(30)
            .embeddingScale((float) Math.sqrt(32)).attentionScale(0.3f).slidingWindow(5, Set.of(0)).tiedEmbeddings(true).build();

    private static final DecoderConfig QWEN3 = TinyDecoders.llamaLike().headDim(16).qkNorm(true).tiedEmbeddings(true).build();

    private static final DecoderConfig GPT2 = TinyDecoders.llamaLike().kvHeads(4).norm(DecoderConfig.NormType.LAYER)
            .activation(Activation.GELU_TANH).gatedFfn(false).positions(DecoderConfig.Positions.LEARNED)
            .attentionBias(true).outputBias(true).mlpBias(true).tiedEmbeddings(true).build();

    private static final DecoderConfig PHI3_PARTIAL = TinyDecoders.llamaLike().kvHeads(4).rotaryDim(4)
            .positions(DecoderConfig.Positions.ROPE_NORMAL).attentionBias(true).build();

    private static int[] randomIds(int n, int vocab, long seed) {
        Random rnd = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        return ids;
    }

    private static float[] oneAtATime(LanguageModel model, int[] ids) {
        InferenceState s = model.newState(model.info().contextLength());
        int vocab = model.info().vocabSize();
        float[] all = new float[ids.length * vocab];
        for (int i = 0; i < ids.length; i++) {
            float[] logits = model.forward(s, new int[] {ids[i]}, false);
            System.arraycopy(logits, 0, all, i * vocab, vocab);
        }
        assertEquals(ids.length, s.position());
        return all;
    }

    private static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tolerance, "max abs diff " + worst + " > " + tolerance);
    }

    @Test
    void batchedPrefillEqualsOneTokenAtATimeForEveryArchitecture() {
        for (DecoderConfig c : List.of(LLAMA, GEMMA2, QWEN3, GPT2, PHI3_PARTIAL)) {
            try (DecoderModel model = TinyDecoders.build(c, 7, Parallel.serial())) {
                int[] ids = randomIds(20, c.vocabSize(), 3);
                float[] batched = model.forward(model.newState(64), ids, true);
                assertClose(oneAtATime(model, ids), batched, 1e-5f);
                for (float v : batched) {
                    assertTrue(Float.isFinite(v), c.architecture() + " gave a non-finite logit");
                }
            }
        }
    }

    @Test
    void statesOfEveryContextLengthGiveTheSameLogits() {
        // One RoPE table serves all states, grown on demand: a short state made after a long one, and a long one
        // after a short one, must see the same rotations.
        try (DecoderModel model = TinyDecoders.build(LLAMA, 17, Parallel.serial())) {
            int[] ids = randomIds(10, LLAMA.vocabSize(), 3);
            float[] small = model.forward(model.newState(10), ids, true);
            float[] large = model.forward(model.newState(40), ids, true);
            float[] smallAgain = model.forward(model.newState(12), ids, true);
            assertArrayEquals(small, large);
            assertArrayEquals(small, smallAgain);
        }
    }

    @Test
    void prefillThenDecodeEqualsFullPrefill() {
        try (DecoderModel model = TinyDecoders.build(LLAMA, 11, Parallel.serial())) {
            int[] ids = randomIds(12, LLAMA.vocabSize(), 5);
            float[] full = model.forward(model.newState(32), ids, true);
            InferenceState s = model.newState(32);
            float[] prefix = model.forward(s, Arrays.copyOf(ids, 8), false);
            assertClose(Arrays.copyOfRange(full, 7 * 97, 8 * 97), prefix, 1e-5f);
            for (int i = 8; i < 12; i++) {
                float[] step = model.forward(s, new int[] {ids[i]}, false);
                assertClose(Arrays.copyOfRange(full, i * 97, (i + 1) * 97), step, 1e-5f);
            }
        }
    }

    @Test
    void promptsLongerThanOnePassArePrefilledInChunks() {
        try (DecoderModel model = TinyDecoders.build(LLAMA, 13, Parallel.serial())) {
            int[] ids = randomIds(DecoderModel.MAX_ROWS + 9, LLAMA.vocabSize(), 8);
            float[] batched = model.forward(model.newState(128), ids, true);
            assertClose(oneAtATime(model, ids), batched, 1e-5f);
            float[] last = model.forward(model.newState(128), ids, false);
            assertClose(Arrays.copyOfRange(batched, (ids.length - 1) * 97, ids.length * 97), last, 1e-5f);
        }
    }

    @Test
    void threadCountDoesNotChangeTheResult() {
        int[] ids = randomIds(30, LLAMA.vocabSize(), 9);
        float[] serial;
        try (DecoderModel model = TinyDecoders.build(LLAMA, 17, Parallel.serial())) {
            serial = model.forward(model.newState(64), ids, true);
        }
        try (Parallel two = Parallel.of(2); DecoderModel model = TinyDecoders.build(LLAMA, 17, two)) {
            // equal up to the JIT's lane-reduction order (the Vector API does not fix it)
            assertClose(serial, model.forward(model.newState(64), ids, true), 1e-5f);
        }
    }

    /** GQA: 2 kv heads shared by 4 query heads must equal 4 kv heads holding each shared head twice. */
    @Test
    void groupedQueryAttentionEqualsMultiHeadWithRepeatedKeyValueHeads() {
        DecoderWeights gqa = TinyDecoders.randomWeights(LLAMA, 21);
        DecoderConfig mhaConfig = TinyDecoders.llamaLike().kvHeads(4).build();
        List<LayerWeights> layers = new ArrayList<>();
        for (LayerWeights l : gqa.layers()) {
            layers.add(new LayerWeights(l.attentionNorm(), null, l.wq(), repeatHeads(l.wk(), 2, 8), repeatHeads(l.wv(), 2, 8),
                    null, null, null, null, null, l.wo(), null, null, l.ffnNorm(), null, l.wGate(), null, l.wUp(), null,
                    l.wDown(), null, null));
        }
        DecoderWeights mha = new DecoderWeights(gqa.tokenEmbedding(), null, layers, gqa.finalNorm(), null, gqa.output());
        int[] ids = randomIds(10, 97, 4);
        try (DecoderModel a = new DecoderModel("gqa", LLAMA, gqa, Parallel.serial(), null);
             DecoderModel b = new DecoderModel("mha", mhaConfig, mha, Parallel.serial(), null)) {
            assertClose(b.forward(b.newState(16), ids, true), a.forward(a.newState(16), ids, true), 1e-6f);
        }
    }

    private static WeightMatrix repeatHeads(WeightMatrix m, int times, int headDim) {
        float[] src = m.toFloatArray();
        int cols = m.cols();
        int kvHeads = m.rows() / headDim;
        float[] out = new float[src.length * times];
        for (int h = 0; h < kvHeads * times; h++) {
            System.arraycopy(src, (h / times) * headDim * cols, out, h * headDim * cols, headDim * cols);
        }
        return TinyDecoders.f32(m.name(), m.rows() * times, cols, out);
    }

    /** With one layer and RoPE, a window of W makes the last logits depend only on the last W tokens. */
    @Test
    void slidingWindowSeesOnlyTheLastTokens() {
        DecoderConfig c = TinyDecoders.llamaLike().layers(1).slidingWindow(4, Set.of(0)).build();
        try (DecoderModel model = TinyDecoders.build(c, 23, Parallel.serial())) {
            int[] ids = randomIds(11, 97, 6);
            float[] full = model.forward(model.newState(32), ids, false);
            float[] lastFour = model.forward(model.newState(32), Arrays.copyOfRange(ids, 7, 11), false);
            assertClose(lastFour, full, 1e-5f);
        }
        try (DecoderModel model = TinyDecoders.build(TinyDecoders.llamaLike().layers(1).build(), 23, Parallel.serial())) {
            int[] ids = randomIds(11, 97, 6);
            float[] full = model.forward(model.newState(32), ids, false);
            float[] lastFour = model.forward(model.newState(32), Arrays.copyOfRange(ids, 7, 11), false);
            float diff = 0;
            for (int i = 0; i < full.length; i++) {
                diff = Math.max(diff, Math.abs(full[i] - lastFour[i]));
            }
            assertTrue(diff > 1e-3, "without a window the earlier tokens must matter");
        }
    }

    @Test
    void batchOfSequencesAtDifferentPositionsEqualsSeparateRuns() {
        try (DecoderModel model = TinyDecoders.build(QWEN3, 29, Parallel.serial())) {
            int[] a = randomIds(9, 97, 1);
            int[] b = randomIds(4, 97, 2);
            float[] expectA = model.forward(model.newState(32), a, true);
            float[] expectB = model.forward(model.newState(32), b, true);

            InferenceState sa = model.newState(32);
            InferenceState sb = model.newState(32);
            model.forward(sa, Arrays.copyOf(a, 6), false);
            model.forward(sb, Arrays.copyOf(b, 1), false);
            // rows: a[6], b[1], a[7], b[2], b[3], a[8] — sequences interleaved at their own positions
            float[] logits = model.forwardBatch(List.of(sa, sb, sa, sb, sb, sa), new int[] {a[6], b[1], a[7], b[2], b[3], a[8]});
            int v = 97;
            assertClose(Arrays.copyOfRange(expectA, 6 * v, 7 * v), Arrays.copyOfRange(logits, 0, v), 1e-5f);
            assertClose(Arrays.copyOfRange(expectB, v, 2 * v), Arrays.copyOfRange(logits, v, 2 * v), 1e-5f);
            assertClose(Arrays.copyOfRange(expectA, 7 * v, 8 * v), Arrays.copyOfRange(logits, 2 * v, 3 * v), 1e-5f);
            assertClose(Arrays.copyOfRange(expectB, 3 * v, 4 * v), Arrays.copyOfRange(logits, 4 * v, 5 * v), 1e-5f);
            assertClose(Arrays.copyOfRange(expectA, 8 * v, 9 * v), Arrays.copyOfRange(logits, 5 * v, 6 * v), 1e-5f);
            assertEquals(9, sa.position());
            assertEquals(4, sb.position());
        }
    }

    @Test
    void forkAndTruncateContinueFromTheRightPlace() {
        try (DecoderModel model = TinyDecoders.build(GPT2, 31, Parallel.serial())) {
            int[] ids = randomIds(8, 97, 3);
            InferenceState s = model.newState(16);
            model.forward(s, Arrays.copyOf(ids, 5), false);
            InferenceState forked = s.fork();
            float[] fromOriginal = model.forward(s, new int[] {ids[5]}, false);
            float[] fromFork = model.forward(forked, new int[] {ids[5]}, false);
            assertClose(fromOriginal, fromFork, 1e-5f);

            model.forward(s, new int[] {3, 4}, false);
            s.truncate(6);
            float[] rewound = model.forward(s, new int[] {ids[6]}, false);
            float[] expected = model.forward(model.newState(16), Arrays.copyOf(ids, 7), false);
            assertClose(expected, rewound, 1e-5f);
            assertThrows(IllegalArgumentException.class, () -> s.truncate(8));
        }
    }

    @Test
    void overflowingTheContextFailsWithoutTruncating() {
        try (DecoderModel model = TinyDecoders.build(LLAMA, 37, Parallel.serial())) {
            InferenceState s = model.newState(8);
            model.forward(s, randomIds(6, 97, 1), false);
            ContextOverflowException e = assertThrows(ContextOverflowException.class, () -> model.forward(s, randomIds(3, 97, 2), false));
            assertTrue(e.getMessage().contains("9 tokens"), e.getMessage());
            assertEquals(6, s.position());
            assertThrows(IllegalArgumentException.class, () -> model.newState(LLAMA.contextLength() + 1));
        }
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        try (DecoderModel model = TinyDecoders.build(LLAMA, 41, Parallel.serial());
             DecoderModel other = TinyDecoders.build(LLAMA, 41, Parallel.serial())) {
            InferenceState s = model.newState(8);
            NuriException e = assertThrows(NuriException.class, () -> model.forward(s, new int[] {97}, false));
            assertTrue(e.getMessage().contains("token id 97"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.forward(s, new int[0], false));
            assertThrows(IllegalArgumentException.class, () -> other.forward(s, new int[] {1}, false));
            assertThrows(IllegalArgumentException.class, () -> TinyDecoders.llamaLike().kvHeads(3).build());
        }
    }

    @Test
    void llama3RopeScalingMatchesTransformersFormula() {
        RopeScaling s = new RopeScaling("llama3", 8, 1, 4, 8192);
        float[] plain = dev.nuri.tensor.Rope.defaultInverseFrequencies(64, 500000);
        float[] scaled = s.inverseFrequencies(64, 500000, 131072);
        for (int i = 0; i < plain.length; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            if (wavelen < 8192 / 4.0) {
                assertEquals(plain[i], scaled[i], 0f, "high frequencies stay");
            } else if (wavelen > 8192) {
                assertEquals(plain[i] / 8, scaled[i], plain[i] * 1e-6, "low frequencies are divided by the factor");
            } else {
                assertTrue(scaled[i] < plain[i] && scaled[i] > plain[i] / 8, "medium frequencies blend");
            }
        }
        assertEquals(plain[3] / 2, new RopeScaling("linear", 2, 0, 0, 0).inverseFrequencies(64, 500000, 100)[3], 1e-12);
        assertArrayEquals(plain, new RopeScaling("dynamic", 2, 0, 0, 4096).inverseFrequencies(64, 500000, 4096));
        assertThrows(IllegalArgumentException.class, () -> new RopeScaling("yarn", 4, 0, 0, 4096));
    }
}
