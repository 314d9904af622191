package dev.nuri.model.t5;

import dev.nuri.model.ContextOverflowException;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.bert.WeightLookup;
import dev.nuri.tensor.Activations;
import dev.nuri.tensor.Norms;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Softmax;
import dev.nuri.tensor.VectorMath;
import dev.nuri.tensor.WeightMatrix;
import java.util.Arrays;

/**
 * T5 / FLAN-T5 (Raffel et al. 2020): a pre-RMSNorm encoder–decoder without biases, unscaled dot-product
 * attention, and learned relative position buckets (bidirectional in the encoder, causal in the decoder; only
 * the first layer of each stack holds the bucket table, and every layer of that stack reuses it).
 *
 * <p>Use: {@link #encode} the input once, then drive the decoder through {@link #decoderFor}, a
 * {@link LanguageModel} whose states carry the encoder output (cross-attention keys and values are computed once
 * per input) and a self-attention KV cache. Generation (greedy, sampling, beam search) runs on that view with the
 * prompt {@link #decoderPrompt()}. Immutable and thread safe.
 */
public final class T5Model {
    record Attention(WeightMatrix q, WeightMatrix k, WeightMatrix v, WeightMatrix o) {
    }

    record FeedForward(WeightMatrix wi0, WeightMatrix wi1, WeightMatrix wo) {
    }

    record EncoderLayer(float[] attnNorm, Attention attn, float[] ffNorm, FeedForward ff) {
    }

    record DecoderLayer(float[] selfNorm, Attention self, float[] crossNorm, Attention cross, float[] ffNorm, FeedForward ff) {
    }

    private final String name;
    private final T5Config config;
    private final WeightMatrix shared;
    private final WeightMatrix head;
    private final float[] encoderBias; // [buckets][heads]
    private final float[] decoderBias;
    private final EncoderLayer[] encoder;
    private final DecoderLayer[] decoder;
    private final float[] encoderFinalNorm;
    private final float[] decoderFinalNorm;
    private final Parallel parallel;

    private T5Model(String name, T5Config config, WeightMatrix shared, WeightMatrix head, float[] encoderBias, float[] decoderBias,
                    EncoderLayer[] encoder, DecoderLayer[] decoder, float[] encoderFinalNorm, float[] decoderFinalNorm, Parallel parallel) {
        this.name = name;
        this.config = config;
        this.shared = shared;
        this.head = head;
        this.encoderBias = encoderBias;
        this.decoderBias = decoderBias;
        this.encoder = encoder;
        this.decoder = decoder;
        this.encoderFinalNorm = encoderFinalNorm;
        this.decoderFinalNorm = decoderFinalNorm;
        this.parallel = parallel;
    }

    /** Builds the model from weights named as Hugging Face's {@code T5ForConditionalGeneration} names them. */
    public static T5Model fromHfNames(String name, T5Config c, WeightLookup w, Parallel parallel) {
        int d = c.dModel();
        WeightMatrix shared = w.matrix(w.has("shared.weight") ? "shared.weight" : "encoder.embed_tokens.weight", c.vocabSize(), d);
        WeightMatrix head = c.tiedHead() ? shared : w.matrix("lm_head.weight", c.vocabSize(), d);
        EncoderLayer[] enc = new EncoderLayer[c.encoderLayers()];
        for (int i = 0; i < enc.length; i++) {
            String p = "encoder.block." + i + ".layer.";
            enc[i] = new EncoderLayer(w.vector(p + "0.layer_norm.weight", d), attention(w, p + "0.SelfAttention.", c),
                    w.vector(p + "1.layer_norm.weight", d), feedForward(w, p + "1.DenseReluDense.", c));
        }
        DecoderLayer[] dec = new DecoderLayer[c.decoderLayers()];
        for (int i = 0; i < dec.length; i++) {
            String p = "decoder.block." + i + ".layer.";
            dec[i] = new DecoderLayer(w.vector(p + "0.layer_norm.weight", d), attention(w, p + "0.SelfAttention.", c),
                    w.vector(p + "1.layer_norm.weight", d), attention(w, p + "1.EncDecAttention.", c),
                    w.vector(p + "2.layer_norm.weight", d), feedForward(w, p + "2.DenseReluDense.", c));
        }
        int tableSize = c.numBuckets() * c.heads();
        return new T5Model(name, c, shared, head,
                w.vector("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", tableSize),
                w.vector("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", tableSize),
                enc, dec, w.vector("encoder.final_layer_norm.weight", d), w.vector("decoder.final_layer_norm.weight", d), parallel);
    }

    private static Attention attention(WeightLookup w, String p, T5Config c) {
        int d = c.dModel();
        int inner = c.innerDim();
        return new Attention(w.matrix(p + "q.weight", inner, d), w.matrix(p + "k.weight", inner, d),
                w.matrix(p + "v.weight", inner, d), w.matrix(p + "o.weight", d, inner));
    }

