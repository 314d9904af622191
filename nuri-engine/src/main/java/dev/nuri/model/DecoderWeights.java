package dev.nuri.model;

import dev.nuri.tensor.WeightMatrix;
import java.util.List;

/**
 * All weights of a decoder-only transformer.
 *
 * @param tokenEmbedding    [vocab, hidden]
 * @param positionEmbedding [context, hidden] for learned positions (GPT-2), else null
 * @param layers            one per block
 * @param finalNorm         the norm before the output projection
 * @param finalNormBias     its bias (LayerNorm) or null
 * @param output            [vocab, hidden]; the token embedding itself when tied
 */
public record DecoderWeights(WeightMatrix tokenEmbedding, WeightMatrix positionEmbedding, List<LayerWeights> layers,
                             float[] finalNorm, float[] finalNormBias, WeightMatrix output) {
    public DecoderWeights {
        layers = List.copyOf(layers);
    }

    /** Bytes of the weight matrices (the output projection once when it is the embedding). */
    public long matrixBytes() {
        long total = bytes(tokenEmbedding) + bytes(positionEmbedding) + (output == tokenEmbedding ? 0 : bytes(output));
        for (LayerWeights l : layers) {
            total += bytes(l.wq()) + bytes(l.wk()) + bytes(l.wv()) + bytes(l.wo()) + bytes(l.wGate()) + bytes(l.wUp()) + bytes(l.wDown());
        }
        return total;
    }

    private static long bytes(WeightMatrix m) {
        return m == null ? 0 : m.data().byteSize();
    }
}
