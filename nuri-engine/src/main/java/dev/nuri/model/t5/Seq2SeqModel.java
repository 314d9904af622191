package dev.nuri.model.t5;

import dev.nuri.generate.Cancellation;
import dev.nuri.generate.GenerationListener;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.generate.Generator;
import dev.nuri.tensor.Parallel;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import java.nio.file.Path;

/**
 * A text-to-text model (T5, FLAN-T5) ready to generate: {@code generate("translate English to German: …", options)}.
 * The prompt is encoded once; the decoder then runs under the shared {@link Generator}, so every generation option
 * (greedy, sampling, beam search, stop strings and ids, max tokens, streaming) works as for decoder-only models.
 */
public final class Seq2SeqModel implements AutoCloseable {
    private final T5Loader.Loaded loaded;
    private final Tokenizer tokenizer;

    private Seq2SeqModel(T5Loader.Loaded loaded, Tokenizer tokenizer) {
        this.loaded = loaded;
        this.tokenizer = tokenizer;
    }

    /** Opens a Hugging Face T5 folder or a T5 GGUF file (weights mapped, tokenizer from the same place). */
    public static Seq2SeqModel open(Path path, Parallel parallel) {
        T5Loader.Loaded loaded = T5Loader.open(path, parallel);
        try {
            return new Seq2SeqModel(loaded, Tokenizers.load(path));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** Whether {@code path} holds an encoder–decoder model this class opens. */
    public static boolean isSeq2Seq(Path path) {
        return T5Loader.isT5(path);
    }

    public T5Model model() {
        return loaded.model();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public GenerationResult generate(String prompt, GenerationOptions options) {
        return generate(prompt, options, GenerationListener.NONE, Cancellation.none());
    }

    public GenerationResult generate(String prompt, GenerationOptions options, GenerationListener listener, Cancellation cancellation) {
        return generate(tokenizer.encode(prompt, true), options, listener, cancellation);
    }

    /** Generates from encoder input ids (with the tokenizer's special tokens, e.g. T5's closing {@code </s>}). */
    public GenerationResult generate(int[] inputIds, GenerationOptions options, GenerationListener listener, Cancellation cancellation) {
        T5Model model = loaded.model();
        Generator generator = new Generator(model.decoderFor(inputIds), tokenizer);
        return generator.generate(model.decoderPrompt(), options, listener, cancellation);
    }

    @Override
    public void close() {
        loaded.close();
    }
}
