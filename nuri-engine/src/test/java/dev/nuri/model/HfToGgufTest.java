package dev.nuri.model;

import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.gguf.GgufWriter;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.tensor.WeightMatrix;
import dev.nuri.testkit.Fixtures;
import dev.nuri.testkit.ReferenceJson;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GGUF path of every architecture, checked against transformers: each Hugging Face fixture is converted to GGUF
 * here the way llama.cpp's convert_hf_to_gguf.py does it (its tensor names and metadata keys; Llama q/k rows
 * permuted for the interleaved RoPE layout; Gemma norm weights stored as 1 + w; GPT-2 Conv1D weights transposed),
 * then loaded by {@link ModelLoader} and compared with the fixture's reference logits.
 */
class HfToGgufTest {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "mistral-tiny", "qwen2-tiny", "qwen3-tiny", "gemma2-tiny", "phi3-tiny", "gpt2-tiny"})
    void convertedFixtureGivesTransformersLogits(String fixture) throws IOException {
        Path dir = Fixtures.require("hf/" + fixture);
        DecoderConfig c = HfDecoderLoader.readConfig(dir);
        Path gguf = tmp.resolve(fixture + ".gguf");
        try (TensorSource hf = TensorSources.open(dir)) {
            convert(c, hf, gguf);
        }
        JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (LoadedModel loaded = ModelLoader.load(gguf, Parallel.serial());
             SafetensorsFile expected = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
            LanguageModel model = loaded.model();
            float worst = 0;
            for (int k = 0; k < reference.get("prompts").size(); k++) {
                int[] ids = ReferenceJson.ints(reference.get("prompts").get(k).get("input_ids"));
                float[] got = model.forward(model.newState(64), ids, true);
                worst = Math.max(worst, HfFixtureTest.maxAbsDiff(WeightMatrix.of(expected.tensor("p" + k + ".logits")).toFloatArray(), got));
            }
            System.out.printf("%s via GGUF: max |logit - transformers| = %.3g%n", fixture, worst);
            assertTrue(worst <= 1e-4f, fixture + " via GGUF: logits differ by " + worst);
        }
    }

    private void convert(DecoderConfig c, TensorSource hf, Path out) {
        String arch = switch (c.architecture()) {
            case "mistral" -> "llama";
            default -> c.architecture();
        };
        String k = arch + ".";
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", arch)
                .putUInt32(k + "context_length", c.contextLength())
                .putUInt32(k + "embedding_length", c.hiddenSize())
                .putUInt32(k + "block_count", c.layers())
                .putUInt32(k + "feed_forward_length", c.ffnSize())
                .putUInt32(k + "attention.head_count", c.heads())
                .putUInt32(k + "attention.head_count_kv", c.kvHeads())
                .putUInt32("tokenizer.ggml.bos_token_id", Math.max(0, c.bosId()))
                .putUInt32("tokenizer.ggml.eos_token_id", c.eosIds().iterator().next());
        if (arch.equals("gpt2")) {
            w.putFloat32(k + "attention.layer_norm_epsilon", c.normEps());
            gpt2Tensors(c, hf, w);
        } else {
            w.putFloat32(k + "attention.layer_norm_rms_epsilon", c.normEps())
                    .putFloat32(k + "rope.freq_base", (float) c.ropeTheta())
                    .putUInt32(k + "attention.key_length", c.headDim())
                    .putUInt32(k + "attention.value_length", c.headDim())
                    .putUInt32(k + "rope.dimension_count", c.rotaryDim());
            if (arch.equals("gemma2")) {
                // the reference was computed without the attention soft-cap (see HfFixtureTest), so it is left out here
                w.putFloat32(k + "final_logit_softcapping", c.finalSoftCap()).putUInt32(k + "attention.sliding_window", c.slidingWindow());
            }
            ropeTensors(c, arch, hf, w);
        }
        w.write(out);
    }

    private void ropeTensors(DecoderConfig c, String arch, TensorSource hf, GgufWriter w) {
        boolean gemma = arch.equals("gemma2");
        copy(hf, w, "model.embed_tokens.weight", "token_embd.weight", false);
        copy(hf, w, "model.norm.weight", "output_norm.weight", gemma);
        if (!c.tiedEmbeddings()) {
            copy(hf, w, "lm_head.weight", "output.weight", false);
        }
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            String b = "blk." + i + ".";
            copy(hf, w, p + "input_layernorm.weight", b + "attn_norm.weight", gemma);
            if (arch.equals("phi3")) {
                copy(hf, w, p + "self_attn.qkv_proj.weight", b + "attn_qkv.weight", false);
                copy(hf, w, p + "mlp.gate_up_proj.weight", b + "ffn_up.weight", false);
            } else {
                if (arch.equals("llama")) { // llama.cpp's LlamaModel.permute: rotate_half pairs → adjacent pairs
                    put(w, b + "attn_q.weight", permute(floats(hf, p + "self_attn.q_proj.weight"), c.heads(), c.headDim(), c.hiddenSize()), c.queryDim(), c.hiddenSize());
                    put(w, b + "attn_k.weight", permute(floats(hf, p + "self_attn.k_proj.weight"), c.kvHeads(), c.headDim(), c.hiddenSize()), c.kvDim(), c.hiddenSize());
                } else {
                    copy(hf, w, p + "self_attn.q_proj.weight", b + "attn_q.weight", false);
                    copy(hf, w, p + "self_attn.k_proj.weight", b + "attn_k.weight", false);
                }
                copy(hf, w, p + "self_attn.v_proj.weight", b + "attn_v.weight", false);
                copy(hf, w, p + "mlp.gate_proj.weight", b + "ffn_gate.weight", false);
                copy(hf, w, p + "mlp.up_proj.weight", b + "ffn_up.weight", false);
            }
            if (arch.equals("qwen2")) {
                for (String m : new String[] {"q", "k", "v"}) {
                    copy(hf, w, p + "self_attn." + m + "_proj.bias", b + "attn_" + m + ".bias", false);
                }
            }
            if (arch.equals("qwen3")) {
                copy(hf, w, p + "self_attn.q_norm.weight", b + "attn_q_norm.weight", false);
                copy(hf, w, p + "self_attn.k_norm.weight", b + "attn_k_norm.weight", false);
            }
            copy(hf, w, p + "self_attn.o_proj.weight", b + "attn_output.weight", false);
            copy(hf, w, p + "mlp.down_proj.weight", b + "ffn_down.weight", false);
            if (gemma) {
                copy(hf, w, p + "post_attention_layernorm.weight", b + "post_attention_norm.weight", true);
                copy(hf, w, p + "pre_feedforward_layernorm.weight", b + "ffn_norm.weight", true);
                copy(hf, w, p + "post_feedforward_layernorm.weight", b + "post_ffw_norm.weight", true);
            } else {
                copy(hf, w, p + "post_attention_layernorm.weight", b + "ffn_norm.weight", false);
            }
        }
    }

    private void gpt2Tensors(DecoderConfig c, TensorSource hf, GgufWriter w) {
        int h = c.hiddenSize();
        copy(hf, w, "transformer.wte.weight", "token_embd.weight", false);
        copy(hf, w, "transformer.wpe.weight", "position_embd.weight", false);
        copy(hf, w, "transformer.ln_f.weight", "output_norm.weight", false);
        copy(hf, w, "transformer.ln_f.bias", "output_norm.bias", false);
        for (int i = 0; i < c.layers(); i++) {
            String p = "transformer.h." + i + ".";
            String b = "blk." + i + ".";
            copy(hf, w, p + "ln_1.weight", b + "attn_norm.weight", false);
            copy(hf, w, p + "ln_1.bias", b + "attn_norm.bias", false);
            copy(hf, w, p + "ln_2.weight", b + "ffn_norm.weight", false);
            copy(hf, w, p + "ln_2.bias", b + "ffn_norm.bias", false);
            put(w, b + "attn_qkv.weight", transpose(floats(hf, p + "attn.c_attn.weight"), h, 3 * h), 3 * h, h);
            copy(hf, w, p + "attn.c_attn.bias", b + "attn_qkv.bias", false);
            put(w, b + "attn_output.weight", transpose(floats(hf, p + "attn.c_proj.weight"), h, h), h, h);
            copy(hf, w, p + "attn.c_proj.bias", b + "attn_output.bias", false);
            put(w, b + "ffn_up.weight", transpose(floats(hf, p + "mlp.c_fc.weight"), h, c.ffnSize()), c.ffnSize(), h);
            copy(hf, w, p + "mlp.c_fc.bias", b + "ffn_up.bias", false);
            put(w, b + "ffn_down.weight", transpose(floats(hf, p + "mlp.c_proj.weight"), c.ffnSize(), h), h, c.ffnSize());
            copy(hf, w, p + "mlp.c_proj.bias", b + "ffn_down.bias", false);
        }
    }

    /** llama.cpp: w.reshape(heads, 2, headDim/2, cols).swapaxes(1, 2): row 2i+j of a head takes row j·headDim/2 + i. */
    private static float[] permute(float[] w, int heads, int headDim, int cols) {
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(w, (h * headDim + j * half + i) * cols, out, (h * headDim + 2 * i + j) * cols, cols);
                }
            }
        }
        return out;
    }

    private static float[] transpose(float[] w, int rows, int cols) {
        float[] out = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = w[r * cols + c];
            }
        }
        return out;
    }

    private static float[] floats(TensorSource hf, String name) {
        Tensor t = hf.tensor(name);
        return WeightMatrix.of(t.name(), t.dtype(), 1, (int) t.elementCount(), t.data()).toFloatArray();
    }

    private static void copy(TensorSource hf, GgufWriter w, String from, String to, boolean addOne) {
        Tensor t = hf.tensor(from);
        if (!addOne) {
            w.addTensor(to, t.dtype(), t.shape(), t.data());
            return;
        }
        float[] v = floats(hf, from);
        for (int i = 0; i < v.length; i++) {
            v[i] += 1f; // llama.cpp's Gemma converter stores norm weights as 1 + w
        }
        w.addTensor(to, DType.F32, t.shape(), segment(v));
    }

    private static void put(GgufWriter w, String name, float[] values, int rows, int cols) {
        w.addTensor(name, DType.F32, new long[] {rows, cols}, segment(values));
    }

    private static MemorySegment segment(float[] values) {
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * Float.BYTES, 64);
        for (int i = 0; i < values.length; i++) {
            seg.setAtIndex(LE_FLOAT, i, values[i]);
        }
        return seg;
    }
}
