package dev.nuri.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.NuriException;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.onnx.OnnxFile;
import dev.nuri.model.bert.BertConfig;
import dev.nuri.model.bert.BertGguf;
import dev.nuri.model.bert.BertModel;
import dev.nuri.model.bert.OnnxBertLoader;
import dev.nuri.model.bert.WeightLookup;
import dev.nuri.tensor.Parallel;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens embedding models: the built-in default (all-MiniLM-L6-v2), a Hugging Face BERT-family folder
 * (config.json + safetensors + tokenizer.json; a sentence-transformers {@code 1_Pooling/config.json} picks the
 * pooling), an ONNX export ({@code .onnx} with config.json and tokenizer.json beside it), or a llama.cpp BERT GGUF
 * ({@code bert.pooling_type} picks the pooling).
 */
public final class EmbeddingModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddingModels() {
    }

    /**
     * How to turn token states into embeddings.
     *
     * @param pooling   null: the model's own choice (mean where it says nothing)
     * @param normalize L2-normalize each embedding
     * @param parallel  compute threads
     */
    public record Options(Pooling pooling, boolean normalize, Parallel parallel) {
        public Options {
            if (parallel == null) {
                throw new IllegalArgumentException("parallel must not be null");
            }
        }

        public static Options defaults() {
            return new Options(null, true, Parallel.shared());
        }
    }

    /** The default model, from the classpath (no network). */
    public static BertEmbeddingModel openDefault(Options options) {
        Tokenizer tokenizer = Tokenizers.load(DefaultEmbeddingModel.tokenizerFile());
        DefaultEmbeddingModel.Loaded loaded = DefaultEmbeddingModel.loadEncoder();
        return new BertEmbeddingModel(DefaultEmbeddingModel.NAME, loaded.model(), tokenizer,
                options.pooling() != null ? options.pooling() : Pooling.MEAN, options.normalize(), options.parallel(), loaded::close);
    }

    /** The model at {@code path}, or the default model when {@code path} is null. */
    public static BertEmbeddingModel open(Path path, Options options) {
        if (path == null) {
            return openDefault(options);
        }
        if (!Files.exists(path)) {
            throw new NuriException(path + ": no such file or folder");
        }
        String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (file.endsWith(".onnx")) {
            return openOnnx(path, options);
        }
        if (Files.isDirectory(path) && !hasWeights(path)) {
            for (Path onnx : new Path[] {path.resolve("model.onnx"), path.resolve("onnx").resolve("model.onnx")}) {
                if (Files.isRegularFile(onnx)) {
                    return openOnnx(onnx, options);
                }
            }
        }
        TensorSource source = TensorSources.open(path);
        try {
            if (source instanceof GgufFile g) {
                BertModel model = BertGguf.load(g, path.getFileName().toString());
                Pooling pooling = options.pooling() != null ? options.pooling() : ggufPooling(g);
                return new BertEmbeddingModel(path.getFileName().toString(), model, Tokenizers.load(path), pooling,
                        options.normalize(), options.parallel(), source::close);
            }
            Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            BertConfig config = BertConfig.fromHf(readJson(dir.resolve("config.json")), dir.resolve("config.json").toString());
            BertModel model = BertModel.fromHfNames(dir.getFileName().toString(), config, WeightLookup.of(source));
            Pooling pooling = options.pooling() != null ? options.pooling() : sentenceTransformersPooling(dir);
            return new BertEmbeddingModel(dir.getFileName().toString(), model, Tokenizers.load(dir), pooling,
                    options.normalize(), options.parallel(), source::close);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve("model.safetensors")) || Files.isRegularFile(dir.resolve("model.safetensors.index.json"));
    }

    private static BertEmbeddingModel openOnnx(Path onnxPath, Options options) {
        Path dir = onnxPath.toAbsolutePath().getParent();
        Path configFile = Files.isRegularFile(dir.resolve("config.json")) ? dir.resolve("config.json") : dir.getParent().resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new NuriException(onnxPath + ": an ONNX file holds no head count; put the model's config.json beside it");
        }
        Path tokenizerFile = Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir.resolve("tokenizer.json") : dir.getParent().resolve("tokenizer.json");
        BertConfig config = BertConfig.fromHf(readJson(configFile), configFile.toString());
        Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
        OnnxFile onnx;
        try {
            onnx = OnnxFile.open(onnxPath);
        } catch (IOException e) {
            throw new NuriException(onnxPath + ": cannot read: " + e.getMessage(), e);
        }
        try {
            BertModel model = OnnxBertLoader.load(onnx, config, onnxPath.getFileName().toString());
            return new BertEmbeddingModel(onnxPath.getFileName().toString(), model, tokenizer,
                    options.pooling() != null ? options.pooling() : sentenceTransformersPooling(configFile.getParent()),
                    options.normalize(), options.parallel(), onnx::close);
        } catch (RuntimeException e) {
            onnx.close();
            throw e;
        }
    }

    /** llama.cpp's {@code bert.pooling_type}: 1 mean, 2 CLS, 3 last; anything else is refused for embeddings. */
    static Pooling ggufPooling(GgufFile g) {
        int type = g.getInt("bert.pooling_type", 1);
        return switch (type) {
            case 1 -> Pooling.MEAN;
            case 2 -> Pooling.CLS;
            case 3 -> Pooling.LAST;
            default -> throw new ModelFormatException(g.path() + ": bert.pooling_type " + type
                    + " is not an embedding pooling Nuri knows (1 mean, 2 cls, 3 last); pass --pooling");
        };
    }

    /** sentence-transformers' {@code 1_Pooling/config.json}: CLS, last-token or (default) mean. */
    static Pooling sentenceTransformersPooling(Path dir) {
        Path file = dir.resolve("1_Pooling").resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return Pooling.MEAN;
        }
        JsonNode c = readJson(file);
        if (c.path("pooling_mode_cls_token").asBoolean(false)) {
            return Pooling.CLS;
        }
        if (c.path("pooling_mode_lasttoken").asBoolean(false)) {
            return Pooling.LAST;
        }
        return Pooling.MEAN;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NuriException(file + ": no such file");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
