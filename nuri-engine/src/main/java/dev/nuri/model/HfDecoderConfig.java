package dev.nuri.model;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.hf.HfConfig;
import dev.nuri.format.hf.RopeParameters;
import dev.nuri.tensor.Activations.Activation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates a Hugging Face {@code config.json} ({@link HfConfig}: transformers 4.x or 5.x spelling) into a
 * {@link DecoderConfig}, following each architecture's modeling code in transformers. Hugging Face checkpoints rotate
 * q/k with {@code rotate_half}, so RoPE uses the NeoX layout.
 */
public final class HfDecoderConfig {
    private final HfConfig hf;

    private HfDecoderConfig(HfConfig hf) {
        this.hf = hf;
    }

    public static DecoderConfig from(HfConfig hf) {
        return new HfDecoderConfig(hf).build();
    }

    private DecoderConfig build() {
        String type = hf.modelType();
        try {
            return switch (type) {
                case "llama", "mistral", "qwen2", "qwen3", "gemma2", "phi3" -> ropeDecoder(type);
                case "gpt2" -> gpt2();
                default -> throw new ModelFormatException(hf.source() + ": model_type '" + type
                        + "' is not a decoder Nuri runs (llama, mistral, qwen2, qwen3, gemma2, phi3, gpt2)");
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(hf.source() + ": " + e.getMessage(), e);
        }
    }

    private DecoderConfig ropeDecoder(String type) {
        int hidden = hf.requireInt("hidden_size");
        int heads = hf.requireInt("num_attention_heads");
        int headDim = hf.getInt("head_dim", hidden / heads);
        int layers = hf.requireInt("num_hidden_layers");
        boolean gemma = type.equals("gemma2");
        RopeParameters rope = hf.ropeParameters();
        DecoderConfig.Builder b = DecoderConfig.builder(type)
                .vocabSize(hf.requireInt("vocab_size")).hiddenSize(hidden).layers(layers).heads(heads)
                .kvHeads(hf.getInt("num_key_value_heads", heads)).headDim(headDim).ffnSize(hf.requireInt("intermediate_size"))
                .contextLength(hf.requireInt("max_position_embeddings"))
                .normEps((float) hf.getDouble("rms_norm_eps", 1e-6))
                .activation(Activation.fromHf(gemma && hf.has("hidden_activation")
                        ? hf.requireString("hidden_activation") : hf.getString("hidden_act", "silu")))
                .positions(DecoderConfig.Positions.ROPE_NEOX)
                .ropeTheta(rope.theta()).ropeScaling(ropeScaling(rope))
                .rotaryDim((int) (headDim * rope.partialRotaryFactor()))
                // tie_word_embeddings defaults differ per config class: True for Gemma 2, False for the others here
                .tiedEmbeddings(hf.getBoolean("tie_word_embeddings", gemma))
                .bosId(hf.bosTokenId().orElse(-1)).eosIds(Set.copyOf(hf.eosTokenIds()));
        boolean attentionBias = hf.getBoolean("attention_bias", false);
        switch (type) {
            case "qwen2" -> b.attentionBias(true);
            case "gemma2" -> b.norm(DecoderConfig.NormType.RMS_UNIT_OFFSET).sandwichNorms(true)
                    // normalizer = hidden_size**0.5 as a tensor of the activation dtype (float32 here)
                    .embeddingScale((float) Math.sqrt(hidden))
                    .attentionScale((float) (1.0 / Math.sqrt(hf.getDouble("query_pre_attn_scalar", 256))))
                    .attentionSoftCap((float) hf.getDouble("attn_logit_softcapping", 0))
                    .finalSoftCap((float) hf.getDouble("final_logit_softcapping", 0))
                    .attentionBias(attentionBias).outputBias(attentionBias);
            case "qwen3" -> b.qkNorm(true).attentionBias(attentionBias).outputBias(attentionBias);
            default -> b.attentionBias(attentionBias).outputBias(attentionBias).mlpBias(hf.getBoolean("mlp_bias", false));
        }
        slidingLayers(type, layers, b);
        return b.build();
    }

    /** Which layers slide, as each model's config class decides (an explicit {@code layer_types} wins). */
    private void slidingLayers(String type, int layers, DecoderConfig.Builder b) {
        int window = hf.getInt("sliding_window", 0);
        Set<Integer> sliding = new HashSet<>();
        List<String> types = hf.getStringList("layer_types");
        if (!types.isEmpty()) {
            if (types.size() != layers) {
                throw new ModelFormatException(hf.source() + ": 'layer_types' lists " + types.size() + " layers but the model has " + layers);
            }
            for (int l = 0; l < layers; l++) {
                if (types.get(l).equals("sliding_attention")) {
                    sliding.add(l);
                }
            }
        } else {
            for (int l = 0; l < layers; l++) {
                boolean slides = switch (type) {
                    case "gemma2" -> l % 2 == 0;
                    case "qwen2", "qwen3" -> hf.getBoolean("use_sliding_window", false) && l >= hf.getInt("max_window_layers", 0);
                    default -> window > 0; // mistral, phi3: every layer when a window is set
                };
                if (slides) {
                    sliding.add(l);
                }
            }
        }
        if (type.equals("gemma2") && window <= 0) {
            window = 4096;
        }
        if (!sliding.isEmpty() && window <= 0) {
            throw new ModelFormatException(hf.source() + ": layers " + sliding + " use sliding-window attention but 'sliding_window' is not set");
        }
        b.slidingWindow(window, sliding);
    }

    private RopeScaling ropeScaling(RopeParameters rope) {
        int original = rope.originalMaxPositionEmbeddings() != null ? rope.originalMaxPositionEmbeddings()
                : hf.getInt("original_max_position_embeddings", hf.getInt("max_position_embeddings", 0));
        return new RopeScaling(rope.type(), rope.factor(), rope.lowFreqFactor() == null ? 0 : rope.lowFreqFactor(),
                rope.highFreqFactor() == null ? 0 : rope.highFreqFactor(), original);
    }

    private DecoderConfig gpt2() {
        if (hf.getBoolean("scale_attn_by_inverse_layer_idx", false)) {
            throw new ModelFormatException(hf.source() + ": scale_attn_by_inverse_layer_idx is not supported");
        }
        int hidden = hf.requireInt("hidden_size");
        DecoderConfig.Builder b = DecoderConfig.builder("gpt2")
                .vocabSize(hf.requireInt("vocab_size")).hiddenSize(hidden).layers(hf.requireInt("num_hidden_layers"))
                .heads(hf.requireInt("num_attention_heads"))
                .ffnSize(hf.getInt("intermediate_size", 4 * hidden)).contextLength(hf.requireInt("max_position_embeddings"))
                .norm(DecoderConfig.NormType.LAYER).normEps((float) hf.getDouble("layer_norm_epsilon", 1e-5))
                .activation(Activation.fromHf(hf.getString("activation_function", "gelu_new"))).gatedFfn(false)
                .positions(DecoderConfig.Positions.LEARNED).attentionBias(true).outputBias(true).mlpBias(true)
                .tiedEmbeddings(hf.getBoolean("tie_word_embeddings", true))
                .bosId(hf.bosTokenId().orElse(-1)).eosIds(Set.copyOf(hf.eosTokenIds()));
        if (!hf.getBoolean("scale_attn_weights", true)) {
            b.attentionScale(1f);
        }
        return b.build();
    }
}
