package dev.nuri.train.model;

import dev.nuri.NuriException;
import dev.nuri.tensor.Parallel;
import dev.nuri.train.ops.Activations;
import dev.nuri.train.ops.CausalAttention;
import dev.nuri.train.ops.CrossEntropy;
import dev.nuri.train.ops.Embedding;
import dev.nuri.train.ops.Linear;
import dev.nuri.train.ops.RmsNorm;
import dev.nuri.train.ops.Rope;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A Llama-architecture decoder (Touvron et al. 2023: RMSNorm, RoPE, grouped-query attention, SwiGLU MLP) written
 * as explicit forward and backward passes over saved activations, in the style of llm.c. Parameters carry
 * Hugging Face names, so a checkpoint is a standard {@code LlamaForCausalLM} folder.
 *
 * <p>Activation buffers are sized for one (batch, seq) shape, allocated on first use and reused.
 */
public final class TrainableLlama {
    private final LlamaShape shape;
    private final Parameters params;
    private final Parallel par;
    private final Layer[] layers;
    private final int embed;
    private final int finalNorm;
    private final int lmHead;

    private Buffers buf;

    /** Parameter offsets of one decoder layer. */
    private record Layer(int attnNorm, int wq, int wk, int wv, int wo, int mlpNorm, int wGate, int wUp, int wDown) {
    }

    public TrainableLlama(LlamaShape shape, Parallel par) {
        this.shape = shape;
        this.par = par;
        this.params = parametersFor(shape);
        this.layers = new Layer[shape.layers()];
        for (int l = 0; l < shape.layers(); l++) {
            String p = "model.layers." + l + ".";
            layers[l] = new Layer(params.offset(p + "input_layernorm.weight"), params.offset(p + "self_attn.q_proj.weight"),
                    params.offset(p + "self_attn.k_proj.weight"), params.offset(p + "self_attn.v_proj.weight"),
                    params.offset(p + "self_attn.o_proj.weight"), params.offset(p + "post_attention_layernorm.weight"),
                    params.offset(p + "mlp.gate_proj.weight"), params.offset(p + "mlp.up_proj.weight"),
                    params.offset(p + "mlp.down_proj.weight"));
        }
        this.embed = params.offset("model.embed_tokens.weight");
        this.finalNorm = params.offset("model.norm.weight");
        this.lmHead = shape.tieEmbeddings() ? embed : params.offset("lm_head.weight");
    }

