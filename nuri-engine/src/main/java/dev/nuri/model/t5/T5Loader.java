package dev.nuri.model.t5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.model.bert.WeightLookup;
import dev.nuri.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a T5 model: a Hugging Face folder (config.json + safetensors) or a llama.cpp GGUF file. */
public final class T5Loader {
    private T5Loader() {
    }

    /** The model and the mapped weights it reads (close it to unmap them). */
    public record Loaded(T5Model model, TensorSource weights) implements AutoCloseable {
        @Override
        public void close() {
            weights.close();
        }
    }

    /** Whether {@code path} looks like a T5 model (a folder whose config.json says model_type t5, or a t5 GGUF). */
    public static boolean isT5(Path path) {
        try {
            if (Files.isDirectory(path)) {
                Path config = path.resolve("config.json");
                return Files.isRegularFile(config) && new ObjectMapper().readTree(config.toFile()).path("model_type").asText().equals("t5");
            }
            if (path.getFileName().toString().endsWith(".gguf")) {
                try (GgufFile g = GgufFile.open(path)) {
                    return g.getString("general.architecture", "").equals("t5");
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    public static Loaded open(Path path, Parallel parallel) {
        TensorSource source = TensorSources.open(path);
        try {
            String name = path.getFileName().toString();
            if (source instanceof GgufFile g) {
                return new Loaded(T5Gguf.load(g, name, parallel), source);
            }
            Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            Path configFile = dir.resolve("config.json");
            if (!Files.isRegularFile(configFile)) {
                throw new ModelFormatException(dir + ": no config.json beside the weights");
            }
            JsonNode json;
            try {
                json = new ObjectMapper().readTree(configFile.toFile());
            } catch (IOException e) {
                throw new ModelFormatException(configFile + ": not valid JSON: " + e.getMessage(), e);
            }
            T5Config config = T5Config.fromHf(json, source.has("lm_head.weight"), configFile.toString());
            return new Loaded(T5Model.fromHfNames(name, config, WeightLookup.of(source), parallel), source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }
}
