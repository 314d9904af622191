package dev.nuri.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.Activations.Activation;
import java.util.HashSet;
import java.util.Set;

/**
 * Translates a Hugging Face {@code config.json} (transformers 4.x or 5.x spelling) into a {@link DecoderConfig},
 * following each architecture's modeling code in transformers. Hugging Face checkpoints rotate q/k with
 * {@code rotate_half}, so RoPE uses the NeoX layout.
 */
public final class HfDecoderConfig {
    private final JsonNode json;
    private final String where;

    private HfDecoderConfig(JsonNode json, String where) {
        this.json = json;
        this.where = where;
    }

    /** @param where the file, for error messages */
    public static DecoderConfig from(JsonNode json, String where) {
        return new HfDecoderConfig(json, where).build();
    }

    private DecoderConfig build() {
        String type = text("model_type", null);
        if (type == null) {
            throw new ModelFormatException(where + ": 'model_type' is missing");
        }
        try {
            return switch (type) {
                case "llama", "mistral", "qwen2", "qwen3", "gemma2", "phi3" -> ropeDecoder(type);
                case "gpt2" -> gpt2();
                default -> throw new ModelFormatException(where + ": model_type '" + type
                        + "' is not a decoder Nuri runs (llama, mistral, qwen2, qwen3, gemma2, phi3, gpt2)");
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": " + e.getMessage(), e);
        }
    }

    private DecoderConfig ropeDecoder(String type) {
        int hidden = requiredInt("hidden_size");
        int heads = requiredInt("num_attention_heads");
        int headDim = intOr("head_dim", hidden / heads);
        int layers = requiredInt("num_hidden_layers");
        boolean gemma = type.equals("gemma2");
        DecoderConfig.Builder b = DecoderConfig.builder(type)
                .vocabSize(requiredInt("vocab_size")).hiddenSize(hidden).layers(layers).heads(heads)
                .kvHeads(intOr("num_key_value_heads", heads)).headDim(headDim).ffnSize(requiredInt("intermediate_size"))
                .contextLength(requiredInt("max_position_embeddings"))
                .normEps((float) doubleOr("rms_norm_eps", 1e-6))
                .activation(Activation.fromHf(text(gemma && json.hasNonNull("hidden_activation") ? "hidden_activation" : "hidden_act", "silu")))
                .positions(DecoderConfig.Positions.ROPE_NEOX)
                .tiedEmbeddings(bool("tie_word_embeddings", gemma))
                .bosId(intOr("bos_token_id", -1)).eosIds(eosIds());
        JsonNode rope = json.hasNonNull("rope_parameters") ? json.get("rope_parameters") : null;
        double theta = rope != null && rope.hasNonNull("rope_theta") ? rope.get("rope_theta").asDouble() : doubleOr("rope_theta", 10000);
        b.ropeTheta(theta).ropeScaling(ropeScaling(rope));
        double partial = rope != null && rope.hasNonNull("partial_rotary_factor")
                ? rope.get("partial_rotary_factor").asDouble() : doubleOr("partial_rotary_factor", 1.0);
        b.rotaryDim((int) (headDim * partial));

        boolean attentionBias = bool("attention_bias", false);
        switch (type) {
            case "qwen2" -> b.attentionBias(true);
            case "gemma2" -> b.norm(DecoderConfig.NormType.RMS_UNIT_OFFSET).sandwichNorms(true)
                    .embeddingScale((float) Math.sqrt(hidden))
                    .attentionScale((float) (1.0 / Math.sqrt(doubleOr("query_pre_attn_scalar", headDim))))
                    .attentionSoftCap((float) doubleOr("attn_logit_softcapping", 0))
                    .finalSoftCap((float) doubleOr("final_logit_softcapping", 0))
                    .attentionBias(attentionBias).outputBias(attentionBias);
            case "qwen3" -> b.qkNorm(true).attentionBias(attentionBias).outputBias(attentionBias);
            default -> b.attentionBias(attentionBias).outputBias(attentionBias).mlpBias(bool("mlp_bias", false));
        }
        slidingLayers(type, layers, b);
        return b.build();
    }

