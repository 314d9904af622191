package dev.nuri.model.bert;

import dev.nuri.NuriException;
import dev.nuri.tensor.Activations;
import dev.nuri.tensor.FastGelu;
import dev.nuri.tensor.Norms;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Softmax;
import dev.nuri.tensor.VectorMath;
import dev.nuri.tensor.WeightMatrix;

/**
 * A BERT-architecture encoder (Devlin et al. 2019): word + absolute position + token-type embeddings, then
 * post-LayerNorm blocks {@code x = LN(x + Attn(x)); x = LN(x + FFN(x))} with bidirectional attention.
 *
 * <p>A batch is packed: the sequences' tokens lie back to back, and {@code starts[b]..starts[b+1]} are sequence
 * b's tokens. Matrix products run over all tokens of the batch at once; attention stays inside each sequence.
 * A key mask (Hugging Face's {@code attention_mask}) hides padding keys, so a padded batch gives exactly what
 * Hugging Face gives, padding positions included. Instances are immutable and thread safe.
 */
public final class BertModel {
    /** One encoder block's weights (Hugging Face names in comments). */
    record Layer(WeightMatrix query, float[] queryBias, WeightMatrix key, float[] keyBias,
                 WeightMatrix value, float[] valueBias,
                 WeightMatrix attnOut, float[] attnOutBias, float[] attnNormWeight, float[] attnNormBias,
                 WeightMatrix up, float[] upBias, WeightMatrix down, float[] downBias,
                 float[] outNormWeight, float[] outNormBias) {
    }

    private final BertConfig config;
    private final String name;
    private final WeightMatrix wordEmbeddings;
    private final WeightMatrix positionEmbeddings;
    private final WeightMatrix typeEmbeddings;
    private final float[] embNormWeight;
    private final float[] embNormBias;
    private final Layer[] layers;

    BertModel(String name, BertConfig config, WeightMatrix word, WeightMatrix position, WeightMatrix type,
              float[] embNormWeight, float[] embNormBias, Layer[] layers) {
        this.name = name;
        this.config = config;
        this.wordEmbeddings = word;
        this.positionEmbeddings = position;
        this.typeEmbeddings = type;
        this.embNormWeight = embNormWeight;
        this.embNormBias = embNormBias;
        this.layers = layers.clone();
    }

    /**
     * Builds the model from weights named as Hugging Face's {@code BertModel} names them ({@code embeddings.*},
     * {@code encoder.layer.N.*}), optionally under a prefix such as {@code "bert."}.
     */
    public static BertModel fromHfNames(String name, BertConfig c, WeightLookup w) {
        String p = w.has("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        int h = c.hiddenSize();
        int ff = c.intermediateSize();
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String l = p + "encoder.layer." + i + ".";
            layers[i] = new Layer(
                    w.matrix(l + "attention.self.query.weight", h, h), w.vector(l + "attention.self.query.bias", h),
                    w.matrix(l + "attention.self.key.weight", h, h), w.vector(l + "attention.self.key.bias", h),
                    w.matrix(l + "attention.self.value.weight", h, h), w.vector(l + "attention.self.value.bias", h),
                    w.matrix(l + "attention.output.dense.weight", h, h), w.vector(l + "attention.output.dense.bias", h),
                    w.vector(l + "attention.output.LayerNorm.weight", h), w.vector(l + "attention.output.LayerNorm.bias", h),
                    w.matrix(l + "intermediate.dense.weight", ff, h), w.vector(l + "intermediate.dense.bias", ff),
                    w.matrix(l + "output.dense.weight", h, ff), w.vector(l + "output.dense.bias", h),
                    w.vector(l + "output.LayerNorm.weight", h), w.vector(l + "output.LayerNorm.bias", h));
        }
        String e = p + "embeddings.";
        return new BertModel(name, c,
                w.matrix(e + "word_embeddings.weight", c.vocabSize(), h),
                w.matrix(e + "position_embeddings.weight", c.maxPositions(), h),
                c.typeVocabSize() > 0 ? w.matrix(e + "token_type_embeddings.weight", c.typeVocabSize(), h) : null,
                w.vector(e + "LayerNorm.weight", h), w.vector(e + "LayerNorm.bias", h), layers);
    }

    public BertConfig config() {
        return config;
    }

    public String name() {
        return name;
    }

    /** The most tokens one sequence may have (learned positions). */
    public int maxTokens() {
        return config.maxPositions();
    }

    /**
     * Runs the encoder over a packed batch.
     *
     * @param ids      token ids of all sequences back to back
     * @param typeIds  token-type (segment) ids per token, or null for all zeros
     * @param starts   {@code B+1} offsets: sequence b is tokens [starts[b], starts[b+1])
     * @param keyMask  per token, whether other tokens may attend to it (false for padding), or null for all true
     * @return the last hidden states, {@code ids.length × hiddenSize} floats, row per token
     */
    public float[] encode(int[] ids, int[] typeIds, int[] starts, boolean[] keyMask, Parallel parallel) {
        int n = ids.length;
        validate(ids, typeIds, starts, keyMask);
        int h = config.hiddenSize();
        int ff = config.intermediateSize();
        float[] x = embed(ids, typeIds, starts);
        float[] q = new float[n * h];
        float[] k = new float[n * h];
        float[] v = new float[n * h];
        float[] ctx = new float[n * h];
        float[] tmp = new float[n * h];
        float[] inner = new float[Math.multiplyExact(n, ff)];
        for (Layer l : layers) {
            linear(l.query, l.queryBias, x, n, q, parallel);
            linear(l.key, l.keyBias, x, n, k, parallel);
            linear(l.value, l.valueBias, x, n, v, parallel);
            attention(q, k, v, ctx, starts, keyMask, parallel);
            linear(l.attnOut, l.attnOutBias, ctx, n, tmp, parallel);
            addAndNorm(x, tmp, l.attnNormWeight, l.attnNormBias, n, parallel);
            linear(l.up, l.upBias, x, n, inner, parallel);
            parallel.forRange(n, 4, (s, e) -> activate(inner, s * ff, (e - s) * ff));
            linear(l.down, l.downBias, inner, n, tmp, parallel);
            addAndNorm(x, tmp, l.outNormWeight, l.outNormBias, n, parallel);
        }
        return x;
    }

