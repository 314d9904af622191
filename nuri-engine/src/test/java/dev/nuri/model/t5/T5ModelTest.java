package dev.nuri.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.model.ContextOverflowException;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.bert.WeightLookup;
import dev.nuri.tensor.Activations.Activation;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The original-T5 variant (ReLU FFN, untied head) on random weights: cache, fork and truncate consistency. */
class T5ModelTest {
    static final T5Config RELU = new T5Config(40, 16, 8, 24, 2, 2, 3, 8, 20, 1e-6f, false, Activation.RELU,
            false, false, 0, 1, 0, 32);

    static T5Model randomModel(T5Config c) {
        Map<String, Tensor> m = new HashMap<>();
        Random r = new Random(5);
        int d = c.dModel();
        int inner = c.innerDim();
        put(m, r, "shared.weight", c.vocabSize(), d);
        put(m, r, "lm_head.weight", c.vocabSize(), d);
        for (String stack : new String[] {"encoder", "decoder"}) {
            int layers = stack.equals("encoder") ? c.encoderLayers() : c.decoderLayers();
            put(m, r, stack + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight", c.numBuckets(), c.heads());
            put(m, r, stack + ".final_layer_norm.weight", d);
            for (int i = 0; i < layers; i++) {
                String p = stack + ".block." + i + ".layer.";
                attention(m, r, p + "0.SelfAttention.", d, inner);
                put(m, r, p + "0.layer_norm.weight", d);
                int ff = 1;
                if (stack.equals("decoder")) {
                    attention(m, r, p + "1.EncDecAttention.", d, inner);
                    put(m, r, p + "1.layer_norm.weight", d);
                    ff = 2;
                }
                put(m, r, p + ff + ".layer_norm.weight", d);
                put(m, r, p + ff + ".DenseReluDense.wi.weight", c.dFf(), d);
                put(m, r, p + ff + ".DenseReluDense.wo.weight", d, c.dFf());
            }
        }
        return T5Model.fromHfNames("random-t5", c, new WeightLookup("random", m::get, m::containsKey), Parallel.serial());
    }

    private static void attention(Map<String, Tensor> m, Random r, String p, int d, int inner) {
        put(m, r, p + "q.weight", inner, d);
        put(m, r, p + "k.weight", inner, d);
        put(m, r, p + "v.weight", inner, d);
        put(m, r, p + "o.weight", d, inner);
    }

    private static void put(Map<String, Tensor> m, Random r, String name, long... shape) {
        float[] v = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.4);
        }
        m.put(name, new Tensor(name, DType.F32, shape, MemorySegment.ofArray(v)));
    }

    @Test
    void cachedStepsForksAndTruncationAgreeWithOnePass() {
        T5Model model = randomModel(RELU);
        LanguageModel dec = model.decoderFor(new int[] {5, 9, 3, 17, 1});
        int[] tokens = {0, 7, 12, 3, 30, 2};
        int vocab = RELU.vocabSize();
        float[] all = dec.forward(dec.newState(16), tokens, true);
        InferenceState s = dec.newState(16);
        float[] step = null;
        InferenceState forked = null;
        for (int t = 0; t < tokens.length; t++) {
            step = dec.forward(s, new int[] {tokens[t]}, false);
            assertRow(all, t, step, vocab);
            if (t == 2) {
                forked = s.fork();
            }
        }
        // The fork continues from position 3 independently of the original.
        assertEquals(3, forked.position());
        assertRow(all, 3, dec.forward(forked, new int[] {tokens[3]}, false), vocab);
        // Truncating and re-feeding gives the same logits again.
        s.truncate(4);
        assertRow(all, 4, dec.forward(s, new int[] {tokens[4]}, false), vocab);
        assertThrows(ContextOverflowException.class, () -> dec.forward(dec.newState(2), new int[] {1, 2, 3}, false));
        assertTrue(step.length == vocab);
    }

    private static void assertRow(float[] all, int row, float[] logits, int vocab) {
        for (int j = 0; j < vocab; j++) {
            assertEquals(all[row * vocab + j], logits[j], 1e-5f, "row " + row + " logit " + j);
        }
    }
}
