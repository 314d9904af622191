package dev.nuri.model;

import dev.nuri.tensor.WeightMatrix;

/**
 * One transformer block's weights. Matrices are views over the model file; norm weights and biases are small
 * float arrays. Absent parts are null (a bias the architecture lacks, Gemma's sandwich norms elsewhere, the gate of
 * a non-gated feed-forward layer).
 */
public record LayerWeights(
        float[] attentionNorm, float[] attentionNormBias,
        WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, float[] bq, float[] bk, float[] bv,
        float[] queryNorm, float[] keyNorm,
        WeightMatrix wo, float[] bo,
        float[] postAttentionNorm,
        float[] ffnNorm, float[] ffnNormBias,
        WeightMatrix wGate, float[] bGate, WeightMatrix wUp, float[] bUp, WeightMatrix wDown, float[] bDown,
        float[] postFfnNorm) {
}
