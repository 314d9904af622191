package dev.nuri.format;

import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.format.safetensors.ShardedSafetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Opens whatever holds a model's weights. */
public final class TensorSources {
    private TensorSources() {
    }

    /**
     * Opens a {@code .gguf} file, a {@code .safetensors} file, a {@code model.safetensors.index.json}, or a
     * Hugging Face folder (its {@code model.safetensors}, else its {@code model.safetensors.index.json}, else its
     * only {@code .gguf} file). A file is read as GGUF when it starts with the GGUF magic or is named {@code *.gguf},
     * as a sharded index when named {@code *.json}, and as safetensors otherwise.
     */
    public static TensorSource open(Path path) {
        if (Files.isDirectory(path)) {
            return open(weightsIn(path));
        }
        if (!Files.exists(path)) {
            throw new ModelFormatException(path + ": no such file or folder");
        }
        if (startsWithGgufMagic(path) || path.getFileName().toString().endsWith(".gguf")) {
            return GgufFile.open(path);
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return ShardedSafetensors.open(path);
        }
        return SafetensorsFile.open(path);
    }

    /** The weights file of a model folder, as {@link #open} picks it. */
    public static Path weightsIn(Path dir) {
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return single;
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            return index;
        }
        List<Path> ggufs;
        try (Stream<Path> s = Files.list(dir)) {
            ggufs = s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        } catch (IOException e) {
            throw new ModelFormatException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (ggufs.size() == 1) {
            return ggufs.getFirst();
        }
        if (ggufs.size() > 1) {
            throw new ModelFormatException(dir + ": holds " + ggufs.size() + " .gguf files; name the one to use");
        }
        throw new ModelFormatException(dir + ": no model.safetensors, model.safetensors.index.json or .gguf file");
    }

    static boolean startsWithGgufMagic(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot read: " + e.getMessage(), e);
        }
    }
}
