package dev.nuri.engine;

import dev.nuri.generate.Cancellation;
import dev.nuri.generate.GenerationListener;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.generate.Generator;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelInfo;
import dev.nuri.model.ModelLoader;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.chat.ChatMessage;
import dev.nuri.text.chat.ChatTemplate;
import dev.nuri.text.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model ready to use: the weights, the tokenizer and the chat template that came with it, and a generator.
 * This is the Java API the CLI, the server, RAG and evaluation stand on: load once, generate many times.
 *
 * <pre>{@code
 * try (Engine engine = Engine.load(Path.of("Qwen2.5-0.5B-Instruct"))) {
 *     GenerationResult r = engine.chat(List.of(ChatMessage.user("Hello!")), GenerationOptions.greedy(64));
 *     System.out.println(r.text());
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {
    private final LoadedModel loaded;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final Generator generator;

    private Engine(LoadedModel loaded, Tokenizer tokenizer, ChatTemplate chatTemplate) {
        this.loaded = loaded;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.generator = new Generator(loaded.model(), tokenizer);
    }

    /** Loads a Hugging Face folder or a GGUF file with its tokenizer and (if it has one) chat template. */
    public static Engine load(Path path) {
        LoadedModel loaded = ModelLoader.load(path);
        try {
            Tokenizer tokenizer = loaded.isGguf() ? Tokenizers.fromGguf(loaded.gguf()) : Tokenizers.load(loaded.folder());
            return new Engine(loaded, tokenizer, findChatTemplate(loaded, tokenizer).orElse(null));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /**
     * An engine around a model the caller loaded or wrapped (an adapter, an instrumented model) with the tokenizer and,
     * if any, the chat template to use. The engine owns {@code loaded} and closes it.
     */
    public static Engine of(LoadedModel loaded, Tokenizer tokenizer, ChatTemplate chatTemplate) {
        return new Engine(loaded, tokenizer, chatTemplate);
    }

    private static Optional<ChatTemplate> findChatTemplate(LoadedModel loaded, Tokenizer tokenizer) {
        return loaded.isGguf() ? ChatTemplate.fromGguf(loaded.gguf(), tokenizer) : ChatTemplate.fromHuggingFace(loaded.folder());
    }

    public LanguageModel model() {
        return loaded.model();
    }

    public ModelInfo info() {
        return loaded.model().info();
    }

    public Path path() {
        return loaded.path();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Generator generator() {
        return generator;
    }

    /** The model's chat template, if its files carry one. */
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** Ids of a raw completion prompt, with the special tokens (e.g. BOS) the tokenizer adds. */
    public int[] encodePrompt(String prompt) {
        return tokenizer.encode(prompt, true);
    }

    /** The chat rendered by the model's template, with the assistant's turn opened. */
    public String renderChat(List<ChatMessage> messages) {
        return requireChatTemplate().render(messages, true);
    }

    /** Ids of the rendered chat prompt (see {@link ChatTemplate#tokenize} for the special-token rules). */
    public int[] encodeChat(List<ChatMessage> messages) {
        return ChatTemplate.tokenize(renderChat(messages), tokenizer);
    }

    public GenerationResult complete(String prompt, GenerationOptions options) {
        return generator.generate(encodePrompt(prompt), options);
    }

    public GenerationResult complete(String prompt, GenerationOptions options, GenerationListener listener, Cancellation cancellation) {
        return generator.generate(encodePrompt(prompt), options, listener, cancellation);
    }

    public GenerationResult chat(List<ChatMessage> messages, GenerationOptions options) {
        return generator.generate(encodeChat(messages), options);
    }

    public GenerationResult chat(List<ChatMessage> messages, GenerationOptions options, GenerationListener listener, Cancellation cancellation) {
        return generator.generate(encodeChat(messages), options, listener, cancellation);
    }

    private ChatTemplate requireChatTemplate() {
        if (chatTemplate == null) {
            throw new dev.nuri.NuriException(loaded.path() + " has no chat template (no chat_template.jinja, no chat_template in "
                    + "tokenizer_config.json, no tokenizer.chat_template in the GGUF file); use a raw prompt instead");
        }
        return chatTemplate;
    }

    @Override
    public void close() {
        loaded.close();
    }
}
