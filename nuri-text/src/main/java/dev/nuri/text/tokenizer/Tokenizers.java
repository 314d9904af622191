package dev.nuri.text.tokenizer;

import dev.nuri.NuriException;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the tokenizer of a model: a Hugging Face model folder (tokenizer.json) or a GGUF file. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * {@code path} is a folder holding {@code tokenizer.json} (with {@code tokenizer_config.json} beside it), a
     * {@code tokenizer.json} file itself, or a {@code .gguf} file whose {@code tokenizer.ggml.*} metadata holds the vocabulary.
     */
    public static Tokenizer load(Path path) {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json");
            if (!Files.exists(json)) {
                throw new NuriException(path + ": no tokenizer.json in this folder");
            }
            return HfTokenizerLoader.load(json);
        }
        if (!Files.exists(path)) {
            throw new NuriException(path + ": no such file or folder");
        }
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".json")) {
            return HfTokenizerLoader.load(path);
        }
        if (name.endsWith(".gguf")) {
            return loadGguf(path);
        }
        throw new NuriException(path + ": not a model folder, tokenizer.json or .gguf file");
    }

    /** The tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata, tokenizing as llama.cpp does. */
    public static LlamaCppTokenizer loadGguf(Path path) {
        try (GgufFile gguf = GgufFile.open(path)) {
            return fromGguf(gguf);
        }
    }

    /** The tokenizer in an open GGUF file's metadata (the file may be closed afterwards). */
    public static LlamaCppTokenizer fromGguf(GgufFile gguf) {
        GgufVocabulary vocabulary = GgufVocabulary.from(gguf);
        try {
            return new LlamaCppTokenizer(vocabulary);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gguf.path() + ": " + e.getMessage(), e);
        }
    }
}
