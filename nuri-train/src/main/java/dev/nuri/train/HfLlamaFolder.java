package dev.nuri.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.nuri.NuriException;
import dev.nuri.format.hf.HfConfig;
import dev.nuri.format.hf.RopeParameters;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import dev.nuri.train.model.LlamaShape;
import dev.nuri.train.model.Parameters;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code LlamaForCausalLM} folder as training reads and writes it: {@code config.json} and
 * {@code model.safetensors} (F32), with Hugging Face tensor names.
 */
public final class HfLlamaFolder {
    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HfLlamaFolder() {
    }

    /** The {@code config.json} transformers writes for a {@code LlamaForCausalLM} of this shape. */
    public static ObjectNode configJson(LlamaShape s, Integer bosTokenId, Integer eosTokenId, double initializerRange) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("attention_bias", false);
        c.put("attention_dropout", 0.0);
        if (bosTokenId != null) {
            c.put("bos_token_id", bosTokenId);
        }
        if (eosTokenId != null) {
            c.put("eos_token_id", eosTokenId);
        }
        c.put("head_dim", s.headDim());
        c.put("hidden_act", "silu");
        c.put("hidden_size", s.hiddenSize());
        c.put("initializer_range", initializerRange);
        c.put("intermediate_size", s.intermediateSize());
        c.put("max_position_embeddings", s.maxPositions());
        c.put("mlp_bias", false);
        c.put("model_type", "llama");
        c.put("num_attention_heads", s.heads());
        c.put("num_hidden_layers", s.layers());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("pretraining_tp", 1);
        c.put("rms_norm_eps", (double) s.rmsNormEps());
        c.putNull("rope_scaling");
        c.put("rope_theta", s.ropeTheta());
        c.put("tie_word_embeddings", s.tieEmbeddings());
        c.put("torch_dtype", "float32");
        c.put("use_cache", true);
        c.put("vocab_size", s.vocabSize());
        return c;
    }

    /**
     * Reads the sizes of a Llama model from its {@code config.json} (through {@link HfConfig}), rejecting what the
     * training engine does not implement (biases, rope scaling, other activations) with a message naming the key.
     */
    public static LlamaShape readShape(Path configFile) {
        HfConfig c = HfConfig.read(configFile);
        String type = c.getString("model_type", "");
        if (!type.equals("llama")) {
            throw new NuriException(c.source() + ": model_type is '" + type + "'; the training engine trains Llama models only");
        }
        for (String flag : List.of("attention_bias", "mlp_bias")) {
            if (c.getBoolean(flag, false)) {
                throw new NuriException(c.source() + ": " + flag + " = true is not supported by the training engine");
            }
        }
        String act = c.getString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new NuriException(c.source() + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        RopeParameters rope = c.ropeParameters();
        if (rope.isScaled()) {
            throw new NuriException(c.source() + ": rope scaling '" + rope.type() + "' is not supported by the training engine");
        }
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        try {
            return new LlamaShape(c.requireInt("vocab_size"), hidden, c.requireInt("num_hidden_layers"), heads,
                    c.getInt("num_key_value_heads", heads), c.getInt("head_dim", hidden / heads),
                    c.requireInt("intermediate_size"), rope.theta(), (float) c.getDouble("rms_norm_eps", 1e-6),
                    c.getBoolean("tie_word_embeddings", false), c.getInt("max_position_embeddings", 2048));
        } catch (IllegalArgumentException e) {
            throw new NuriException(c.source() + ": " + e.getMessage());
        }
    }

    /** Writes every parameter as an F32 tensor with its Hugging Face name. */
    public static void writeWeights(Path file, Parameters params, Map<String, String> metadata) {
        SafetensorsWriter w = new SafetensorsWriter().metadata(metadata);
        for (Parameters.Param p : params.list()) {
            w.add(p.name(), DType.F32, longs(p.shape()), segment(params.values(), p.offset(), p.size()));
        }
        w.write(file);
    }

    /** Writes named flat arrays laid out like {@code params} (optimizer moments), names prefixed. */
    public static void writeState(Path file, Parameters params, Map<String, float[]> state, Map<String, String> metadata) {
        SafetensorsWriter w = new SafetensorsWriter().metadata(metadata);
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            for (Parameters.Param p : params.list()) {
                w.add(e.getKey() + "." + p.name(), DType.F32, longs(p.shape()), segment(e.getValue(), p.offset(), p.size()));
            }
        }
        w.write(file);
    }

    /** Fills {@code params} from a safetensors file; every parameter must be present with its exact shape. */
    public static void readWeights(Path file, Parameters params) {
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (Parameters.Param p : params.list()) {
                readInto(st, file, p.name(), p, params.values());
            }
        }
    }

    /** Fills the optimizer's state arrays from {@link #writeState}'s file. */
    public static void readState(Path file, Parameters params, Map<String, float[]> state) {
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (Map.Entry<String, float[]> e : state.entrySet()) {
                for (Parameters.Param p : params.list()) {
                    readInto(st, file, e.getKey() + "." + p.name(), p, e.getValue());
                }
            }
        }
    }

    /** Reads one F32 tensor (any shape) as a flat array. */
    public static float[] readFloats(SafetensorsFile st, Path file, String name) {
        if (!st.has(name)) {
            throw new NuriException(file + " has no tensor '" + name + "'");
        }
        Tensor t = st.tensor(name);
        if (t.dtype() != DType.F32) {
            throw new NuriException("tensor '" + name + "' in " + file + " is " + t.dtype() + "; training needs F32 weights");
        }
        MemorySegment seg = t.data();
        float[] out = new float[Math.toIntExact(t.elementCount())];
        MemorySegment.copy(seg, F32_LE, 0, out, 0, out.length);
        return out;
    }

    private static void readInto(SafetensorsFile st, Path file, String name, Parameters.Param p, float[] dest) {
        if (!st.has(name)) {
            throw new NuriException(file + " has no tensor '" + name + "'");
        }
        Tensor t = st.tensor(name);
        if (!Arrays.equals(t.shape(), longs(p.shape()))) {
            throw new NuriException("tensor '" + name + "' in " + file + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(p.shape()));
        }
        float[] data = readFloats(st, file, name);
        System.arraycopy(data, 0, dest, p.offset(), p.size());
    }

    static long[] longs(int[] shape) {
        long[] l = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            l[i] = shape[i];
        }
        return l;
    }

    static MemorySegment segment(float[] data, int offset, int size) {
        MemorySegment seg = MemorySegment.ofArray(new byte[size * 4]);
        MemorySegment.copy(data, offset, seg, F32_LE, 0, size);
        return seg;
    }

    static void writeJson(Path file, Object tree) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(tree) + "\n");
    }
}