    /** Which layers slide, as each model's config class decides (an explicit {@code layer_types} wins). */
    private void slidingLayers(String type, int layers, DecoderConfig.Builder b) {
        int window = intOr("sliding_window", 0);
        Set<Integer> sliding = new HashSet<>();
        if (json.hasNonNull("layer_types")) {
            JsonNode types = json.get("layer_types");
            if (types.size() != layers) {
                throw new ModelFormatException(where + ": 'layer_types' lists " + types.size() + " layers but the model has " + layers);
            }
            for (int l = 0; l < layers; l++) {
                if (types.get(l).asText().equals("sliding_attention")) {
                    sliding.add(l);
                }
            }
        } else {
            for (int l = 0; l < layers; l++) {
                boolean slides = switch (type) {
                    case "gemma2" -> l % 2 == 0;
                    case "qwen2", "qwen3" -> bool("use_sliding_window", false) && l >= intOr("max_window_layers", 0);
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
            throw new ModelFormatException(where + ": layers " + sliding + " use sliding-window attention but 'sliding_window' is not set");
        }
        b.slidingWindow(window, sliding);
    }

    /** {@code rope_parameters} (5.x) or {@code rope_scaling} (4.x). */
    private RopeScaling ropeScaling(JsonNode ropeParameters) {
        JsonNode s = ropeParameters != null ? ropeParameters : json.get("rope_scaling");
        if (s == null || s.isNull()) {
            return RopeScaling.NONE;
        }
        String kind = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.hasNonNull("type") ? s.get("type").asText() : "default";
        int original = s.hasNonNull("original_max_position_embeddings") ? s.get("original_max_position_embeddings").asInt()
                : intOr("original_max_position_embeddings", intOr("max_position_embeddings", 0));
        return new RopeScaling(kind, s.path("factor").asDouble(1.0), s.path("low_freq_factor").asDouble(0),
                s.path("high_freq_factor").asDouble(0), original);
    }

    private DecoderConfig gpt2() {
        int hidden = requiredInt("n_embd");
        if (bool("scale_attn_by_inverse_layer_idx", false)) {
            throw new ModelFormatException(where + ": scale_attn_by_inverse_layer_idx is not supported");
        }
        int heads = requiredInt("n_head");
        DecoderConfig.Builder b = DecoderConfig.builder("gpt2")
                .vocabSize(requiredInt("vocab_size")).hiddenSize(hidden).layers(requiredInt("n_layer")).heads(heads)
                .ffnSize(intOr("n_inner", 4 * hidden)).contextLength(requiredInt("n_positions"))
                .norm(DecoderConfig.NormType.LAYER).normEps((float) doubleOr("layer_norm_epsilon", 1e-5))
                .activation(Activation.fromHf(text("activation_function", "gelu_new"))).gatedFfn(false)
                .positions(DecoderConfig.Positions.LEARNED).attentionBias(true).outputBias(true).mlpBias(true)
                .tiedEmbeddings(bool("tie_word_embeddings", true)).bosId(intOr("bos_token_id", -1)).eosIds(eosIds());
        if (!bool("scale_attn_weights", true)) {
            b.attentionScale(1f);
        }
        return b.build();
    }

    private Set<Integer> eosIds() {
        JsonNode e = json.get("eos_token_id");
        Set<Integer> ids = new HashSet<>();
        if (e != null && e.isArray()) {
            e.forEach(n -> ids.add(n.asInt()));
        } else if (e != null && e.canConvertToInt()) {
            ids.add(e.asInt());
        }
        return ids;
    }

    private int requiredInt(String key) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            throw new ModelFormatException(where + ": '" + key + "' is missing");
        }
        if (!n.canConvertToInt()) {
            throw new ModelFormatException(where + ": '" + key + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    private int intOr(String key, int fallback) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt()) {
            throw new ModelFormatException(where + ": '" + key + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    private double doubleOr(String key, double fallback) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new ModelFormatException(where + ": '" + key + "' must be a number, got " + n);
        }
        return n.asDouble();
    }

    private boolean bool(String key, boolean fallback) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? fallback : n.asBoolean();
    }

    private String text(String key, String fallback) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? fallback : n.asText();
    }
}
