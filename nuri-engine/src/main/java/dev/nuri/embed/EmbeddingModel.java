package dev.nuri.embed;

import java.util.List;

/**
 * Text to fixed-size vectors for retrieval and similarity, like LangChain4j's {@code EmbeddingModel}.
 * Implementations are thread safe.
 */
public interface EmbeddingModel extends AutoCloseable {

    /** One embedding per text, in order; each has {@link #dimension()} values. */
    float[][] embed(List<String> texts);

    default float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /** Values per embedding. */
    int dimension();

    /**
     * The most tokens the model sees at once (special tokens included). Longer texts are split into windows of
     * at most this many tokens, and the window embeddings are averaged (weighted by their token counts).
     */
    int maxTokens();

    /** A display name (the model folder or file, or the default model's name). */
    String name();

    @Override
    default void close() {
    }
}