    private void activate(float[] x, int off, int len) {
        if (config.activation() == Activations.Activation.GELU_ERF) {
            FastGelu.apply(x, off, len);
        } else {
            Activations.apply(config.activation(), x, off, len);
        }
    }

    private void validate(int[] ids, int[] typeIds, int[] starts, boolean[] keyMask) {
        int n = ids.length;
        if (starts.length < 2 || starts[0] != 0 || starts[starts.length - 1] != n) {
            throw new IllegalArgumentException("sequence offsets must run from 0 to the token count " + n);
        }
        for (int b = 0; b + 1 < starts.length; b++) {
            int len = starts[b + 1] - starts[b];
            if (len <= 0) {
                throw new IllegalArgumentException("sequence " + b + " is empty");
            }
            if (len > config.maxPositions()) {
                throw new NuriException("a sequence of " + len + " tokens exceeds " + name + "'s maximum of "
                        + config.maxPositions() + " positions");
            }
            if (keyMask != null && !anyTrue(keyMask, starts[b], starts[b + 1])) {
                throw new IllegalArgumentException("sequence " + b + " has no token left visible by its attention mask");
            }
        }
        if ((typeIds != null && typeIds.length != n) || (keyMask != null && keyMask.length != n)) {
            throw new IllegalArgumentException("token types and key mask must have one entry per token (" + n + ")");
        }
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
            int t = typeIds == null ? 0 : typeIds[i];
            if (t < 0 || t >= Math.max(1, config.typeVocabSize())) {
                throw new IllegalArgumentException("token type " + t + " is outside 0.." + (config.typeVocabSize() - 1));
            }
        }
    }

    private static boolean anyTrue(boolean[] mask, int from, int to) {
        for (int i = from; i < to; i++) {
            if (mask[i]) {
                return true;
            }
        }
        return false;
    }

    private float[] embed(int[] ids, int[] typeIds, int[] starts) {
        int h = config.hiddenSize();
        float[] x = new float[ids.length * h];
        float[] row = new float[h];
        for (int b = 0; b + 1 < starts.length; b++) {
            for (int i = starts[b]; i < starts[b + 1]; i++) {
                int off = i * h;
                wordEmbeddings.dequantizeRow(ids[i], x, off);
                positionEmbeddings.dequantizeRow(i - starts[b], row, 0);
                VectorMath.addInPlace(x, off, row, 0, h);
                if (typeEmbeddings != null) {
                    typeEmbeddings.dequantizeRow(typeIds == null ? 0 : typeIds[i], row, 0);
                    VectorMath.addInPlace(x, off, row, 0, h);
                }
                Norms.layerNorm(x, off, x, off, h, embNormWeight, embNormBias, config.layerNormEps());
            }
        }
        return x;
    }

    private static void linear(WeightMatrix w, float[] bias, float[] x, int n, float[] y, Parallel parallel) {
        w.matmul(x, n, y, parallel);
        int rows = w.rows();
        for (int t = 0; t < n; t++) {
            VectorMath.addInPlace(y, t * rows, bias, 0, rows);
        }
    }

    private void addAndNorm(float[] x, float[] delta, float[] weight, float[] bias, int n, Parallel parallel) {
        int h = config.hiddenSize();
        parallel.forRange(n, 8, (s, e) -> {
            for (int t = s; t < e; t++) {
                VectorMath.addInPlace(x, t * h, delta, t * h, h);
                Norms.layerNorm(x, t * h, x, t * h, h, weight, bias, config.layerNormEps());
            }
        });
    }

    /** Scaled dot-product attention per (sequence, head); masked keys get no weight (softmax over the visible keys). */
    private void attention(float[] q, float[] k, float[] v, float[] ctx, int[] starts, boolean[] keyMask, Parallel parallel) {
        int h = config.hiddenSize();
        int heads = config.heads();
        int hd = config.headDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int sequences = starts.length - 1;
        parallel.forRange(sequences * heads, (s, e) -> {
            float[] scores = new float[config.maxPositions()];
            for (int job = s; job < e; job++) {
                int b = job / heads;
                int head = job % heads;
                int from = starts[b];
                int to = starts[b + 1];
                int ho = head * hd;
                for (int i = from; i < to; i++) {
                    for (int j = from; j < to; j++) {
                        scores[j - from] = keyMask == null || keyMask[j]
                                ? VectorMath.dot(q, i * h + ho, k, j * h + ho, hd) * scale
                                : Float.NEGATIVE_INFINITY;
                    }
                    Softmax.inPlace(scores, 0, to - from);
                    int out = i * h + ho;
                    java.util.Arrays.fill(ctx, out, out + hd, 0f);
                    for (int j = from; j < to; j++) {
                        float p = scores[j - from];
                        if (p != 0f) {
                            VectorMath.axpy(p, v, j * h + ho, ctx, out, hd);
                        }
                    }
                }
            }
        });
    }
}
