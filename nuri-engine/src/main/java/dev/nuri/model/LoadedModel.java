package dev.nuri.model;

import dev.nuri.format.gguf.GgufFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A loaded model and where it came from, so the engine can find what lives beside it: the tokenizer
 * ({@code tokenizer.json}, {@code tokenizer_config.json}, or the GGUF file's own vocabulary), the chat template
 * ({@code chat_template.jinja} or inside {@code tokenizer_config.json}) and {@code generation_config.json}.
 *
 * @param model the model
 * @param path  what was loaded: a Hugging Face folder or a GGUF file
 * @param gguf  the open GGUF file the weights view (its metadata also holds the tokenizer and chat template), or
 *              null for a Hugging Face folder; owned by the model and valid until {@link #close()}
 */
public record LoadedModel(LanguageModel model, Path path, GgufFile gguf) implements AutoCloseable {

    /** The folder holding the model's files (the path itself for a folder, else the file's folder). */
    public Path folder() {
        return Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    }

    /** True when the weights come from a GGUF file (which carries its own tokenizer in its metadata). */
    public boolean isGguf() {
        return gguf != null;
    }

    /** {@code name} in the model's folder (for example "tokenizer.json"), if it exists. */
    public java.util.Optional<Path> sibling(String name) {
        Path p = folder().resolve(name);
        return Files.isRegularFile(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
    }

    @Override
    public void close() {
        model.close();
    }
}