    private static FeedForward feedForward(WeightLookup w, String p, T5Config c) {
        int d = c.dModel();
        int ff = c.dFf();
        if (c.gated()) {
            return new FeedForward(w.matrix(p + "wi_0.weight", ff, d), w.matrix(p + "wi_1.weight", ff, d), w.matrix(p + "wo.weight", d, ff));
        }
        return new FeedForward(w.matrix(p + "wi.weight", ff, d), null, w.matrix(p + "wo.weight", d, ff));
    }

    public T5Config config() {
        return config;
    }

    public String name() {
        return name;
    }

    /** The decoder's first input: {@code [decoder_start_token_id]}. */
    public int[] decoderPrompt() {
        return new int[] {config.decoderStartId()};
    }

    /**
     * T5's relative position bucket (Hugging Face's {@code _relative_position_bucket}, with its float32 arithmetic
     * for the logarithmic buckets). {@code relative} is key position minus query position.
     */
    static int bucket(int relative, boolean bidirectional, int numBuckets, int maxDistance) {
        int base = 0;
        int n = numBuckets;
        int distance;
        if (bidirectional) {
            n /= 2;
            if (relative > 0) {
                base = n;
            }
            distance = Math.abs(relative);
        } else {
            distance = -Math.min(relative, 0);
        }
        int maxExact = n / 2;
        if (distance < maxExact) {
            return base + distance;
        }
        float scaled = (float) Math.log((float) distance / maxExact);
        scaled = scaled / (float) Math.log((double) maxDistance / maxExact);
        scaled = scaled * (n - maxExact);
        return base + Math.min(maxExact + (int) scaled, n - 1);
    }

    /** The encoder's output for one input, with every decoder layer's cross-attention keys and values. */
    public record Encoded(int length, float[] hidden, float[][] crossKeys, float[][] crossValues) {
    }

