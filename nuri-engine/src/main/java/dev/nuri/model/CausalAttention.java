package dev.nuri.model;

import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Softmax;
import dev.nuri.tensor.VectorMath;

/**
 * Scaled dot-product attention of each row's queries over its own sequence's cached keys and values, up to and
 * including the row's position (causal), optionally limited to a sliding window and with logit soft-capping.
 * Heads with the same key/value head share it (GQA/MQA). Work is split over (row, head) pairs.
 */
final class CausalAttention {
    /** Below this many multiply-adds a layer's attention runs on the calling thread: a thread hand-off costs more. */
    private static final long SERIAL_WORK = 1 << 15;

    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[256]);

    private final DecoderConfig config;
    private final int group;

    CausalAttention(DecoderConfig config) {
        this.config = config;
        this.group = config.heads() / config.kvHeads();
    }

    /** Writes the attention output of {@code rows} rows of {@code b.q} into {@code b.att}, for layer {@code layer}. */
    void run(ForwardBuffers b, int rows, int layer, Parallel parallel) {
        int heads = config.heads();
        int window = config.isSliding(layer) ? config.slidingWindow() : Integer.MAX_VALUE;
        long work = 0;
        for (int r = 0; r < rows; r++) {
            work += (long) Math.min(window, b.rowPosition[r] + 1) * heads * config.headDim() * 2;
        }
        Parallel.RangeTask task = (start, end) -> {
            for (int i = start; i < end; i++) {
                head(b, i / heads, i % heads, layer, window);
            }
        };
        if (work < SERIAL_WORK) {
            task.run(0, rows * heads);
        } else {
            parallel.forRange(rows * heads, task);
        }
    }

    private void head(ForwardBuffers b, int row, int h, int layer, int window) {
        int headDim = config.headDim();
        int kvDim = config.kvDim();
        int pos = b.rowPosition[row];
        int first = Math.max(0, pos - window + 1);
        int count = pos - first + 1;
        float[] keys = b.rowState[row].cache.keys(layer);
        float[] values = b.rowState[row].cache.values(layer);
        int kvOffset = (h / group) * headDim;
        int qOffset = row * config.queryDim() + h * headDim;

        float[] scores = SCORES.get();
        if (scores.length < count) {
            scores = new float[Math.max(count, scores.length * 2)];
            SCORES.set(scores);
        }
        float scale = config.attentionScale();
        for (int j = 0; j < count; j++) {
            scores[j] = VectorMath.dot(b.q, qOffset, keys, (first + j) * kvDim + kvOffset, headDim) * scale;
        }
        if (config.attentionSoftCap() > 0) {
            VectorMath.softCap(scores, 0, count, config.attentionSoftCap());
        }
        Softmax.inPlace(scores, 0, count);
        java.util.Arrays.fill(b.att, qOffset, qOffset + headDim, 0f);
        for (int j = 0; j < count; j++) {
            VectorMath.axpy(scores[j], values, (first + j) * kvDim + kvOffset, b.att, qOffset, headDim);
        }
    }
}
