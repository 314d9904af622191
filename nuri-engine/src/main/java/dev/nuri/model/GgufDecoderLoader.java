package dev.nuri.model;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.tensor.Activations.Activation;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a decoder from a GGUF file with llama.cpp's tensor names ({@code token_embd.weight},
 * {@code blk.N.attn_q.weight}, …) and metadata keys ({@code <arch>.embedding_length}, …).
 *
 * <p>RoPE layout follows llama.cpp's per-architecture rope type: its converter permutes Llama's q/k rows so GGUF
 * "llama" (Llama, Mistral) pairs adjacent values (NORMAL), while qwen2, qwen3, gemma2 and phi3 keep Hugging Face's
 * rotate_half (NEOX). llama.cpp's Gemma converter stores norm weights with the +1 already added, so GGUF gemma2
 * uses a plain RMSNorm.
 */
public final class GgufDecoderLoader {
    private static final Set<String> ARCHITECTURES = Set.of("llama", "qwen2", "qwen3", "gemma2", "phi3", "gpt2");

    private GgufDecoderLoader() {
    }

    public static DecoderModel load(GgufFile gguf, String name, Parallel parallel) {
        DecoderConfig config = config(gguf);
        WeightBinder binder = new WeightBinder(n -> gguf.has(n) ? gguf.tensor(n) : null, gguf.path().toString());
        return new DecoderModel(name, config, weights(config, binder), parallel, gguf);
    }

