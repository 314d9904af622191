package dev.nuri.model.bert;

import dev.nuri.tensor.Activations.Activation;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** A small BERT with random weights, built in code, for tests that must run without fixtures. */
public final class RandomBert {
    private RandomBert() {
    }

    public static final BertConfig CONFIG = new BertConfig(50, 16, 2, 4, 24, 12, 2, 1e-12f, Activation.GELU_ERF);

    public static BertModel model(long seed) {
        return BertModel.fromHfNames("random-bert", CONFIG, weights(seed));
    }

    /** The random weights under Hugging Face's names. */
    public static WeightLookup weights(long seed) {
        Map<String, Tensor> m = new HashMap<>();
        Random r = new Random(seed);
        int h = CONFIG.hiddenSize();
        int ff = CONFIG.intermediateSize();
        put(m, r, "embeddings.word_embeddings.weight", CONFIG.vocabSize(), h);
        put(m, r, "embeddings.position_embeddings.weight", CONFIG.maxPositions(), h);
        put(m, r, "embeddings.token_type_embeddings.weight", CONFIG.typeVocabSize(), h);
        put(m, r, "embeddings.LayerNorm.weight", h);
        put(m, r, "embeddings.LayerNorm.bias", h);
        for (int i = 0; i < CONFIG.layers(); i++) {
            String l = "encoder.layer." + i + ".";
            for (String s : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
                put(m, r, l + s + ".weight", h, h);
                put(m, r, l + s + ".bias", h);
            }
            put(m, r, l + "attention.output.LayerNorm.weight", h);
            put(m, r, l + "attention.output.LayerNorm.bias", h);
            put(m, r, l + "intermediate.dense.weight", ff, h);
            put(m, r, l + "intermediate.dense.bias", ff);
            put(m, r, l + "output.dense.weight", h, ff);
            put(m, r, l + "output.dense.bias", h);
            put(m, r, l + "output.LayerNorm.weight", h);
            put(m, r, l + "output.LayerNorm.bias", h);
        }
        return new WeightLookup("random", m::get, m::containsKey);
    }

    private static void put(Map<String, Tensor> m, Random r, String name, long... shape) {
        float[] v = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.3);
        }
        m.put(name, new Tensor(name, DType.F32, shape, MemorySegment.ofArray(v)));
    }
}
