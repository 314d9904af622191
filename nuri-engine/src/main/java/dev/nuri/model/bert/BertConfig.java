package dev.nuri.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.Activations.Activation;

/**
 * The shape of a BERT-architecture encoder (BERT, MiniLM, BGE, E5 share it): absolute learned positions,
 * token-type embeddings, post-LayerNorm blocks.
 */
public record BertConfig(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize,
                         int maxPositions, int typeVocabSize, float layerNormEps, Activation activation) {
    public BertConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositions);
        if (typeVocabSize < 0) {
            throw new ModelFormatException("BERT config: type_vocab_size must not be negative, got " + typeVocabSize);
        }
        if (hiddenSize % heads != 0) {
            throw new ModelFormatException("BERT config: hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + heads);
        }
        if (!(layerNormEps > 0)) {
            throw new ModelFormatException("BERT config: layer_norm_eps must be positive, got " + layerNormEps);
        }
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new ModelFormatException("BERT config: " + key + " must be positive, got " + v);
        }
    }

    public int headDim() {
        return hiddenSize / heads;
    }

    /** Reads a Hugging Face {@code config.json} of a BERT-family model. */
    public static BertConfig fromHf(JsonNode c, String source) {
        String type = c.path("model_type").asText("");
        if (!type.isEmpty() && !type.equals("bert")) {
            throw new ModelFormatException(source + ": model_type '" + type + "' is not a BERT-architecture encoder");
        }
        if (c.has("position_embedding_type") && !c.get("position_embedding_type").asText().equals("absolute")) {
            throw new ModelFormatException(source + ": position_embedding_type '" + c.get("position_embedding_type").asText()
                    + "' is not supported (only absolute)");
        }
        Activation act;
        try {
            act = Activation.fromHf(c.path("hidden_act").asText("gelu"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage());
        }
        return new BertConfig(required(c, "vocab_size", source), required(c, "hidden_size", source),
                required(c, "num_hidden_layers", source), required(c, "num_attention_heads", source),
                required(c, "intermediate_size", source), c.path("max_position_embeddings").asInt(512),
                c.path("type_vocab_size").asInt(2), (float) c.path("layer_norm_eps").asDouble(1e-12), act);
    }

    private static int required(JsonNode c, String key, String source) {
        JsonNode v = c.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new ModelFormatException(source + ": config.json lacks an integer '" + key + "'");
        }
        return v.asInt();
    }
}
