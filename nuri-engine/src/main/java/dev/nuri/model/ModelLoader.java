package dev.nuri.model;

import dev.nuri.NuriException;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.tensor.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a model from a Hugging Face folder or a GGUF file; the weights stay mapped, never copied. */
public final class ModelLoader {
    private ModelLoader() {
    }

    /** {@link #load(Path, Parallel)} on the process-wide thread pool. */
    public static LoadedModel load(Path path) {
        return load(path, Parallel.shared());
    }

    /**
     * @param path a Hugging Face model folder (config.json + model.safetensors or a sharded index) or its weights
     *             file, a GGUF file, or a folder holding exactly one GGUF file and no config.json
     */
    public static LoadedModel load(Path path, Parallel parallel) {
        if (!Files.exists(path)) {
            throw new NuriException("no such model file or folder: " + path);
        }
        Path absolute = path.toAbsolutePath().normalize();
        String fileName = absolute.getFileName() == null ? "" : absolute.getFileName().toString();
        Path parent = absolute.getParent();
        if (Files.isRegularFile(path) && parent != null && Files.isRegularFile(parent.resolve("config.json"))
                && (fileName.endsWith(".safetensors") || fileName.equals("model.safetensors.index.json"))) {
            return load(parent, parallel); // the weights file of a Hugging Face folder: load the folder
        }
        String name = fileName.isEmpty() ? absolute.toString() : fileName;
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("config.json"))) {
            DecoderConfig config = HfDecoderLoader.readConfig(path);
            TensorSource source = TensorSources.open(path);
            if (source instanceof GgufFile gguf) {
                gguf.close();
                throw new ModelFormatException(path + ": has config.json but no safetensors weights");
            }
            try {
                WeightBinder binder = new WeightBinder(n -> source.has(n) ? source.tensor(n) : null, source.path().toString());
                return new LoadedModel(new DecoderModel(name, config, HfDecoderLoader.bindWeights(config, binder), parallel, source), path, null);
            } catch (RuntimeException e) {
                source.close();
                throw e;
            }
        }
        Path file = Files.isDirectory(path) ? TensorSources.weightsIn(path) : path;
        TensorSource source = TensorSources.open(file);
        if (!(source instanceof GgufFile gguf)) {
            source.close();
            throw new ModelFormatException(file + ": a safetensors file needs its Hugging Face folder (with config.json); pass the folder");
        }
        try {
            return new LoadedModel(GgufDecoderLoader.load(gguf, name, parallel), file, gguf);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }
}
