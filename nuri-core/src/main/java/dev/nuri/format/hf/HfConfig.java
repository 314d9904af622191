package dev.nuri.format.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.format.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code config.json} with typed accessors that fail with a {@link ModelFormatException} naming the
 * file, the key and the problem. JSON {@code null} counts as absent. Keys have the synonyms transformers'
 * {@code attribute_map}s define, so {@code requireInt("hidden_size")} also finds GPT-2's {@code n_embd} and T5's
 * {@code d_model} (see {@link #ALIASES}).
 */
public final class HfConfig {
    public static final String FILE_NAME = "config.json";

    /** Groups of synonymous keys; a lookup tries the key asked for first, then the others in its group. */
    public static final List<List<String>> ALIASES = List.of(
            List.of("hidden_size", "n_embd", "d_model"),
            List.of("num_hidden_layers", "n_layer", "num_layers"),
            List.of("num_attention_heads", "n_head", "num_heads"),
            List.of("max_position_embeddings", "n_positions", "n_ctx"),
            List.of("intermediate_size", "n_inner", "d_ff"),
            List.of("layer_norm_eps", "layer_norm_epsilon"),
            List.of("dtype", "torch_dtype"));

    private final ObjectNode root;
    private final Path file;
    private final String source;
    private final JsonFields fields;

    private HfConfig(ObjectNode root, Path file, String source) {
        this.root = root;
        this.file = file;
        this.source = source;
        this.fields = new JsonFields(root, source);
    }

    /** Reads {@code config.json}, or the one inside a model folder. */
    public static HfConfig read(Path fileOrDir) {
        Path p = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
        if (!Files.exists(p)) {
            throw new ModelFormatException(p + ": no such file" + (Files.isDirectory(fileOrDir)
                    ? " (a Hugging Face model folder needs a config.json)" : ""));
        }
        return new HfConfig(HfJson.readObject(p), p, p.toString());
    }

    /** Parses config JSON text; {@code source} names it in error messages. */
    public static HfConfig parse(String json, String source) {
        return new HfConfig(HfJson.parseObject(json.getBytes(StandardCharsets.UTF_8), source), null, source);
    }

    /** The file (or name) this config came from. */
    public String source() {
        return source;
    }

    /** The parsed JSON (a copy). */
    public ObjectNode json() {
        return root.deepCopy();
    }

    // ---------------------------------------------------------------- key lookup with aliases

    private static List<String> synonyms(String key) {
        for (List<String> group : ALIASES) {
            if (group.contains(key)) {
                List<String> out = new ArrayList<>(group.size());
                out.add(key);
                group.stream().filter(k -> !k.equals(key)).forEach(out::add);
                return out;
            }
        }
        return List.of(key);
    }

    /** The key actually present for {@code key} or one of its synonyms, or null. */
    private String resolve(String key) {
        for (String k : synonyms(key)) {
            if (fields.get(k) != null) {
                return k;
            }
        }
        return null;
    }

    private String present(String key) {
        String k = resolve(key);
        if (k == null) {
            List<String> syn = synonyms(key);
            throw new ModelFormatException(source + ": '" + key + "' is missing"
                    + (syn.size() > 1 ? " (also looked for " + String.join(", ", syn.subList(1, syn.size())) + ")" : ""));
        }
        return k;
    }

    /** Whether {@code key} (or a synonym) is present and not null. */
    public boolean has(String key) {
        return resolve(key) != null;
    }

    /** The raw JSON value of {@code key} (or a synonym), or null when absent. */
    public JsonNode raw(String key) {
        String k = resolve(key);
        return k == null ? null : fields.get(k);
    }

    public int requireInt(String key) {
        return fields.intOrNull(present(key));
    }

    public int getInt(String key, int defaultValue) {
        String k = resolve(key);
        return k == null ? defaultValue : fields.intOrNull(k);
    }

    public OptionalInt findInt(String key) {
        String k = resolve(key);
        return k == null ? OptionalInt.empty() : OptionalInt.of(fields.intOrNull(k));
    }

    public long requireLong(String key) {
        return fields.longOrNull(present(key));
    }

    public long getLong(String key, long defaultValue) {
        String k = resolve(key);
        return k == null ? defaultValue : fields.longOrNull(k);
    }

    /** Any JSON number (Python writes NaN and Infinity too). */
    public double requireDouble(String key) {
        return fields.doubleOrNull(present(key));
    }

    public double getDouble(String key, double defaultValue) {
        String k = resolve(key);
        return k == null ? defaultValue : fields.doubleOrNull(k);
    }

    public String requireString(String key) {
        return fields.stringOrNull(present(key));
    }

    public String getString(String key, String defaultValue) {
        String k = resolve(key);
        return k == null ? defaultValue : fields.stringOrNull(k);
    }

    public boolean requireBoolean(String key) {
        return fields.booleanOrNull(present(key));
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String k = resolve(key);
        return k == null ? defaultValue : fields.booleanOrNull(k);
    }

    /** An integer or a list of integers (e.g. {@code eos_token_id}); empty when absent. */
    public List<Integer> getIntList(String key) {
        String k = resolve(key);
        return k == null ? List.of() : List.copyOf(fields.intList(k));
    }

    /** A list of strings (e.g. {@code layer_types}); empty when absent. */
    public List<String> getStringList(String key) {
        String k = resolve(key);
        return k == null ? List.of() : fields.stringList(k);
    }

    // ---------------------------------------------------------------- common fields

    /** {@code model_type}, e.g. {@code "llama"} (required). */
    public String modelType() {
        return requireString("model_type");
    }

    /** {@code architectures}, e.g. {@code ["LlamaForCausalLM"]}; empty when absent. */
    public List<String> architectures() {
        return getStringList("architectures");
    }

    public List<Integer> eosTokenIds() {
        return getIntList("eos_token_id");
    }

    public OptionalInt bosTokenId() {
        return findInt("bos_token_id");
    }

    public OptionalInt padTokenId() {
        return findInt("pad_token_id");
    }

    /** {@code dtype} (transformers 5.x) or {@code torch_dtype} (4.x), e.g. {@code "bfloat16"}. */
    public Optional<String> dtype() {
        return Optional.ofNullable(getString("dtype", null));
    }

    /**
     * {@code tie_word_embeddings}, true when absent (the default of transformers' {@code PretrainedConfig}; a
     * model class whose default differs, such as Llama's false, writes the key in every config it saves).
     */
    public boolean tieWordEmbeddings() {
        return getBoolean("tie_word_embeddings", true);
    }

    // ---------------------------------------------------------------- RoPE

    /**
     * The RoPE settings (see {@link RopeParameters}). For a 5.x config whose {@code rope_parameters} has one entry
     * per layer type, this is the {@code full_attention} entry; use {@link #ropeParameters(String)} for others.
     * Without any rope field, plain RoPE with theta 10000 (transformers' default) is returned.
     */
    public RopeParameters ropeParameters() {
        Map<String, RopeParameters> perType = ropePerLayerType();
        if (perType != null) {
            RopeParameters full = perType.get("full_attention");
            if (full == null) {
                throw new ModelFormatException(source + ": 'rope_parameters' has one entry per layer type "
                        + perType.keySet() + " and no 'full_attention'; ask for a layer type");
            }
            return full;
        }
        JsonNode params = fields.get("rope_parameters");
        if (params != null) {
            return rope("rope_parameters", params, null);
        }
        JsonNode scaling = fields.get("rope_scaling");
        return rope("rope_scaling", scaling, fields.doubleOrNull("rope_theta"));
    }

    /** The RoPE settings of layers of {@code layerType} (e.g. {@code "sliding_attention"}). */
    public RopeParameters ropeParameters(String layerType) {
        Map<String, RopeParameters> perType = ropePerLayerType();
        if (perType == null) {
            return ropeParameters();
        }
        RopeParameters p = perType.get(layerType);
        if (p == null) {
            throw new ModelFormatException(source + ": 'rope_parameters' has no entry for layer type '" + layerType
                    + "' (it has " + perType.keySet() + ")");
        }
        return p;
    }

    /** 5.x per-layer-type rope_parameters ({"full_attention": {...}, "sliding_attention": {...}}), else null. */
    private Map<String, RopeParameters> ropePerLayerType() {
        JsonNode params = fields.get("rope_parameters");
        if (params == null || !params.isObject() || params.isEmpty() || params.has("rope_type")
                || params.has("rope_theta") || params.has("type")) {
            return null;
        }
        Map<String, RopeParameters> out = new LinkedHashMap<>();
        for (var it = params.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isObject()) {
                return null;
            }
            out.put(e.getKey(), rope("rope_parameters." + e.getKey(), e.getValue(), null));
        }
        return out;
    }

    /**
     * Builds the record from a rope object ({@code rope_parameters} or {@code rope_scaling}, possibly null) and,
     * for 4.x, the top-level theta.
     */
    private RopeParameters rope(String where, JsonNode node, Double topLevelTheta) {
        JsonFields p;
        if (node == null) {
            p = new JsonFields(HfJson.JSON.createObjectNode(), source);
        } else if (node instanceof ObjectNode obj) {
            p = new JsonFields(obj, source + ": '" + where + "'");
        } else {
            throw fields.wrong(where, node, "an object");
        }
        String type = p.stringOrNull("rope_type");
        if (type == null) {
            type = p.stringOrNull("type");
        }
        if (type == null) {
            if (node != null && where.equals("rope_scaling")) {
                throw new ModelFormatException(source + ": 'rope_scaling' has neither 'rope_type' nor 'type'");
            }
            type = "default";
        }
        if (type.equals("su")) {
            type = "longrope"; // early Phi-3 configs; transformers reads "su" as longrope
        }
        Double theta = p.doubleOrNull("rope_theta");
        if (theta == null) {
            theta = topLevelTheta != null ? topLevelTheta : fields.doubleOrNull("rope_theta");
        }
        if (theta == null) {
            theta = 10000.0;
        }
        Double factor = p.doubleOrNull("factor");
        Double partial = p.doubleOrNull("partial_rotary_factor");
        if (partial == null) {
            partial = fields.doubleOrNull("partial_rotary_factor");
        }
        Integer original = p.intOrNull("original_max_position_embeddings");
        if (original == null && (type.equals("yarn") || type.equals("longrope"))) {
            original = fields.intOrNull("original_max_position_embeddings");
            if (original == null) {
                original = findInt("max_position_embeddings").isPresent() ? requireInt("max_position_embeddings")
                        : null;
            }
        }
        if (factor == null && !type.equals("default") && !type.equals("longrope")) {
            throw new ModelFormatException(source + ": '" + where + "' of type " + type + " needs a 'factor'");
        }
        Double betaFast = p.doubleOrNull("beta_fast");
        Double betaSlow = p.doubleOrNull("beta_slow");
        if (type.equals("yarn")) {
            betaFast = betaFast != null ? betaFast : 32.0;
            betaSlow = betaSlow != null ? betaSlow : 1.0;
        }
        try {
            return new RopeParameters(type, theta, factor != null ? factor : 1.0, partial != null ? partial : 1.0,
                    original, p.doubleOrNull("low_freq_factor"), p.doubleOrNull("high_freq_factor"),
                    p.doubleOrNull("attention_factor"), betaFast, betaSlow, p.doubleList("short_factor"),
                    p.doubleList("long_factor"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": '" + where + "': " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- siblings

    /** The generation_config.json beside this config.json, if there is one (never for a parsed string). */
    public Optional<HfGenerationConfig> generationConfig() {
        Path dir = file == null ? null : file.toAbsolutePath().getParent();
        return dir == null ? Optional.empty() : HfGenerationConfig.readIn(dir);
    }

    @Override
    public String toString() {
        return "config " + source + " (" + getString("model_type", "?") + ")";
    }
}
