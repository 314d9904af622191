package dev.nuri.server;

import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.tensor.DType;
import dev.nuri.text.tokenizer.ByteLevelTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A tiny Llama-architecture Hugging Face folder with random weights, written in code so the server tests run
 * without any fixture: config.json, model.safetensors (F32), a byte-level tokenizer.json (256 byte tokens plus
 * ChatML's special tokens) and a ChatML chat template.
 */
final class TinyHfModel {
    static final int VOCAB = 260;
    static final int HIDDEN = 32;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int FFN = 64;
    static final int CONTEXT = 256;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TinyHfModel() {
    }

    /** Layer sizes of a generated model (the vocabulary is always the 260 byte-level tokens). */
    record Shape(int hidden, int layers, int heads, int kvHeads, int ffn, int context) {
    }

    static final Shape TINY = new Shape(HIDDEN, LAYERS, HEADS, KV_HEADS, FFN, CONTEXT);

    static Path write(Path dir, long seed) throws IOException {
        return write(dir, seed, TINY);
    }

    static Path write(Path dir, long seed, Shape shape) throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": %d, "hidden_size": %d,
                 "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d,
                 "intermediate_size": %d, "max_position_embeddings": %d, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                 "hidden_act": "silu", "tie_word_embeddings": false, "bos_token_id": 256, "eos_token_id": 259,
                 "torch_dtype": "float32"}
                """.formatted(VOCAB, shape.hidden(), shape.layers(), shape.heads(), shape.kvHeads(), shape.ffn(),
                shape.context()));
        writeTokenizer(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": "<|im_end|>", "add_bos_token": false}
                """);
        Files.writeString(dir.resolve("chat_template.jinja"), "{% for m in messages %}<|im_start|>{{ m.role }}\n"
                + "{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
        writeWeights(dir.resolve("model.safetensors"), seed, shape);
        return dir;
    }

    private static void writeTokenizer(Path dir) throws IOException {
        StringBuilder vocab = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            String ch = String.valueOf(ByteLevelTable.charOf(b));
            vocab.append(Http.JSON.writeValueAsString(ch)).append(':').append(b).append(',');
        }
        vocab.append("\"<s>\":256,\"</s>\":257,\"<|im_start|>\":258,\"<|im_end|>\":259");
        StringBuilder added = new StringBuilder();
        String[] specials = {"<s>", "</s>", "<|im_start|>", "<|im_end|>"};
        for (int i = 0; i < specials.length; i++) {
            added.append(i > 0 ? "," : "").append("{\"id\":").append(256 + i).append(",\"content\":\"").append(specials[i])
                    .append("\",\"special\":true,\"lstrip\":false,\"rstrip\":false,\"single_word\":false,\"normalized\":false}");
        }
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "added_tokens": [%s], "normalizer": null,
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                 "post_processor": null,
                 "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                 "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false,
                   "vocab": {%s}, "merges": []}}
                """.formatted(added, vocab));
    }

    private static void writeWeights(Path file, long seed, Shape shape) {
        Random rnd = new Random(seed);
        int hidden = shape.hidden();
        int kvDim = hidden / shape.heads() * shape.kvHeads();
        SafetensorsWriter w = new SafetensorsWriter();
        add(w, "model.embed_tokens.weight", rnd, VOCAB, hidden, 1f);
        for (int l = 0; l < shape.layers(); l++) {
            String p = "model.layers." + l + ".";
            add(w, p + "input_layernorm.weight", norm(rnd, hidden), hidden);
            add(w, p + "self_attn.q_proj.weight", rnd, hidden, hidden, 1f);
            add(w, p + "self_attn.k_proj.weight", rnd, kvDim, hidden, 1f);
            add(w, p + "self_attn.v_proj.weight", rnd, kvDim, hidden, 1f);
            add(w, p + "self_attn.o_proj.weight", rnd, hidden, hidden, 1f);
            add(w, p + "post_attention_layernorm.weight", norm(rnd, hidden), hidden);
            add(w, p + "mlp.gate_proj.weight", rnd, shape.ffn(), hidden, 1f);
            add(w, p + "mlp.up_proj.weight", rnd, shape.ffn(), hidden, 1f);
            add(w, p + "mlp.down_proj.weight", rnd, hidden, shape.ffn(), 1f);
        }
        add(w, "model.norm.weight", norm(rnd, hidden), hidden);
        add(w, "lm_head.weight", rnd, VOCAB, hidden, 4f);
        w.write(file);
    }

    private static float[] norm(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1f + (rnd.nextFloat() - 0.5f) * 0.2f;
        }
        return v;
    }

    private static void add(SafetensorsWriter w, String name, Random rnd, int rows, int cols, float gain) {
        float[] v = new float[rows * cols];
        float scale = gain / (float) Math.sqrt(cols);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * scale;
        }
        w.add(name, DType.F32, new long[] {rows, cols}, segment(v));
    }

    private static void add(SafetensorsWriter w, String name, float[] v, int n) {
        w.add(name, DType.F32, new long[] {n}, segment(v));
    }

    private static MemorySegment segment(float[] v) {
        MemorySegment seg = Arena.ofAuto().allocate((long) v.length * Float.BYTES, 64);
        for (int i = 0; i < v.length; i++) {
            seg.setAtIndex(F32_LE, i, v[i]);
        }
        return seg;
    }
}
