package dev.nuri.model.t5;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.Activations.Activation;

/**
 * The shape of a T5 / FLAN-T5 encoder–decoder. {@code gated} is v1.1's gated FFN ({@code act(wi_0·x) ⊙ wi_1·x});
 * the original T5 uses {@code relu(wi·x)}. {@code scaleDecoderOutputs} multiplies the decoder output by
 * {@code d_model^-0.5} before the head (Mesh TensorFlow's convention for tied embeddings).
 */
public record T5Config(int vocabSize, int dModel, int dKv, int dFf, int heads, int encoderLayers, int decoderLayers,
                       int numBuckets, int maxDistance, float eps, boolean gated, Activation activation,
                       boolean scaleDecoderOutputs, boolean tiedHead, int decoderStartId, int eosId, int padId,
                       int contextLength) {
    public T5Config {
        for (int v : new int[] {vocabSize, dModel, dKv, dFf, heads, encoderLayers, decoderLayers, numBuckets, maxDistance, contextLength}) {
            if (v <= 0) {
                throw new ModelFormatException("T5 config: sizes must be positive (vocab " + vocabSize + ", d_model " + dModel
                        + ", d_kv " + dKv + ", d_ff " + dFf + ", heads " + heads + ", layers " + encoderLayers + "/" + decoderLayers
                        + ", buckets " + numBuckets + ", max distance " + maxDistance + ")");
            }
        }
        if (numBuckets < 4) {
            throw new ModelFormatException("T5 config: relative_attention_num_buckets must be at least 4, got " + numBuckets);
        }
        if (!(eps > 0)) {
            throw new ModelFormatException("T5 config: layer_norm_epsilon must be positive, got " + eps);
        }
        if (decoderStartId < 0 || decoderStartId >= vocabSize) {
            throw new ModelFormatException("T5 config: decoder_start_token_id " + decoderStartId + " is outside the vocabulary");
        }
    }

    public int innerDim() {
        return heads * dKv;
    }

    /**
     * Reads a Hugging Face {@code config.json}. {@code hasLmHead}: whether the checkpoint holds {@code lm_head.weight}
     * (untied head); the output rescale follows {@code scale_decoder_outputs} where the config has it (transformers
     * 5.x writes it) and {@code tie_word_embeddings} otherwise.
     */
    public static T5Config fromHf(JsonNode c, boolean hasLmHead, String source) {
        String type = c.path("model_type").asText("t5");
        if (!type.equals("t5")) {
            throw new ModelFormatException(source + ": model_type '" + type + "' is not T5");
        }
        String proj = c.path("feed_forward_proj").asText("relu");
        boolean gated = proj.startsWith("gated-");
        String actName = gated ? proj.substring("gated-".length()) : proj;
        if (gated && actName.equals("gelu")) {
            actName = "gelu_new"; // transformers maps "gated-gelu" to the tanh approximation (T5 v1.1)
        }
        Activation act;
        try {
            act = Activation.fromHf(actName);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": feed_forward_proj '" + proj + "': " + e.getMessage());
        }
        boolean tie = c.path("tie_word_embeddings").asBoolean(true);
        boolean scale = c.has("scale_decoder_outputs") ? c.get("scale_decoder_outputs").asBoolean() : tie;
        int layers = req(c, "num_layers", source);
        int pad = c.path("pad_token_id").asInt(0);
        return new T5Config(req(c, "vocab_size", source), req(c, "d_model", source), req(c, "d_kv", source),
                req(c, "d_ff", source), req(c, "num_heads", source), layers, c.path("num_decoder_layers").asInt(layers),
                c.path("relative_attention_num_buckets").asInt(32), c.path("relative_attention_max_distance").asInt(128),
                (float) c.path("layer_norm_epsilon").asDouble(1e-6), gated, act, scale, !hasLmHead,
                c.path("decoder_start_token_id").asInt(pad), c.path("eos_token_id").asInt(1), pad,
                c.path("n_positions").asInt(512));
    }

    private static int req(JsonNode c, String key, String source) {
        JsonNode v = c.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new ModelFormatException(source + ": config.json lacks an integer '" + key + "'");
        }
        return v.asInt();
    }
}
