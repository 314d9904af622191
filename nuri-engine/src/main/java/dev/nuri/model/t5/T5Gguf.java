package dev.nuri.model.t5;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.model.bert.WeightLookup;
import dev.nuri.tensor.Activations.Activation;
import dev.nuri.tensor.Parallel;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * T5 from a GGUF file as llama.cpp's converter writes it: architecture {@code t5}, {@code t5.*} hyper-parameters,
 * tensors {@code token_embd}, {@code output} (absent when tied), {@code enc.blk.N.*}, {@code dec.blk.N.*}
 * ({@code attn_q/k/v/o}, {@code attn_rel_b} in block 0, {@code cross_attn_*}, {@code ffn_gate/up/down}),
 * {@code enc.output_norm}, {@code dec.output_norm}. A gated FFN ({@code ffn_gate} present) uses the tanh GELU
 * (T5 v1.1 / FLAN-T5), otherwise ReLU (original T5). GGUF has no maximum distance key: 128, as in every T5.
 * A tied head gets the {@code d_model^-0.5} rescale, as Hugging Face applies it for tied T5 checkpoints.
 */
public final class T5Gguf {
    private static final Pattern BLOCK = Pattern.compile("(encoder|decoder)\\.block\\.(\\d+)\\.layer\\.(\\d)\\.(.+)\\.weight");

    private T5Gguf() {
    }

    public static T5Config config(GgufFile g) {
        String arch = g.architecture();
        if (!arch.equals("t5")) {
            throw new ModelFormatException(g.path() + ": architecture '" + arch + "' is not T5"
                    + (arch.equals("t5encoder") ? " (an encoder-only T5 cannot generate)" : ""));
        }
        if (!g.has("token_embd.weight")) {
            throw new ModelFormatException(g.path() + ": missing tensor 'token_embd.weight'");
        }
        int vocab = Math.toIntExact(g.tensor("token_embd.weight").dim(0));
        boolean gated = g.has("enc.blk.0.ffn_gate.weight");
        boolean tied = !g.has("output.weight");
        int layers = g.getInt("t5.block_count");
        float eps = g.findFloat("t5.attention.layer_norm_rms_epsilon").orElseGet(() -> g.getFloat("t5.attention.layer_norm_epsilon", 1e-6f));
        int heads = g.getInt("t5.attention.head_count");
        int dModel = g.getInt("t5.embedding_length");
        return new T5Config(vocab, dModel, g.getInt("t5.attention.key_length", dModel / heads), g.getInt("t5.feed_forward_length"),
                heads, layers, g.getInt("t5.decoder_block_count", layers), g.getInt("t5.attention.relative_buckets_count", 32), 128,
                eps, gated, gated ? Activation.GELU_TANH : Activation.RELU, tied, tied,
                g.getInt("t5.decoder_start_token_id", g.getInt("tokenizer.ggml.padding_token_id", 0)),
                g.getInt("tokenizer.ggml.eos_token_id", 1), g.getInt("tokenizer.ggml.padding_token_id", 0),
                g.getInt("t5.context_length", 512));
    }

    public static T5Model load(GgufFile g, String name, Parallel parallel) {
        WeightLookup w = new WeightLookup(g.path().toString(), hf -> g.tensor(ggufName(hf)), hf -> g.has(ggufName(hf)));
        return T5Model.fromHfNames(name, config(g), w, parallel);
    }

    /** llama.cpp's tensor name for a Hugging Face T5 tensor name. */
    static String ggufName(String hf) {
        switch (hf) {
            case "shared.weight": return "token_embd.weight";
            case "lm_head.weight": return "output.weight";
            case "encoder.final_layer_norm.weight": return "enc.output_norm.weight";
            case "decoder.final_layer_norm.weight": return "dec.output_norm.weight";
            default: break;
        }
        Matcher m = BLOCK.matcher(hf);
        if (!m.matches()) {
            return hf;
        }
        boolean enc = m.group(1).equals("encoder");
        int sub = Integer.parseInt(m.group(3));
        String rest = m.group(4);
        String part;
        if (rest.equals("layer_norm")) {
            part = sub == 0 ? "attn_norm" : (!enc && sub == 1 ? "cross_attn_norm" : "ffn_norm");
        } else if (rest.startsWith("SelfAttention.")) {
            String p = rest.substring("SelfAttention.".length());
            part = p.equals("relative_attention_bias") ? "attn_rel_b" : "attn_" + p;
        } else if (rest.startsWith("EncDecAttention.")) {
            part = "cross_attn_" + rest.substring("EncDecAttention.".length());
        } else if (rest.startsWith("DenseReluDense.")) {
            part = switch (rest.substring("DenseReluDense.".length())) {
                case "wi_0" -> "ffn_gate";
                case "wi_1", "wi" -> "ffn_up";
                case "wo" -> "ffn_down";
                default -> rest;
            };
        } else {
            part = rest;
        }
        return (enc ? "enc" : "dec") + ".blk." + m.group(2) + "." + part + ".weight";
    }
}