    static DecoderConfig config(GgufFile g) {
        String arch = g.architecture();
        if (!ARCHITECTURES.contains(arch)) {
            throw new ModelFormatException(g.path() + ": architecture '" + arch + "' is not one Nuri runs from GGUF " + ARCHITECTURES);
        }
        String k = arch + ".";
        int hidden = g.getInt(k + "embedding_length");
        int heads = g.getInt(k + "attention.head_count");
        int headDim = g.getInt(k + "attention.key_length", hidden / heads);
        int layers = g.getInt(k + "block_count");
        if (!g.has("token_embd.weight")) {
            throw new ModelFormatException("tensor 'token_embd.weight' is missing from " + g.path());
        }
        int vocab = g.getInt(k + "vocab_size", (int) g.tensor("token_embd.weight").dim(0));
        Set<Integer> eos = new HashSet<>();
        g.findInt("tokenizer.ggml.eos_token_id").ifPresent(eos::add);
        g.findInt("tokenizer.ggml.eot_token_id").ifPresent(eos::add);
        DecoderConfig.Builder b = DecoderConfig.builder(arch)
                .vocabSize(vocab).hiddenSize(hidden).layers(layers).heads(heads)
                .kvHeads(g.getInt(k + "attention.head_count_kv", heads)).headDim(headDim)
                .ffnSize(g.getInt(k + "feed_forward_length")).contextLength(g.getInt(k + "context_length"))
                .bosId(g.getInt("tokenizer.ggml.bos_token_id", -1)).eosIds(eos)
                .tiedEmbeddings(!g.has("output.weight"));
        try {
            if (arch.equals("gpt2")) {
                return b.norm(DecoderConfig.NormType.LAYER).normEps(g.getFloat(k + "attention.layer_norm_epsilon"))
                        .activation(Activation.GELU_TANH).gatedFfn(false).positions(DecoderConfig.Positions.LEARNED)
                        .attentionBias(true).outputBias(true).mlpBias(true).build();
            }
            b.normEps(g.getFloat(k + "attention.layer_norm_rms_epsilon"))
                    .positions(arch.equals("llama") ? DecoderConfig.Positions.ROPE_NORMAL : DecoderConfig.Positions.ROPE_NEOX)
                    .rotaryDim(g.getInt(k + "rope.dimension_count", headDim))
                    .ropeTheta(g.getFloat(k + "rope.freq_base", 10000f))
                    .ropeScaling(ropeScaling(g, k, headDim));
            int window = g.getInt(k + "attention.sliding_window", 0);
            switch (arch) {
                case "qwen2" -> b.attentionBias(true);
                case "qwen3" -> b.qkNorm(true);
                case "gemma2" -> {
                    // llama.cpp: every even layer slides; queries scaled by 1/sqrt(head dim), except Gemma 2 27B
                    // (46 layers), whose query_pre_attn_scalar is hidden/heads
                    Set<Integer> sliding = new HashSet<>();
                    for (int l = 0; l < layers; l += 2) {
                        sliding.add(l);
                    }
                    int queryScalar = layers == 46 ? hidden / heads : headDim;
                    b.attentionScale((float) (1.0 / Math.sqrt(queryScalar)));
                    b.activation(Activation.GELU_TANH).sandwichNorms(true).embeddingScale((float) Math.sqrt(hidden))
                            .attentionSoftCap(g.getFloat(k + "attn_logit_softcapping", 0f))
                            .finalSoftCap(g.getFloat(k + "final_logit_softcapping", 0f))
                            .slidingWindow(window > 0 ? window : 4096, sliding);
                }
                case "phi3" -> {
                    if (window > 0) {
                        b.slidingWindow(window, allLayers(layers));
                    }
                }
                default -> { }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(g.path() + ": " + e.getMessage(), e);
        }
    }

    private static Set<Integer> allLayers(int layers) {
        Set<Integer> all = new HashSet<>();
        for (int l = 0; l < layers; l++) {
            all.add(l);
        }
        return all;
    }

    private static RopeScaling ropeScaling(GgufFile g, String k, int headDim) {
        if (g.has("rope_factors_long.weight") || g.has("rope_factors_short.weight")) {
            throw new ModelFormatException(g.path() + ": LongRoPE scaling (tensors rope_factors_long/short) is not supported");
        }
        if (g.has("rope_freqs.weight")) { // Llama 3.1+: llama.cpp stores the per-frequency divisors as a tensor
            int rotary = g.getInt(k + "rope.dimension_count", headDim);
            WeightMatrix divisors = WeightMatrix.of(g.tensor("rope_freqs.weight"));
            if (divisors.rows() * divisors.cols() != rotary / 2) {
                throw new ModelFormatException("tensor 'rope_freqs.weight' in " + g.path() + " holds " + divisors.rows() * divisors.cols()
                        + " values but the rotary dim " + rotary + " needs " + rotary / 2);
            }
            return RopeScaling.divisors(divisors.toFloatArray());
        }
        String type = g.getString(k + "rope.scaling.type", "none");
        return switch (type) {
            case "none" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling("linear", g.getFloat(k + "rope.scaling.factor"), 0, 0, 0);
            default -> throw new ModelFormatException(g.path() + ": RoPE scaling '" + type + "' is not supported");
        };
    }

    static DecoderWeights weights(DecoderConfig c, WeightBinder t) {
        int h = c.hiddenSize();
        int q = c.queryDim();
        int kv = c.kvDim();
        int ffn = c.ffnSize();
        boolean layerNorm = c.norm() == DecoderConfig.NormType.LAYER;
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "blk." + i + ".";
            WeightMatrix wq, wk, wv;
            float[] bq = null, bk = null, bv = null;
            if (t.has(p + "attn_qkv.weight")) { // phi3, gpt2: fused [q; k; v]
                WeightMatrix qkv = t.matrix(p + "attn_qkv.weight", q + 2 * kv, h);
                wq = WeightBinder.rows(qkv, 0, q);
                wk = WeightBinder.rows(qkv, q, kv);
                wv = WeightBinder.rows(qkv, q + kv, kv);
                if (c.attentionBias()) {
                    float[] bias = t.vector(p + "attn_qkv.bias", q + 2 * kv);
                    bq = java.util.Arrays.copyOfRange(bias, 0, q);
                    bk = java.util.Arrays.copyOfRange(bias, q, q + kv);
                    bv = java.util.Arrays.copyOfRange(bias, q + kv, q + 2 * kv);
                }
            } else {
                wq = t.matrix(p + "attn_q.weight", q, h);
                wk = t.matrix(p + "attn_k.weight", kv, h);
                wv = t.matrix(p + "attn_v.weight", kv, h);
                if (c.attentionBias()) {
                    bq = t.vector(p + "attn_q.bias", q);
                    bk = t.vector(p + "attn_k.bias", kv);
                    bv = t.vector(p + "attn_v.bias", kv);
                }
            }
            WeightMatrix gate = null, up;
            if (!c.gatedFfn()) {
                up = t.matrix(p + "ffn_up.weight", ffn, h);
            } else if (t.has(p + "ffn_gate.weight")) {
                gate = t.matrix(p + "ffn_gate.weight", ffn, h);
                up = t.matrix(p + "ffn_up.weight", ffn, h);
            } else { // phi3: ffn_up holds [gate; up]
                WeightMatrix gateUp = t.matrix(p + "ffn_up.weight", 2 * ffn, h);
                gate = WeightBinder.rows(gateUp, 0, ffn);
                up = WeightBinder.rows(gateUp, ffn, ffn);
            }
            boolean gemma = c.sandwichNorms();
            layers.add(new LayerWeights(
                    t.vector(p + "attn_norm.weight", h), layerNorm ? t.vector(p + "attn_norm.bias", h) : null,
                    wq, wk, wv, bq, bk, bv,
                    c.qkNorm() ? t.vector(p + "attn_q_norm.weight", c.headDim()) : null,
                    c.qkNorm() ? t.vector(p + "attn_k_norm.weight", c.headDim()) : null,
                    t.matrix(p + "attn_output.weight", h, q), c.outputBias() ? t.vector(p + "attn_output.bias", h) : null,
                    gemma ? t.vector(p + "post_attention_norm.weight", h) : null,
                    t.vector(p + "ffn_norm.weight", h), layerNorm ? t.vector(p + "ffn_norm.bias", h) : null,
                    gate, null,
                    up, c.mlpBias() ? t.vector(p + "ffn_up.bias", ffn) : null,
                    t.matrix(p + "ffn_down.weight", h, ffn), c.mlpBias() ? t.vector(p + "ffn_down.bias", h) : null,
                    gemma ? t.vector(p + "post_ffw_norm.weight", h) : null));
        }
        WeightMatrix embedding = t.matrix("token_embd.weight", c.vocabSize(), h);
        WeightMatrix positions = c.positions() == DecoderConfig.Positions.LEARNED ? t.matrix("position_embd.weight", c.contextLength(), h) : null;
        WeightMatrix output = c.tiedEmbeddings() ? embedding : t.matrix("output.weight", c.vocabSize(), h);
        return new DecoderWeights(embedding, positions, layers, t.vector("output_norm.weight", h),
                layerNorm ? t.vector("output_norm.bias", h) : null, output);
    }
}