    /** The parameter list of a {@code LlamaForCausalLM} with these sizes, in transformers' order. */
    public static Parameters parametersFor(LlamaShape s) {
        int d = s.hiddenSize();
        Parameters.Builder b = new Parameters.Builder();
        b.add("model.embed_tokens.weight", s.vocabSize(), d);
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            b.add(p + "self_attn.q_proj.weight", s.qDim(), d);
            b.add(p + "self_attn.k_proj.weight", s.kvDim(), d);
            b.add(p + "self_attn.v_proj.weight", s.kvDim(), d);
            b.add(p + "self_attn.o_proj.weight", d, s.qDim());
            b.add(p + "mlp.gate_proj.weight", s.intermediateSize(), d);
            b.add(p + "mlp.up_proj.weight", s.intermediateSize(), d);
            b.add(p + "mlp.down_proj.weight", d, s.intermediateSize());
            b.add(p + "input_layernorm.weight", d);
            b.add(p + "post_attention_layernorm.weight", d);
        }
        b.add("model.norm.weight", d);
        if (!s.tieEmbeddings()) {
            b.add("lm_head.weight", s.vocabSize(), d);
        }
        return b.build();
    }

    /**
     * Initializes weights as transformers' {@code LlamaPreTrainedModel} does: normal(0, {@code std}) for matrices
     * and embeddings, ones for norms. Deterministic given the seed.
     */
    public void initialize(long seed, double std) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = params.values();
        for (Parameters.Param p : params.list()) {
            for (int i = p.offset(); i < p.offset() + p.size(); i++) {
                v[i] = p.isVector() ? 1f : (float) (gaussian(rnd) * std);
            }
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    public LlamaShape shape() {
        return shape;
    }

    public Parameters parameters() {
        return params;
    }

    /** Saved activations and scratch for one (batch, seq) shape. */
    private static final class Buffers {
        final int batch, seq, n;
        final float[][] resid, ln1, rstd1, q, k, v, att, attOut, residMid, ln2, rstd2, gate, up, act;
        final float[] lnf, rstdf, logits, losses, tmp, wt, dResid, dLn, dq, dk, dv, dAttOut, dAct, dGate, dUp;
        final Rope rope;

        Buffers(LlamaShape s, int batch, int seq) {
            this.batch = batch;
            this.seq = seq;
            this.n = batch * seq;
            int layers = s.layers(), d = s.hiddenSize(), f = s.intermediateSize();
            resid = new float[layers + 1][n * d];
            ln1 = new float[layers][n * d];
            rstd1 = new float[layers][n];
            q = new float[layers][n * s.qDim()];
            k = new float[layers][n * s.kvDim()];
            v = new float[layers][n * s.kvDim()];
            att = new float[layers][batch * s.heads() * seq * seq];
            attOut = new float[layers][n * s.qDim()];
            residMid = new float[layers][n * d];
            ln2 = new float[layers][n * d];
            rstd2 = new float[layers][n];
            gate = new float[layers][n * f];
            up = new float[layers][n * f];
            act = new float[layers][n * f];
            lnf = new float[n * d];
            rstdf = new float[n];
            logits = new float[n * s.vocabSize()];
            losses = new float[n];
            tmp = new float[n * d];
            int widest = Math.max(s.vocabSize(), Math.max(f, Math.max(s.qDim(), d)));
            wt = new float[widest * Math.max(d, Math.max(f, s.qDim()))];
            dResid = new float[n * d];
            dLn = new float[n * d];
            dq = new float[n * s.qDim()];
            dk = new float[n * s.kvDim()];
            dv = new float[n * s.kvDim()];
            dAttOut = new float[n * s.qDim()];
            dAct = new float[n * f];
            dGate = new float[n * f];
            dUp = new float[n * f];
            rope = new Rope(s.headDim(), seq, s.ropeTheta());
        }
    }

    private Buffers buffers(int batch, int seq) {
        if (seq > shape.maxPositions()) {
            throw new NuriException("sequence length " + seq + " exceeds max_position_embeddings " + shape.maxPositions());
        }
        if (buf == null || buf.batch != batch || buf.seq != seq) {
            buf = null;
            buf = new Buffers(shape, batch, seq);
        }
        return buf;
    }

    /**
     * Runs the forward pass over {@code ids [batch*seq]} and returns the logits {@code [batch*seq, vocab]} (a view of
     * an internal buffer, valid until the next call).
     */
    public float[] forward(int[] ids, int batch, int seq) {
        if (ids.length != batch * seq) {
            throw new IllegalArgumentException("expected " + batch * seq + " token ids, got " + ids.length);
        }
        Buffers b = buffers(batch, seq);
        int n = b.n, d = shape.hiddenSize(), f = shape.intermediateSize(), qd = shape.qDim(), kvd = shape.kvDim();
        float[] w = params.values();
        Embedding.forward(b.resid[0], ids, w, embed, shape.vocabSize(), d);
        for (int l = 0; l < shape.layers(); l++) {
            Layer ly = layers[l];
            float[] x = b.resid[l];
            RmsNorm.forward(b.ln1[l], b.rstd1[l], x, w, ly.attnNorm(), n, d, shape.rmsNormEps(), par);
            Linear.forward(b.q[l], b.ln1[l], w, ly.wq(), b.wt, n, d, qd, par);
            Linear.forward(b.k[l], b.ln1[l], w, ly.wk(), b.wt, n, d, kvd, par);
            Linear.forward(b.v[l], b.ln1[l], w, ly.wv(), b.wt, n, d, kvd, par);
            b.rope.forward(b.q[l], n, shape.heads());
            b.rope.forward(b.k[l], n, shape.kvHeads());
            CausalAttention.forward(b.attOut[l], b.att[l], b.q[l], b.k[l], b.v[l], batch, seq, shape.heads(),
                    shape.kvHeads(), shape.headDim(), par);
            Linear.forward(b.tmp, b.attOut[l], w, ly.wo(), b.wt, n, qd, d, par);
            Activations.add(b.residMid[l], x, b.tmp, n * d);
            RmsNorm.forward(b.ln2[l], b.rstd2[l], b.residMid[l], w, ly.mlpNorm(), n, d, shape.rmsNormEps(), par);
            Linear.forward(b.gate[l], b.ln2[l], w, ly.wGate(), b.wt, n, d, f, par);
            Linear.forward(b.up[l], b.ln2[l], w, ly.wUp(), b.wt, n, d, f, par);
            Activations.swigluForward(b.act[l], b.gate[l], b.up[l], n * f, par);
            Linear.forward(b.tmp, b.act[l], w, ly.wDown(), b.wt, n, f, d, par);
            Activations.add(b.resid[l + 1], b.residMid[l], b.tmp, n * d);
        }
        RmsNorm.forward(b.lnf, b.rstdf, b.resid[shape.layers()], w, finalNorm, n, d, shape.rmsNormEps(), par);
        Linear.forward(b.logits, b.lnf, w, lmHead, b.wt, n, d, shape.vocabSize(), par);
        return b.logits;
    }

    /**
     * One forward and backward pass: returns the summed cross-entropy over counted targets and adds
     * {@code gradScale ×} its gradient to {@link Parameters#grads()}. {@code targets[i]} is the token expected after
     * {@code ids[i]} ({@link CrossEntropy#IGNORE} to skip). For the mean loss pass {@code gradScale = 1/counted}.
     */
    public double forwardBackward(int[] ids, int[] targets, int batch, int seq, float gradScale) {
        if (targets.length != ids.length) {
            throw new IllegalArgumentException("expected " + ids.length + " targets, got " + targets.length);
        }
        forward(ids, batch, seq);
        Buffers b = buf;
        double loss = CrossEntropy.forwardBackward(b.logits, targets, b.losses, b.n, shape.vocabSize(), gradScale, par);
        backward(ids, b);
        return loss;
    }

    /** The summed cross-entropy over counted targets, without gradients. */
    public double loss(int[] ids, int[] targets, int batch, int seq) {
        forward(ids, batch, seq);
        return CrossEntropy.forwardBackward(buf.logits, targets, buf.losses, buf.n, shape.vocabSize(), 0f, par);
    }

    private void backward(int[] ids, Buffers b) {
        int n = b.n, d = shape.hiddenSize(), f = shape.intermediateSize(), qd = shape.qDim(), kvd = shape.kvDim();
        float[] w = params.values();
        float[] g = params.grads();
        Linear.backward(b.dLn, false, g, lmHead, b.logits, b.lnf, w, lmHead, n, d, shape.vocabSize(), par);
        Arrays.fill(b.dResid, 0f);
        RmsNorm.backward(b.dResid, g, finalNorm, b.dLn, b.resid[shape.layers()], w, finalNorm, b.rstdf, n, d, par);
        for (int l = shape.layers() - 1; l >= 0; l--) {
            Layer ly = layers[l];
            Linear.backward(b.dAct, false, g, ly.wDown(), b.dResid, b.act[l], w, ly.wDown(), n, f, d, par);
            Activations.swigluBackward(b.dGate, b.dUp, b.dAct, b.gate[l], b.up[l], n * f, par);
            Linear.backward(b.dLn, false, g, ly.wGate(), b.dGate, b.ln2[l], w, ly.wGate(), n, d, f, par);
            Linear.backward(b.dLn, true, g, ly.wUp(), b.dUp, b.ln2[l], w, ly.wUp(), n, d, f, par);
            RmsNorm.backward(b.dResid, g, ly.mlpNorm(), b.dLn, b.residMid[l], w, ly.mlpNorm(), b.rstd2[l], n, d, par);
            Linear.backward(b.dAttOut, false, g, ly.wo(), b.dResid, b.attOut[l], w, ly.wo(), n, qd, d, par);
            CausalAttention.backward(b.dq, b.dk, b.dv, b.dAttOut, b.att[l], b.q[l], b.k[l], b.v[l], b.batch, b.seq,
                    shape.heads(), shape.kvHeads(), shape.headDim(), par);
            b.rope.backward(b.dq, n, shape.heads());
            b.rope.backward(b.dk, n, shape.kvHeads());
            Linear.backward(b.dLn, false, g, ly.wq(), b.dq, b.ln1[l], w, ly.wq(), n, d, qd, par);
            Linear.backward(b.dLn, true, g, ly.wk(), b.dk, b.ln1[l], w, ly.wk(), n, d, kvd, par);
            Linear.backward(b.dLn, true, g, ly.wv(), b.dv, b.ln1[l], w, ly.wv(), n, d, kvd, par);
            RmsNorm.backward(b.dResid, g, ly.attnNorm(), b.dLn, b.resid[l], w, ly.attnNorm(), b.rstd1[l], n, d, par);
        }
        Embedding.backward(g, embed, b.dResid, ids, d, par);
    }

    /**
     * Hugging Face's causal-LM label shift: the target of position {@code t} is {@code labels[t+1]} within the same
     * row; the last position of each row has no target.
     */
    public static int[] shiftLabels(int[] labels, int batch, int seq) {
        int[] t = new int[labels.length];
        for (int r = 0; r < batch; r++) {
            for (int i = 0; i < seq; i++) {
                t[r * seq + i] = i + 1 < seq ? labels[r * seq + i + 1] : CrossEntropy.IGNORE;
            }
        }
        return t;
    }
}
