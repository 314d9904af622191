package dev.nuri.cli;

import dev.nuri.NuriException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local model store that {@code nuri pull} fills: one folder per Hugging Face repository,
 * {@code <root>/<org>/<name>/}, holding the files as the hub names them. The root is {@code -Dnuri.models}, else
 * {@code $NURI_MODELS}, else {@code ~/.cache/nuri/hub}. A folder counts as a model once it holds a
 * {@code config.json} or a {@code .gguf} file (a pull in progress keeps only {@code .part} files).
 */
final class ModelStore {
    /** Hugging Face repository ids: {@code org/name}, letters, digits, '-', '_', '.'. */
    static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path root;

    ModelStore(Path root) {
        this.root = root;
    }

    static ModelStore standard() {
        String prop = System.getProperty("nuri.models");
        if (prop == null) {
            prop = System.getenv("NURI_MODELS");
        }
        return new ModelStore(prop != null ? Path.of(prop) : Path.of(System.getProperty("user.home"), ".cache", "nuri", "hub"));
    }

    Path root() {
        return root;
    }

    static void checkRepoId(String repo) {
        if (!REPO_ID.matcher(repo).matches() || repo.contains("..")) {
            throw new NuriException("'" + repo + "' is not a Hugging Face repository id like Qwen/Qwen2.5-0.5B-Instruct");
        }
    }

    /** The folder of {@code repo} (whether or not it has been pulled). */
    Path folder(String repo) {
        checkRepoId(repo);
        return root.resolve(repo);
    }

    /**
     * What to load for a pulled repository: its folder for a safetensors model, or its single GGUF file (with
     * several, the first by name, unless {@code preferred} names one).
     */
    Path modelPath(String repo) {
        Path folder = folder(repo);
        if (Files.exists(folder.resolve("config.json")) && hasSafetensors(folder)) {
            return folder;
        }
        List<Path> ggufs = ggufs(folder);
        if (!ggufs.isEmpty()) {
            return ggufs.getFirst();
        }
        throw new NuriException(repo + " is not in the model store (" + root + "); get it with: nuri pull " + repo);
    }

    /** Repository ids of the models in the store, sorted. */
    List<String> models() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> orgs = Files.list(root)) {
            for (Path org : orgs.sorted().toList()) {
                if (!Files.isDirectory(org)) {
                    continue;
                }
                try (Stream<Path> names = Files.list(org)) {
                    for (Path name : names.sorted().toList()) {
                        if (Files.exists(name.resolve("config.json")) && hasSafetensors(name) || !ggufs(name).isEmpty()) {
                            out.add(org.getFileName() + "/" + name.getFileName());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean hasSafetensors(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".safetensors"));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> ggufs(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
