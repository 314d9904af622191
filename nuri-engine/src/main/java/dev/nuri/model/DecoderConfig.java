package dev.nuri.model;

import dev.nuri.tensor.Activations.Activation;
import java.util.Set;

/**
 * The shape and the architecture switches of a decoder-only transformer. One configurable forward pass
 * ({@link DecoderModel}) covers Llama 1/2/3, Mistral, Qwen2/2.5, Qwen3, Gemma 2, Phi-3 and GPT-2; the loaders
 * ({@link HfDecoderLoader}, {@link GgufDecoderLoader}) translate each architecture's settings into these switches.
 *
 * @param architecture      a display name such as "llama", "qwen2", "gemma2", "gpt2"
 * @param vocabSize         rows of the embedding and logits per token
 * @param hiddenSize        width of the residual stream
 * @param layers            transformer blocks
 * @param heads             query heads
 * @param kvHeads           key/value heads (GQA: fewer than {@code heads}; MQA: 1)
 * @param headDim           values per head (Qwen3 and Gemma may differ from hiddenSize/heads)
 * @param ffnSize           width of the feed-forward layer
 * @param contextLength     the longest sequence the model supports
 * @param norm              RMSNorm, RMSNorm with (1 + w) (Gemma), or LayerNorm with bias (GPT-2)
 * @param normEps           epsilon of every norm
 * @param activation        the feed-forward activation
 * @param gatedFfn          down(act(gate(x)) · up(x)) (SwiGLU/GeGLU) rather than down(act(up(x)))
 * @param positions         rotary (adjacent pairs or NeoX halves) or learned absolute positions (GPT-2)
 * @param rotaryDim         values of each head that RoPE rotates (Phi-3 partial rotary: fewer than headDim)
 * @param ropeTheta         RoPE base
 * @param ropeScaling       RoPE frequency scaling
 * @param attentionScale    multiplies q·k (1/sqrt(headDim), or Gemma 2's query_pre_attn_scalar^-0.5)
 * @param attentionSoftCap  Gemma 2's attention logit soft-cap, 0 for none
 * @param finalSoftCap      Gemma 2's final logit soft-cap, 0 for none
 * @param slidingWindow     the window of sliding-window layers (a query at p sees keys j with p - j &lt; window)
 * @param slidingLayers     which layers use the sliding window (empty: none)
 * @param embeddingScale    multiplies token embeddings (Gemma: sqrt(hiddenSize) in the activation dtype; else 1)
 * @param sandwichNorms     Gemma 2's extra norms after attention and after the feed-forward layer
 * @param qkNorm            Qwen3's per-head RMSNorm on queries and keys before RoPE
 * @param attentionBias     q, k, v projections have biases (Qwen2, GPT-2)
 * @param outputBias        the attention output projection has a bias (GPT-2)
 * @param mlpBias           the feed-forward projections have biases (GPT-2)
 * @param tiedEmbeddings    the output projection is the token embedding
 * @param bosId             beginning-of-sequence id, -1 if none
 * @param eosIds            ids that end generation
 */
