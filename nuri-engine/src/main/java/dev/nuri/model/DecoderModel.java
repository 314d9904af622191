package dev.nuri.model;

import dev.nuri.NuriException;
import dev.nuri.tensor.Activations;
import dev.nuri.tensor.Norms;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Rope;
import dev.nuri.tensor.VectorMath;
import dev.nuri.tensor.WeightMatrix;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only transformer: the forward pass of every architecture {@link DecoderConfig} describes.
 *
 * <p>A forward pass runs over a batch of rows, each row one token of some sequence at some position, with the
 * projections as one mat-mat product over all rows ({@link WeightMatrix#matmul}; mat-vec for a single row) and
 * attention per row against that row's own KV cache. {@link #forward} fills the rows from one sequence (a prompt
 * is prefilled in chunks of {@link #MAX_ROWS}); {@link #forwardBatch} fills them from several sequences at their own
 * positions, which is what a continuous-batching server needs for one decode step over many requests.
 */
public final class DecoderModel implements LanguageModel {
    /** The most rows one pass holds: longer prompts are prefilled in chunks (bounded scratch memory). */
    static final int MAX_ROWS = 64;

    private final ModelInfo info;
    private final DecoderConfig config;
    private final DecoderWeights weights;
    private final Parallel parallel;
    private final AutoCloseable resources;
    private final CausalAttention attention;
    /** The largest RoPE table built so far; a table for n positions serves every shorter sequence too. */
    private volatile Rope sharedRope;
    private volatile boolean closed;

    /**
     * @param name      display name
     * @param resources closed with the model (the mapped files the weights view), or null
     */
    public DecoderModel(String name, DecoderConfig config, DecoderWeights weights, Parallel parallel, AutoCloseable resources) {
        if (weights.layers().size() != config.layers()) {
            throw new IllegalArgumentException("model " + name + ": config has " + config.layers() + " layers but " + weights.layers().size() + " were loaded");
        }
        this.config = config;
        this.weights = weights;
        this.parallel = parallel;
        this.resources = resources;
        this.attention = new CausalAttention(config);
        this.info = new ModelInfo(name, config.architecture(), config.vocabSize(), config.contextLength(), config.bosId(), config.eosIds());
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public DecoderConfig config() {
        return config;
    }

    public DecoderWeights weights() {
        return weights;
    }

    @Override
    public InferenceState newState(int contextLength) {
        if (contextLength <= 0 || contextLength > config.contextLength()) {
            throw new IllegalArgumentException("context length must be in 1.." + config.contextLength() + " for " + info.name() + ", got " + contextLength);
        }
        ensureOpen();
        long cacheBytes = 2L * config.layers() * config.kvDim() * contextLength * Float.BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (cacheBytes > heap) {
            throw new NuriException("a KV cache of " + contextLength + " positions for " + info.name() + " needs "
                    + (cacheBytes >> 20) + " MiB but the Java heap is limited to " + (heap >> 20)
                    + " MiB; lower the context length or raise -Xmx");
        }
        Rope rope = config.positions() == DecoderConfig.Positions.LEARNED ? null : ropeFor(contextLength);
        return new DecoderState(this, new KvCache(config.layers(), config.kvDim(), contextLength), rope, 0);
    }

    /**
     * A RoPE table for sequences of up to {@code contextLength} positions. Frequencies that do not depend on the
     * sequence length share one table, grown when a longer sequence asks (a server sees many lengths: one table
     * each would grow without bound); dynamic NTK beyond the original context gets a table of its own.
     */
    private Rope ropeFor(int contextLength) {
        if (config.ropeScaling().dependsOnSequenceLength(contextLength)) {
            return newRope(contextLength);
        }
        Rope rope = sharedRope;
        if (rope == null || rope.maxPositions() < contextLength) {
            synchronized (this) {
                rope = sharedRope;
                if (rope == null || rope.maxPositions() < contextLength) {
                    rope = sharedRope = newRope(contextLength);
                }
            }
        }
        return rope;
    }

    private Rope newRope(int positions) {
        Rope.Layout layout = config.positions() == DecoderConfig.Positions.ROPE_NORMAL ? Rope.Layout.NORMAL : Rope.Layout.NEOX;
        float[] invFreq = config.ropeScaling().inverseFrequencies(config.rotaryDim(), config.ropeTheta(), positions);
        return new Rope(config.rotaryDim(), layout, positions, invFreq, 1f);
    }

    @Override
    public float[] forward(InferenceState inferenceState, int[] tokens, boolean allLogits) {
        DecoderState state = own(inferenceState);
        if (tokens.length == 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        checkIds(tokens);
        if (state.position() + tokens.length > state.contextLength()) {
            throw new ContextOverflowException(state.position(), tokens.length, state.contextLength());
        }
        int vocab = config.vocabSize();
        float[] logits = new float[(allLogits ? tokens.length : 1) * vocab];
        ForwardBuffers b = state.buffers(Math.min(tokens.length, MAX_ROWS));
        for (int start = 0; start < tokens.length; start += b.rows) {
            int rows = Math.min(b.rows, tokens.length - start);
            for (int r = 0; r < rows; r++) {
                b.rowState[r] = state;
                b.rowPosition[r] = state.position() + r;
                b.rowToken[r] = tokens[start + r];
            }
            run(b, rows);
            state.advance(rows);
            if (allLogits) {
                allRowLogits(b, rows, logits, start * vocab);
            } else if (start + rows == tokens.length) {
                rowLogits(b, rows - 1, logits);
            }
        }
        return logits;
    }

    /**
     * One pass over several sequences: row {@code i} appends {@code tokens[i]} to {@code states.get(i)} (a state may
     * appear more than once; its rows take consecutive positions). Returns every row's logits,
     * {@code [rows][vocab]}. The states must belong to this model and must not be used by another thread meanwhile.
     */
    @Override
    public float[] forwardBatch(List<? extends InferenceState> states, int[] tokens) {
        if (states.size() != tokens.length || tokens.length == 0) {
            throw new IllegalArgumentException("forwardBatch needs one token per state and at least one row; got "
                    + states.size() + " states and " + tokens.length + " tokens");
        }
        checkIds(tokens);
        Map<DecoderState, Integer> adding = new java.util.IdentityHashMap<>();
        for (InferenceState s : states) {
            adding.merge(own(s), 1, Integer::sum);
        }
        for (Map.Entry<DecoderState, Integer> e : adding.entrySet()) {
            if (e.getKey().position() + e.getValue() > e.getKey().contextLength()) {
                throw new ContextOverflowException(e.getKey().position(), e.getValue(), e.getKey().contextLength());
            }
        }
        int vocab = config.vocabSize();
        float[] logits = new float[tokens.length * vocab];
        ForwardBuffers b = own(states.get(0)).buffers(Math.min(tokens.length, MAX_ROWS));
        for (int start = 0; start < tokens.length; start += b.rows) {
            int rows = Math.min(b.rows, tokens.length - start);
            Map<DecoderState, Integer> pending = new java.util.IdentityHashMap<>();
            for (int r = 0; r < rows; r++) {
                DecoderState s = own(states.get(start + r));
                int earlier = pending.merge(s, 1, Integer::sum) - 1;
                b.rowState[r] = s;
                b.rowPosition[r] = s.position() + earlier;
                b.rowToken[r] = tokens[start + r];
            }
            run(b, rows);
            pending.forEach(DecoderState::advance);
            allRowLogits(b, rows, logits, start * vocab);
        }
        return logits;
    }

    private DecoderState own(InferenceState s) {
        if (!(s instanceof DecoderState d) || d.model != this) {
            throw new IllegalArgumentException("the inference state was not created by this model (" + info.name() + ")");
        }
        ensureOpen();
        return d;
    }

    private void ensureOpen() {
        if (closed) {
            throw new NuriException("model " + info.name() + " is closed");
        }
    }

    private void checkIds(int[] tokens) {
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new NuriException("token id " + t + " is outside the vocabulary of " + info.name() + " (0.." + (config.vocabSize() - 1) + ")");
            }
        }
    }

    /** The transformer over {@code rows} rows of {@code b}; leaves the final residual stream in {@code b.x}. */
    private void run(ForwardBuffers b, int rows) {
        int hidden = config.hiddenSize();
        embed(b, rows);
        for (int l = 0; l < config.layers(); l++) {
            LayerWeights w = weights.layers().get(l);
            normRows(b.x, b.xb, rows, w.attentionNorm(), w.attentionNormBias());
            project(w.wq(), b.xb, rows, b.q, w.bq());
            project(w.wk(), b.xb, rows, b.k, w.bk());
            project(w.wv(), b.xb, rows, b.v, w.bv());
            positionQueriesAndKeys(b, rows, w);
            for (int r = 0; r < rows; r++) {
                KvCache cache = b.rowState[r].cache;
                int at = b.rowPosition[r] * config.kvDim();
                System.arraycopy(b.k, r * config.kvDim(), cache.keys(l), at, config.kvDim());
                System.arraycopy(b.v, r * config.kvDim(), cache.values(l), at, config.kvDim());
            }
            attention.run(b, rows, l, parallel);
            project(w.wo(), b.att, rows, b.proj, w.bo());
            if (w.postAttentionNorm() != null) {
                normRows(b.proj, b.proj, rows, w.postAttentionNorm(), null);
            }
            VectorMath.addInPlace(b.x, 0, b.proj, 0, rows * hidden);

            normRows(b.x, b.xb, rows, w.ffnNorm(), w.ffnNormBias());
            int ffn = config.ffnSize();
            if (w.wGate() != null) {
                project(w.wGate(), b.xb, rows, b.gate, w.bGate());
                project(w.wUp(), b.xb, rows, b.up, w.bUp());
                Activations.apply(config.activation(), b.gate, 0, rows * ffn);
                VectorMath.mulInPlace(b.gate, 0, b.up, 0, rows * ffn);
                project(w.wDown(), b.gate, rows, b.proj, w.bDown());
            } else {
                project(w.wUp(), b.xb, rows, b.up, w.bUp());
                Activations.apply(config.activation(), b.up, 0, rows * ffn);
                project(w.wDown(), b.up, rows, b.proj, w.bDown());
            }
            if (w.postFfnNorm() != null) {
                normRows(b.proj, b.proj, rows, w.postFfnNorm(), null);
            }
            VectorMath.addInPlace(b.x, 0, b.proj, 0, rows * hidden);
        }
    }

    private void embed(ForwardBuffers b, int rows) {
        int hidden = config.hiddenSize();
        for (int r = 0; r < rows; r++) {
            weights.tokenEmbedding().dequantizeRow(b.rowToken[r], b.x, r * hidden);
            if (config.embeddingScale() != 1f) {
                VectorMath.scale(b.x, r * hidden, hidden, config.embeddingScale());
            }
            if (weights.positionEmbedding() != null) {
                weights.positionEmbedding().dequantizeRow(b.rowPosition[r], b.xb, r * hidden);
                VectorMath.addInPlace(b.x, r * hidden, b.xb, r * hidden, hidden);
            }
        }
    }

    /** Qwen3's per-head q/k RMSNorm, then RoPE at each row's position. */
    private void positionQueriesAndKeys(ForwardBuffers b, int rows, LayerWeights w) {
        int headDim = config.headDim();
        if (config.qkNorm()) {
            for (int i = 0; i < rows * config.heads(); i++) {
                Norms.rmsNorm(b.q, i * headDim, b.q, i * headDim, headDim, w.queryNorm(), config.normEps(), false);
            }
            for (int i = 0; i < rows * config.kvHeads(); i++) {
                Norms.rmsNorm(b.k, i * headDim, b.k, i * headDim, headDim, w.keyNorm(), config.normEps(), false);
            }
        }
        if (config.positions() != DecoderConfig.Positions.LEARNED) {
            for (int r = 0; r < rows; r++) {
                Rope rope = b.rowState[r].rope;
                rope.apply(b.q, r * config.queryDim(), config.heads(), headDim, b.rowPosition[r]);
                rope.apply(b.k, r * config.kvDim(), config.kvHeads(), headDim, b.rowPosition[r]);
            }
        }
    }

    /** {@code out = W·in (+ bias)} for {@code rows} rows: a mat-vec for one row, else one mat-mat. */
    private void project(WeightMatrix w, float[] in, int rows, float[] out, float[] bias) {
        if (rows == 1) {
            w.matvec(in, out, parallel);
        } else {
            w.matmul(in, rows, out, parallel);
        }
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                VectorMath.addInPlace(out, r * w.rows(), bias, 0, w.rows());
            }
        }
    }

    private void normRows(float[] in, float[] out, int rows, float[] weight, float[] bias) {
        int n = config.hiddenSize();
        for (int r = 0; r < rows; r++) {
            norm(in, r * n, out, r * n, weight, bias);
        }
    }

    private void norm(float[] in, int inOff, float[] out, int outOff, float[] weight, float[] bias) {
        int n = config.hiddenSize();
        switch (config.norm()) {
            case RMS -> Norms.rmsNorm(out, outOff, in, inOff, n, weight, config.normEps(), false);
            case RMS_UNIT_OFFSET -> Norms.rmsNorm(out, outOff, in, inOff, n, weight, config.normEps(), true);
            case LAYER -> Norms.layerNorm(out, outOff, in, inOff, n, weight, bias, config.normEps());
        }
    }

    /** Logits of row {@code row} into {@code out[0, vocab)}. */
    private void rowLogits(ForwardBuffers b, int row, float[] out) {
        norm(b.x, row * config.hiddenSize(), b.lastHidden, 0, weights.finalNorm(), weights.finalNormBias());
        weights.output().matvec(b.lastHidden, out, parallel);
        if (config.finalSoftCap() > 0) {
            VectorMath.softCap(out, 0, config.vocabSize(), config.finalSoftCap());
        }
    }

    /** Logits of rows [0, rows) into {@code out} from {@code offset}, row after row. */
    private void allRowLogits(ForwardBuffers b, int rows, float[] out, int offset) {
        int vocab = config.vocabSize();
        if (rows == 1) {
            rowLogits(b, 0, b.logits(vocab));
        } else {
            normRows(b.x, b.xb, rows, weights.finalNorm(), weights.finalNormBias());
            weights.output().matmul(b.xb, rows, b.logits(vocab), parallel);
            if (config.finalSoftCap() > 0) {
                VectorMath.softCap(b.logits, 0, rows * vocab, config.finalSoftCap());
            }
        }
        System.arraycopy(b.logits, 0, out, offset, rows * vocab);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new NuriException("closing model " + info.name() + ": " + e.getMessage(), e);
            }
        }
    }
}
