package dev.nuri.train.model;

/**
 * The sizes of a Llama-architecture model as training needs them (the fields of a Hugging Face
 * {@code LlamaConfig}). Validated on construction with messages a user can act on.
 */
public record LlamaShape(int vocabSize, int hiddenSize, int layers, int heads, int kvHeads, int headDim,
                         int intermediateSize, double ropeTheta, float rmsNormEps, boolean tieEmbeddings,
                         int maxPositions) {
    public LlamaShape {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("head_dim", headDim);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + heads
                    + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (!(ropeTheta > 0)) {
            throw new IllegalArgumentException("rope_theta must be positive, got " + ropeTheta);
        }
        if (!(rmsNormEps > 0)) {
            throw new IllegalArgumentException("rms_norm_eps must be positive, got " + rmsNormEps);
        }
    }

    /** A shape with {@code head_dim = hidden/heads}, rope theta 10000, eps 1e-5. */
    public static LlamaShape of(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate,
                                int maxPositions, boolean tied) {
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden_size (" + hidden + ") must be a multiple of num_attention_heads ("
                    + heads + ")");
        }
        return new LlamaShape(vocab, hidden, layers, heads, kvHeads, hidden / heads, intermediate, 10000.0, 1e-5f,
                tied, maxPositions);
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }
}
