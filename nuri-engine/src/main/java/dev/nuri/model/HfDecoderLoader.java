package dev.nuri.model;

import dev.nuri.format.hf.HfConfig;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.WeightMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Loads a Hugging Face model folder: {@code config.json} plus {@code model.safetensors} or a sharded
 * {@code model.safetensors.index.json}, with tensors named as transformers saves them.
 */
public final class HfDecoderLoader {
    private HfDecoderLoader() {
    }

    /** Reads {@code config.json} of a model folder. */
    public static DecoderConfig readConfig(Path folder) {
        return HfDecoderConfig.from(HfConfig.read(folder));
    }

    /** Binds the transformers tensor names of {@code config}'s architecture. */
    static DecoderWeights bindWeights(DecoderConfig c, WeightBinder t) {
        return c.architecture().equals("gpt2") ? gpt2(c, t) : ropeDecoder(c, t);
    }

    private static DecoderWeights ropeDecoder(DecoderConfig c, WeightBinder t) {
        int h = c.hiddenSize();
        int q = c.queryDim();
        int kv = c.kvDim();
        int ffn = c.ffnSize();
        boolean gemma = c.sandwichNorms();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            WeightMatrix wq, wk, wv;
            if (t.has(a + "qkv_proj.weight")) { // Phi-3: one fused [q; k; v] matrix, split into row views
                WeightMatrix qkv = t.matrix(a + "qkv_proj.weight", q + 2 * kv, h);
                wq = WeightBinder.rows(qkv, 0, q);
                wk = WeightBinder.rows(qkv, q, kv);
                wv = WeightBinder.rows(qkv, q + kv, kv);
            } else {
                wq = t.matrix(a + "q_proj.weight", q, h);
                wk = t.matrix(a + "k_proj.weight", kv, h);
                wv = t.matrix(a + "v_proj.weight", kv, h);
            }
            WeightMatrix gate, up;
            String m = p + "mlp.";
            if (t.has(m + "gate_up_proj.weight")) { // Phi-3: fused [gate; up]
                WeightMatrix gateUp = t.matrix(m + "gate_up_proj.weight", 2 * ffn, h);
                gate = WeightBinder.rows(gateUp, 0, ffn);
                up = WeightBinder.rows(gateUp, ffn, ffn);
            } else {
                gate = t.matrix(m + "gate_proj.weight", ffn, h);
                up = t.matrix(m + "up_proj.weight", ffn, h);
            }
            layers.add(new LayerWeights(
                    t.vector(p + "input_layernorm.weight", h), null,
                    wq, wk, wv,
                    c.attentionBias() ? t.vector(a + "q_proj.bias", q) : null,
                    c.attentionBias() ? t.vector(a + "k_proj.bias", kv) : null,
                    c.attentionBias() ? t.vector(a + "v_proj.bias", kv) : null,
                    c.qkNorm() ? t.vector(a + "q_norm.weight", c.headDim()) : null,
                    c.qkNorm() ? t.vector(a + "k_norm.weight", c.headDim()) : null,
                    t.matrix(a + "o_proj.weight", h, q), c.outputBias() ? t.vector(a + "o_proj.bias", h) : null,
                    gemma ? t.vector(p + "post_attention_layernorm.weight", h) : null,
                    t.vector(p + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"), h), null,
                    gate, c.mlpBias() ? t.vector(m + "gate_proj.bias", ffn) : null,
                    up, c.mlpBias() ? t.vector(m + "up_proj.bias", ffn) : null,
                    t.matrix(m + "down_proj.weight", h, ffn), c.mlpBias() ? t.vector(m + "down_proj.bias", h) : null,
                    gemma ? t.vector(p + "post_feedforward_layernorm.weight", h) : null));
        }
        WeightMatrix embedding = t.matrix("model.embed_tokens.weight", c.vocabSize(), h);
        WeightMatrix output = c.tiedEmbeddings() ? embedding : t.matrix("lm_head.weight", c.vocabSize(), h);
        return new DecoderWeights(embedding, null, layers, t.vector("model.norm.weight", h), null, output);
    }

    /** GPT-2: Conv1D weights are stored [in, out] and copied once, transposed (see {@link WeightBinder#transposed}). */
    private static DecoderWeights gpt2(DecoderConfig c, WeightBinder t) {
        String prefix = t.has("transformer.wte.weight") ? "transformer." : "";
        int h = c.hiddenSize();
        int ffn = c.ffnSize();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = prefix + "h." + i + ".";
            WeightMatrix qkv = t.transposed(p + "attn.c_attn.weight", 3 * h, h);
            float[] qkvBias = t.vector(p + "attn.c_attn.bias", 3 * h);
            layers.add(new LayerWeights(
                    t.vector(p + "ln_1.weight", h), t.vector(p + "ln_1.bias", h),
                    WeightBinder.rows(qkv, 0, h), WeightBinder.rows(qkv, h, h), WeightBinder.rows(qkv, 2 * h, h),
                    Arrays.copyOfRange(qkvBias, 0, h), Arrays.copyOfRange(qkvBias, h, 2 * h), Arrays.copyOfRange(qkvBias, 2 * h, 3 * h),
                    null, null,
                    t.transposed(p + "attn.c_proj.weight", h, h), t.vector(p + "attn.c_proj.bias", h),
                    null,
                    t.vector(p + "ln_2.weight", h), t.vector(p + "ln_2.bias", h),
                    null, null,
                    t.transposed(p + "mlp.c_fc.weight", ffn, h), t.vector(p + "mlp.c_fc.bias", ffn),
                    t.transposed(p + "mlp.c_proj.weight", h, ffn), t.vector(p + "mlp.c_proj.bias", h),
                    null));
        }
        WeightMatrix embedding = t.matrix(prefix + "wte.weight", c.vocabSize(), h);
        WeightMatrix positions = t.matrix(prefix + "wpe.weight", c.contextLength(), h);
        WeightMatrix output = c.tiedEmbeddings() ? embedding : t.matrix("lm_head.weight", c.vocabSize(), h);
        return new DecoderWeights(embedding, positions, layers, t.vector(prefix + "ln_f.weight", h), t.vector(prefix + "ln_f.bias", h), output);
    }

    /** A model over already-opened tensors (used by {@link ModelLoader} and by tests). */
    static DecoderModel model(String name, DecoderConfig config, WeightBinder binder, Parallel parallel, AutoCloseable resources) {
        return new DecoderModel(name, config, bindWeights(config, binder), parallel, resources);
    }
}
