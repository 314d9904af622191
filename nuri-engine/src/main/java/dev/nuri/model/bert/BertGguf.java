package dev.nuri.model.bert;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.tensor.Activations.Activation;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BERT from a GGUF file as llama.cpp's converter writes it: architecture {@code bert}, {@code bert.*} hyper-parameters,
 * tensors {@code token_embd}, {@code position_embd}, {@code token_types}, {@code token_embd_norm},
 * {@code blk.N.attn_q/k/v/output}, {@code attn_output_norm}, {@code ffn_up/down}, {@code layer_output_norm}.
 * The GELU is the exact (erf) one, as in the original model (llama.cpp computes the tanh approximation).
 */
public final class BertGguf {
    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private BertGguf() {
    }

    public static BertConfig config(GgufFile g) {
        String arch = g.architecture();
        if (!arch.equals("bert")) {
            throw new ModelFormatException(g.path() + ": architecture '" + arch + "' is not a BERT encoder");
        }
        if (!g.has("token_embd.weight")) {
            throw new ModelFormatException(g.path() + ": missing tensor 'token_embd.weight'");
        }
        int vocab = Math.toIntExact(g.tensor("token_embd.weight").dim(0));
        int types = g.has("token_types.weight") ? Math.toIntExact(g.tensor("token_types.weight").dim(0)) : 0;
        return new BertConfig(vocab, g.getInt("bert.embedding_length"), g.getInt("bert.block_count"),
                g.getInt("bert.attention.head_count"), g.getInt("bert.feed_forward_length"), g.getInt("bert.context_length"),
                types, g.getFloat("bert.attention.layer_norm_epsilon", 1e-12f), Activation.GELU_ERF);
    }

    public static BertModel load(GgufFile g, String name) {
        WeightLookup w = new WeightLookup(g.path().toString(), hf -> g.tensor(ggufName(hf)), hf -> g.has(ggufName(hf)));
        return BertModel.fromHfNames(name, config(g), w);
    }

    /** llama.cpp's tensor name for a Hugging Face BERT tensor name. */
    static String ggufName(String hf) {
        switch (hf) {
            case "embeddings.word_embeddings.weight": return "token_embd.weight";
            case "embeddings.position_embeddings.weight": return "position_embd.weight";
            case "embeddings.token_type_embeddings.weight": return "token_types.weight";
            case "embeddings.LayerNorm.weight": return "token_embd_norm.weight";
            case "embeddings.LayerNorm.bias": return "token_embd_norm.bias";
            default: break;
        }
        Matcher m = LAYER.matcher(hf);
        if (!m.matches()) {
            return hf;
        }
        String part = switch (m.group(2)) {
            case "attention.self.query" -> "attn_q";
            case "attention.self.key" -> "attn_k";
            case "attention.self.value" -> "attn_v";
            case "attention.output.dense" -> "attn_output";
            case "attention.output.LayerNorm" -> "attn_output_norm";
            case "intermediate.dense" -> "ffn_up";
            case "output.dense" -> "ffn_down";
            case "output.LayerNorm" -> "layer_output_norm";
            default -> m.group(2);
        };
        return "blk." + m.group(1) + "." + part + "." + m.group(3);
    }
}