    /** Runs the encoder over {@code ids} (one unpadded sequence) and precomputes the cross-attention keys/values. */
    public Encoded encode(int[] ids) {
        int n = ids.length;
        if (n == 0) {
            throw new IllegalArgumentException("the encoder input is empty");
        }
        int d = config.dModel();
        int inner = config.innerDim();
        float[] x = embed(ids);
        float[] h = new float[n * d];
        float[] q = new float[n * inner];
        float[] k = new float[n * inner];
        float[] v = new float[n * inner];
        float[] ctx = new float[n * inner];
        float[] tmp = new float[n * d];
        float[] ffA = new float[n * config.dFf()];
        float[] ffB = config.gated() ? new float[n * config.dFf()] : null;
        int[] buckets = new int[2 * n - 1];
        for (int r = -(n - 1); r <= n - 1; r++) {
            buckets[r + n - 1] = bucket(r, true, config.numBuckets(), config.maxDistance());
        }
        for (EncoderLayer l : encoder) {
            rmsNorm(x, h, n, l.attnNorm);
            l.attn.q.matmul(h, n, q, parallel);
            l.attn.k.matmul(h, n, k, parallel);
            l.attn.v.matmul(h, n, v, parallel);
            parallel.forRange(config.heads(), (s, e) -> {
                float[] scores = new float[n];
                for (int head = s; head < e; head++) {
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            scores[j] = VectorMath.dot(q, i * inner + head * config.dKv(), k, j * inner + head * config.dKv(), config.dKv())
                                    + encoderBias[buckets[j - i + n - 1] * config.heads() + head];
                        }
                        weighted(scores, n, v, ctx, i * inner + head * config.dKv(), inner, head);
                    }
                }
            });
            l.attn.o.matmul(ctx, n, tmp, parallel);
            VectorMath.addInPlace(x, 0, tmp, 0, n * d);
            rmsNorm(x, h, n, l.ffNorm);
            feedForward(l.ff, h, n, ffA, ffB, tmp);
            VectorMath.addInPlace(x, 0, tmp, 0, n * d);
        }
        rmsNorm(x, x, n, encoderFinalNorm);
        float[][] ck = new float[decoder.length][n * inner];
        float[][] cv = new float[decoder.length][n * inner];
        for (int i = 0; i < decoder.length; i++) {
            decoder[i].cross.k.matmul(x, n, ck[i], parallel);
            decoder[i].cross.v.matmul(x, n, cv[i], parallel);
        }
        return new Encoded(n, x, ck, cv);
    }

    /** ctx[out..out+dKv) = Σ_j softmax(scores)_j · v[j, head]. */
    private void weighted(float[] scores, int count, float[] v, float[] ctx, int out, int inner, int head) {
        Softmax.inPlace(scores, 0, count);
        int dkv = config.dKv();
        Arrays.fill(ctx, out, out + dkv, 0f);
        for (int j = 0; j < count; j++) {
            VectorMath.axpy(scores[j], v, j * inner + head * dkv, ctx, out, dkv);
        }
    }

    private float[] embed(int[] ids) {
        int d = config.dModel();
        float[] x = new float[ids.length * d];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
            shared.dequantizeRow(ids[i], x, i * d);
        }
        return x;
    }

    private void rmsNorm(float[] x, float[] out, int n, float[] weight) {
        int d = config.dModel();
        for (int t = 0; t < n; t++) {
            Norms.rmsNorm(out, t * d, x, t * d, d, weight, config.eps(), false);
        }
    }

    private void feedForward(FeedForward f, float[] h, int n, float[] a, float[] b, float[] out) {
        int ff = config.dFf();
        f.wi0.matmul(h, n, a, parallel);
        Activations.apply(config.activation(), a, 0, n * ff);
        if (f.wi1 != null) {
            f.wi1.matmul(h, n, b, parallel);
            VectorMath.mulInPlace(a, 0, b, 0, n * ff);
        }
        f.wo.matmul(a, n, out, parallel);
    }

    /** The decoder of one encoded input as a causal language model (its states share the encoder output). */
    public LanguageModel decoderFor(Encoded encoded) {
        return new T5Decoder(this, encoded);
    }

    /** Encodes {@code inputIds} and returns the decoder view over them. */
    public LanguageModel decoderFor(int[] inputIds) {
        return decoderFor(encode(inputIds));
    }

    /** Runs {@code tokens} through the decoder, appending to the state's cache; returns logits (last or all). */
    float[] decode(T5DecoderState s, int[] tokens, boolean allLogits) {
        int m = tokens.length;
        if (m == 0) {
            throw new IllegalArgumentException("no tokens to decode");
        }
        int p0 = s.position();
        if (p0 + m > s.contextLength()) {
            throw new ContextOverflowException(p0, m, s.contextLength());
        }
        int d = config.dModel();
        int inner = config.innerDim();
        int dkv = config.dKv();
        int heads = config.heads();
        Encoded enc = s.encoded();
        float[] x = embed(tokens);
        float[] h = new float[m * d];
        float[] q = new float[m * inner];
        float[] kNew = new float[m * inner];
        float[] vNew = new float[m * inner];
        float[] ctx = new float[m * inner];
        float[] tmp = new float[m * d];
        float[] ffA = new float[m * config.dFf()];
        float[] ffB = config.gated() ? new float[m * config.dFf()] : null;
        int total = p0 + m;
        int[] buckets = new int[total];
        for (int r = 0; r < total; r++) {
            buckets[r] = bucket(-r, false, config.numBuckets(), config.maxDistance());
        }
        for (int li = 0; li < decoder.length; li++) {
            DecoderLayer l = decoder[li];
            float[] kc = s.keys[li];
            float[] vc = s.values[li];
            rmsNorm(x, h, m, l.selfNorm);
            l.self.q.matmul(h, m, q, parallel);
            l.self.k.matmul(h, m, kNew, parallel);
            l.self.v.matmul(h, m, vNew, parallel);
            System.arraycopy(kNew, 0, kc, p0 * inner, m * inner);
            System.arraycopy(vNew, 0, vc, p0 * inner, m * inner);
            parallel.forRange(heads, (hs, he) -> {
                float[] scores = new float[total];
                for (int head = hs; head < he; head++) {
                    for (int t = 0; t < m; t++) {
                        int pos = p0 + t;
                        for (int j = 0; j <= pos; j++) {
                            scores[j] = VectorMath.dot(q, t * inner + head * dkv, kc, j * inner + head * dkv, dkv)
                                    + decoderBias[buckets[pos - j] * heads + head];
                        }
                        weighted(scores, pos + 1, vc, ctx, t * inner + head * dkv, inner, head);
                    }
                }
            });
            l.self.o.matmul(ctx, m, tmp, parallel);
            VectorMath.addInPlace(x, 0, tmp, 0, m * d);

            rmsNorm(x, h, m, l.crossNorm);
            l.cross.q.matmul(h, m, q, parallel);
            float[] ck = enc.crossKeys()[li];
            float[] cv = enc.crossValues()[li];
            int n = enc.length();
            parallel.forRange(heads, (hs, he) -> {
                float[] scores = new float[n];
                for (int head = hs; head < he; head++) {
                    for (int t = 0; t < m; t++) {
                        for (int j = 0; j < n; j++) {
                            scores[j] = VectorMath.dot(q, t * inner + head * dkv, ck, j * inner + head * dkv, dkv);
                        }
                        weighted(scores, n, cv, ctx, t * inner + head * dkv, inner, head);
                    }
                }
            });
            l.cross.o.matmul(ctx, m, tmp, parallel);
            VectorMath.addInPlace(x, 0, tmp, 0, m * d);

            rmsNorm(x, h, m, l.ffNorm);
            feedForward(l.ff, h, m, ffA, ffB, tmp);
            VectorMath.addInPlace(x, 0, tmp, 0, m * d);
        }
        s.advance(m);
        int first = allLogits ? 0 : m - 1;
        int rows = m - first;
        float[] last = new float[rows * d];
        for (int t = 0; t < rows; t++) {
            Norms.rmsNorm(last, t * d, x, (first + t) * d, d, decoderFinalNorm, config.eps(), false);
        }
        if (config.scaleDecoderOutputs()) {
            VectorMath.scale(last, 0, rows * d, (float) Math.pow(d, -0.5));
        }
        float[] logits = new float[rows * config.vocabSize()];
        head.matmul(last, rows, logits, parallel);
        return logits;
    }
}
