package dev.nuri.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.gguf.GgufArray;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.gguf.GgufTensorInfo;
import dev.nuri.format.gguf.GgufType;
import dev.nuri.format.hf.HfConfig;
import dev.nuri.format.hf.HfGenerationConfig;
import dev.nuri.format.hf.RopeParameters;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.format.safetensors.SafetensorsTensorInfo;
import dev.nuri.format.safetensors.ShardedSafetensors;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nuri inspect}: a model file's header — metadata and tensor table — like llama.cpp's gguf-dump. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {"Show what a model file holds: format, metadata and a table of tensors.",
            "Reads a .gguf file, a .safetensors file, a model.safetensors.index.json, a config.json, or a Hugging "
                    + "Face model folder (weights plus a config.json summary)."})
public final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE|DIR", description = "the model file or folder")
    Path path;

    @Option(names = "--json", description = "print machine-readable JSON instead of text")
    boolean json;

    @Option(names = "--first", defaultValue = "8", paramLabel = "N",
            description = "array values to show before summarising (default: ${DEFAULT-VALUE})")
    int first;

    @Spec
    CommandSpec spec;

    /** One row of the tensor table, whatever the format. */
    record Row(String name, String dtype, long[] shape, long bytes, long offset, String shard) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() {
        if (first < 0) {
            throw new IllegalArgumentException("--first must not be negative");
        }
        if (!Files.exists(path)) {
            throw new ModelFormatException(path + ": no such file or folder");
        }
        ObjectNode report = JSON.createObjectNode();
        report.put("path", path.toString());
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(HfConfig.FILE_NAME)) {
            report.set("config", config(HfConfig.read(path)));
        } else {
            try (TensorSource source = TensorSources.open(path)) {
                describe(source, report);
            }
            Path dir = Files.isDirectory(path) ? path : null;
            if (dir != null && Files.isRegularFile(dir.resolve(HfConfig.FILE_NAME))) {
                report.set("config", config(HfConfig.read(dir)));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toPrettyString());
        } else {
            printText(report, out);
        }
        out.flush();
        return 0;
    }

    // ---------------------------------------------------------------- building the report

    private void describe(TensorSource source, ObjectNode report) {
        List<Row> rows = new ArrayList<>();
        switch (source) {
            case GgufFile g -> {
                report.put("format", "gguf");
                report.put("file", g.path().toString());
                report.put("version", g.version());
                report.put("alignment", g.alignment());
                report.put("data_offset", g.dataStart());
                report.put("file_bytes", g.fileSize());
                ObjectNode md = report.putObject("metadata");
                for (Map.Entry<String, Object> e : g.metadata().entrySet()) {
                    md.set(e.getKey(), ggufValue(g.type(e.getKey()), e.getValue()));
                }
                for (GgufTensorInfo t : g.tensorInfos()) {
                    rows.add(new Row(t.name(), t.typeName(), t.shape(), t.byteSize(), t.offset(), null));
                }
            }
            case SafetensorsFile s -> {
                report.put("format", "safetensors");
                report.put("file", s.path().toString());
                report.put("data_offset", s.dataStart());
                ObjectNode md = report.putObject("metadata");
                s.metadata().forEach(md::put);
                for (SafetensorsTensorInfo t : s.tensorInfos()) {
                    rows.add(new Row(t.name(), t.dtype(), t.shape(), t.byteSize(), t.begin(), null));
                }
            }
            case ShardedSafetensors sh -> {
                report.put("format", "safetensors-sharded");
                report.put("file", sh.path().toString());
                ArrayNode shards = report.putArray("shards");
                sh.shards().forEach(f -> shards.add(f.path().getFileName().toString()));
                for (String name : sh.tensorNames()) {
                    SafetensorsFile f = sh.shardOf(name);
                    SafetensorsTensorInfo t = f.tensorInfo(name);
                    rows.add(new Row(t.name(), t.dtype(), t.shape(), t.byteSize(), t.begin(),
                            f.path().getFileName().toString()));
                }
            }
            default -> throw new IllegalStateException("unexpected tensor source " + source);
        }
        ArrayNode tensors = report.putArray("tensors");
        long total = 0;
        long params = 0;
        for (Row r : rows) {
            ObjectNode t = tensors.addObject();
            t.put("name", r.name());
            t.put("dtype", r.dtype());
            ArrayNode shape = t.putArray("shape");
            Arrays.stream(r.shape()).forEach(shape::add);
            t.put("bytes", r.bytes());
            t.put("offset", r.offset());
            if (r.shard() != null) {
                t.put("shard", r.shard());
            }
            total += Math.max(0, r.bytes());
            params += Arrays.stream(r.shape()).reduce(1, (a, b) -> a * b);
        }
        report.put("tensor_count", rows.size());
        report.put("tensor_bytes", total);
        report.put("parameters", params);
    }

    private ObjectNode ggufValue(GgufType type, Object value) {
        ObjectNode v = JSON.createObjectNode();
        v.put("type", type.name());
        if (value instanceof GgufArray a) {
            v.put("element_type", a.elementType().name());
            v.put("count", a.size());
            ArrayNode firstValues = v.putArray(a.size() > first ? "first" : "values");
            for (int i = 0; i < Math.min(first, a.size()); i++) {
                firstValues.add(JSON.valueToTree(a.get(i) instanceof GgufArray inner ? inner.toString() : a.get(i)));
            }
        } else if (type == GgufType.UINT64 && value instanceof Long l && l < 0) {
            v.put("value", new java.math.BigInteger(Long.toUnsignedString(l)));
        } else {
            v.set("value", JSON.valueToTree(value));
        }
        return v;
    }

    private static ObjectNode config(HfConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", c.source());
        o.put("model_type", c.getString("model_type", null));
        ArrayNode arch = o.putArray("architectures");
        c.architectures().forEach(arch::add);
        for (String key : List.of("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                "head_dim", "intermediate_size", "vocab_size", "max_position_embeddings")) {
            c.findInt(key).ifPresent(v -> o.put(key, v));
        }
        c.dtype().ifPresent(d -> o.put("dtype", d));
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        ArrayNode eos = o.putArray("eos_token_id");
        c.eosTokenIds().forEach(eos::add);
        RopeParameters rope = c.ropeParameters();
        ObjectNode r = o.putObject("rope");
        r.put("type", rope.type());
        r.put("theta", rope.theta());
        if (rope.isScaled()) {
            r.put("factor", rope.factor());
        }
        if (rope.partialRotaryFactor() != 1.0) {
            r.put("partial_rotary_factor", rope.partialRotaryFactor());
        }
        if (rope.originalMaxPositionEmbeddings() != null) {
            r.put("original_max_position_embeddings", rope.originalMaxPositionEmbeddings());
        }
        Optional<HfGenerationConfig> gen = c.generationConfig();
        gen.ifPresent(g -> {
            ObjectNode go = o.putObject("generation_config");
            ArrayNode geos = go.putArray("eos_token_id");
            g.eosTokenIds().forEach(geos::add);
            if (g.bosTokenId() != null) {
                go.put("bos_token_id", g.bosTokenId());
            }
        });
        return o;
    }

    // ---------------------------------------------------------------- text rendering

    private void printText(ObjectNode r, PrintWriter out) {
        if (r.has("format")) {
            String format = r.get("format").asText();
            out.println(r.get("file").asText());
            switch (format) {
                case "gguf" -> out.printf("  GGUF version %d, alignment %d, data at byte %d, %s%n",
                        r.get("version").asInt(), r.get("alignment").asInt(), r.get("data_offset").asLong(),
                        bytes(r.get("file_bytes").asLong()));
                case "safetensors" -> out.printf("  safetensors, data at byte %d%n", r.get("data_offset").asLong());
                default -> out.printf("  safetensors in %d shards%n", r.get("shards").size());
            }
            ObjectNode md = (ObjectNode) r.get("metadata");
            if (md != null) {
                out.printf("%nmetadata (%d keys):%n", md.size());
                int width = 0;
                for (var it = md.fieldNames(); it.hasNext(); ) {
                    width = Math.max(width, it.next().length());
                }
                for (var it = md.properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    out.printf("  %-" + width + "s  %s%n", e.getKey(), metadataText(e.getValue()));
                }
            }
            printTable(r, out);
        }
        if (r.has("config")) {
            printConfig((ObjectNode) r.get("config"), out);
        }
    }

    private String metadataText(com.fasterxml.jackson.databind.JsonNode v) {
        if (!v.isObject()) {
            return v.toString(); // safetensors __metadata__ strings
        }
        String type = v.get("type").asText();
        if (type.equals("ARRAY")) {
            var values = v.has("first") ? v.get("first") : v.get("values");
            List<String> shown = new ArrayList<>();
            values.forEach(x -> shown.add(x.toString()));
            return "[" + v.get("element_type").asText() + " x " + v.get("count").asInt() + "] ["
                    + String.join(", ", shown) + (v.has("first") ? ", ..." : "") + "]";
        }
        String value = v.get("value").toString();
        if (value.length() > LONG_STRING) { // chat templates: show the start and the length
            value = value.substring(0, LONG_STRING) + "...\" (" + v.get("value").asText().length() + " chars)";
        }
        return type + " " + value;
    }

    private static final int LONG_STRING = 160;

    private static void printTable(ObjectNode r, PrintWriter out) {
        var tensors = r.get("tensors");
        out.printf("%ntensors (%d, %s, %,d parameters):%n", tensors.size(), bytes(r.get("tensor_bytes").asLong()),
                r.get("parameters").asLong());
        if (tensors.isEmpty()) {
            return;
        }
        int nameWidth = 4;
        for (var t : tensors) {
            nameWidth = Math.max(nameWidth, t.get("name").asText().length());
        }
        boolean sharded = r.get("format").asText().equals("safetensors-sharded");
        String fmt = "  %4s  %-" + nameWidth + "s  %-8s %-22s %12s %12s%s%n";
        out.printf(fmt, "#", "name", "dtype", "shape", "bytes", "offset", sharded ? "  shard" : "");
        int i = 0;
        for (var t : tensors) {
            List<String> dims = new ArrayList<>();
            t.get("shape").forEach(d -> dims.add(d.asText()));
            long b = t.get("bytes").asLong();
            out.printf(fmt, i++, t.get("name").asText(), t.get("dtype").asText(), "[" + String.join(", ", dims) + "]",
                    b < 0 ? "?" : String.valueOf(b), t.get("offset").asText(),
                    sharded ? "  " + t.get("shard").asText() : "");
        }
    }

    private static void printConfig(ObjectNode c, PrintWriter out) {
        out.printf("%nconfig (%s):%n", c.get("file").asText());
        for (var it = c.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals("file")) {
                out.printf("  %-26s %s%n", e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue());
            }
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
