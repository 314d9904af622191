package dev.nuri.model;

import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tiny decoders with random weights built in memory, so the forward pass is tested without any fixture file. */
final class TinyDecoders {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TinyDecoders() {
    }

    static DecoderConfig.Builder llamaLike() {
        return DecoderConfig.builder("tiny").vocabSize(97).hiddenSize(32).layers(2).heads(4).kvHeads(2).ffnSize(48)
                .contextLength(128).bosId(1);
    }

    static DecoderModel build(DecoderConfig c, long seed, Parallel parallel) {
        return new DecoderModel("tiny", c, randomWeights(c, seed), parallel, null);
    }

    static DecoderWeights randomWeights(DecoderConfig c, long seed) {
        Random rnd = new Random(seed);
        int h = c.hiddenSize();
        boolean layerNorm = c.norm() == DecoderConfig.NormType.LAYER;
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            layers.add(new LayerWeights(
                    norm(rnd, h), layerNorm ? vec(rnd, h, 0.1f) : null,
                    matrix(rnd, "wq", c.queryDim(), h), matrix(rnd, "wk", c.kvDim(), h), matrix(rnd, "wv", c.kvDim(), h),
                    c.attentionBias() ? vec(rnd, c.queryDim(), 0.1f) : null,
                    c.attentionBias() ? vec(rnd, c.kvDim(), 0.1f) : null,
                    c.attentionBias() ? vec(rnd, c.kvDim(), 0.1f) : null,
                    c.qkNorm() ? norm(rnd, c.headDim()) : null, c.qkNorm() ? norm(rnd, c.headDim()) : null,
                    matrix(rnd, "wo", h, c.queryDim()), c.outputBias() ? vec(rnd, h, 0.1f) : null,
                    c.sandwichNorms() ? norm(rnd, h) : null,
                    norm(rnd, h), layerNorm ? vec(rnd, h, 0.1f) : null,
                    c.gatedFfn() ? matrix(rnd, "gate", c.ffnSize(), h) : null, null,
                    matrix(rnd, "up", c.ffnSize(), h), c.mlpBias() ? vec(rnd, c.ffnSize(), 0.1f) : null,
                    matrix(rnd, "down", h, c.ffnSize()), c.mlpBias() ? vec(rnd, h, 0.1f) : null,
                    c.sandwichNorms() ? norm(rnd, h) : null));
        }
        WeightMatrix embedding = matrix(rnd, "embed", c.vocabSize(), h);
        WeightMatrix positions = c.positions() == DecoderConfig.Positions.LEARNED ? matrix(rnd, "wpe", c.contextLength(), h) : null;
        WeightMatrix output = c.tiedEmbeddings() ? embedding : matrix(rnd, "output", c.vocabSize(), h);
        return new DecoderWeights(embedding, positions, layers, norm(rnd, h), layerNorm ? vec(rnd, h, 0.1f) : null, output);
    }

    static float[] norm(Random rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = 1f + (rnd.nextFloat() - 0.5f) * 0.2f;
        }
        return w;
    }

    static float[] vec(Random rnd, int n, float scale) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rnd.nextGaussian() * scale;
        }
        return w;
    }

    static WeightMatrix matrix(Random rnd, String name, int rows, int cols) {
        return f32(name, rows, cols, vec(rnd, rows * cols, (float) (1.0 / Math.sqrt(cols))));
    }

    static WeightMatrix f32(String name, int rows, int cols, float[] values) {
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * Float.BYTES, 64);
        for (int i = 0; i < values.length; i++) {
            seg.setAtIndex(LE_FLOAT, i, values[i]);
        }
        return WeightMatrix.of(name, DType.F32, rows, cols, seg);
    }
}