public record DecoderConfig(
        String architecture,
        int vocabSize, int hiddenSize, int layers, int heads, int kvHeads, int headDim, int ffnSize, int contextLength,
        NormType norm, float normEps,
        Activation activation, boolean gatedFfn,
        Positions positions, int rotaryDim, double ropeTheta, RopeScaling ropeScaling,
        float attentionScale, float attentionSoftCap, float finalSoftCap,
        int slidingWindow, Set<Integer> slidingLayers,
        float embeddingScale, boolean sandwichNorms, boolean qkNorm,
        boolean attentionBias, boolean outputBias, boolean mlpBias,
        boolean tiedEmbeddings, int bosId, Set<Integer> eosIds) {

    public enum NormType { RMS, RMS_UNIT_OFFSET, LAYER }

    public enum Positions { ROPE_NORMAL, ROPE_NEOX, LEARNED }

    public DecoderConfig {
        String where = "model config (" + architecture + "): ";
        positive(where, "vocab size", vocabSize);
        positive(where, "hidden size", hiddenSize);
        positive(where, "layer count", layers);
        positive(where, "attention head count", heads);
        positive(where, "key/value head count", kvHeads);
        positive(where, "head dim", headDim);
        positive(where, "feed-forward size", ffnSize);
        positive(where, "context length", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(where + heads + " attention heads are not a multiple of " + kvHeads + " key/value heads");
        }
        if (norm == null || activation == null || positions == null) {
            throw new IllegalArgumentException(where + "norm type, activation and position encoding are required");
        }
        if (!(normEps > 0)) {
            throw new IllegalArgumentException(where + "norm epsilon must be positive, got " + normEps);
        }
        if (positions != Positions.LEARNED) {
            if (rotaryDim <= 0 || rotaryDim > headDim || rotaryDim % 2 != 0) {
                throw new IllegalArgumentException(where + "rotary dim must be even and in 1.." + headDim + ", got " + rotaryDim);
            }
            if (!(ropeTheta > 0)) {
                throw new IllegalArgumentException(where + "RoPE theta must be positive, got " + ropeTheta);
            }
        }
        ropeScaling = ropeScaling == null ? RopeScaling.NONE : ropeScaling;
        if (!(attentionScale > 0)) {
            throw new IllegalArgumentException(where + "attention scale must be positive, got " + attentionScale);
        }
        if (attentionSoftCap < 0 || finalSoftCap < 0) {
            throw new IllegalArgumentException(where + "soft-caps must be positive or 0 (none)");
        }
        slidingLayers = Set.copyOf(slidingLayers);
        if (!slidingLayers.isEmpty() && slidingWindow <= 0) {
            throw new IllegalArgumentException(where + "sliding-window layers " + slidingLayers + " need a positive sliding window");
        }
        for (int l : slidingLayers) {
            if (l < 0 || l >= layers) {
                throw new IllegalArgumentException(where + "sliding-window layer " + l + " is outside 0.." + (layers - 1));
            }
        }
        if (!(embeddingScale > 0)) {
            throw new IllegalArgumentException(where + "embedding scale must be positive, got " + embeddingScale);
        }
        if (bosId >= vocabSize) {
            throw new IllegalArgumentException(where + "BOS id " + bosId + " is outside the vocabulary of " + vocabSize);
        }
        eosIds = Set.copyOf(eosIds);
    }

    private static void positive(String where, String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(where + what + " must be positive, got " + value);
        }
    }

    public int queryDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /**
     * This config with another attention logit soft-cap (0: none). transformers' SDPA and flash attention paths
     * skip Gemma 2's attention soft-cap (only its eager path applies it); this reproduces their numbers.
     */
    public DecoderConfig withAttentionSoftCap(float cap) {
        return new DecoderConfig(architecture, vocabSize, hiddenSize, layers, heads, kvHeads, headDim, ffnSize, contextLength,
                norm, normEps, activation, gatedFfn, positions, rotaryDim, ropeTheta, ropeScaling, attentionScale, cap,
                finalSoftCap, slidingWindow, slidingLayers, embeddingScale, sandwichNorms, qkNorm, attentionBias, outputBias,
                mlpBias, tiedEmbeddings, bosId, eosIds);
    }

    public boolean isSliding(int layer) {
        return slidingLayers.contains(layer);
    }

    /** A builder with Llama's defaults: RMSNorm, SwiGLU, NeoX RoPE over the whole head, no biases, untied. */
    public static Builder builder(String architecture) {
        return new Builder(architecture);
    }

    /** Fills a {@link DecoderConfig} field by field; {@link #build()} validates. */
    public static final class Builder {
        private final String architecture;
        private int vocabSize, hiddenSize, layers, heads, kvHeads, headDim, ffnSize, contextLength;
        private NormType norm = NormType.RMS;
        private float normEps = 1e-5f;
        private Activation activation = Activation.SILU;
        private boolean gatedFfn = true;
        private Positions positions = Positions.ROPE_NEOX;
        private int rotaryDim = -1;
        private double ropeTheta = 10000;
        private RopeScaling ropeScaling = RopeScaling.NONE;
        private float attentionScale = -1, attentionSoftCap, finalSoftCap;
        private int slidingWindow;
        private Set<Integer> slidingLayers = Set.of();
        private float embeddingScale = 1;
        private boolean sandwichNorms, qkNorm, attentionBias, outputBias, mlpBias, tiedEmbeddings;
        private int bosId = -1;
        private Set<Integer> eosIds = Set.of();

        private Builder(String architecture) {
            this.architecture = architecture;
        }

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder kvHeads(int v) { kvHeads = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder ffnSize(int v) { ffnSize = v; return this; }
        public Builder contextLength(int v) { contextLength = v; return this; }
        public Builder norm(NormType v) { norm = v; return this; }
        public Builder normEps(float v) { normEps = v; return this; }
        public Builder activation(Activation v) { activation = v; return this; }
        public Builder gatedFfn(boolean v) { gatedFfn = v; return this; }
        public Builder positions(Positions v) { positions = v; return this; }
        public Builder rotaryDim(int v) { rotaryDim = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder attentionScale(float v) { attentionScale = v; return this; }
        public Builder attentionSoftCap(float v) { attentionSoftCap = v; return this; }
        public Builder finalSoftCap(float v) { finalSoftCap = v; return this; }
        public Builder slidingWindow(int window, Set<Integer> layerSet) { slidingWindow = window; slidingLayers = layerSet; return this; }
        public Builder embeddingScale(float v) { embeddingScale = v; return this; }
        public Builder sandwichNorms(boolean v) { sandwichNorms = v; return this; }
        public Builder qkNorm(boolean v) { qkNorm = v; return this; }
        public Builder attentionBias(boolean v) { attentionBias = v; return this; }
        public Builder outputBias(boolean v) { outputBias = v; return this; }
        public Builder mlpBias(boolean v) { mlpBias = v; return this; }
        public Builder tiedEmbeddings(boolean v) { tiedEmbeddings = v; return this; }
        public Builder bosId(int v) { bosId = v; return this; }
        public Builder eosIds(Set<Integer> v) { eosIds = v; return this; }

        /** Head dim defaults to hiddenSize/heads, kv heads to heads, rotary dim to headDim, attention scale to headDim^-0.5. */
        public DecoderConfig build() {
            int kv = kvHeads > 0 ? kvHeads : heads;
            int hd = headDim > 0 ? headDim : (heads > 0 ? hiddenSize / heads : 0);
            int rot = rotaryDim > 0 ? rotaryDim : hd;
            float scale = attentionScale > 0 ? attentionScale : (float) (1.0 / Math.sqrt(Math.max(1, hd)));
            return new DecoderConfig(architecture, vocabSize, hiddenSize, layers, heads, kv, hd, ffnSize, contextLength,
                    norm, normEps, activation, gatedFfn, positions, rot, ropeTheta, ropeScaling, scale, attentionSoftCap,
                    finalSoftCap, slidingWindow, slidingLayers, embeddingScale, sandwichNorms, qkNorm, attentionBias, outputBias,
                    mlpBias, tiedEmbeddings, bosId, eosIds);
        }
    }
}
