package dev.nuri.text.chat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import dev.nuri.NuriException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.LlamaCppTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A model's chat template: turns a conversation into the exact prompt text the model was trained on, rendering
 * the model's own Jinja template as Hugging Face transformers' {@code apply_chat_template} does (see
 * {@link PythonCompat} for how Jinjava is brought in line with Python's jinja2, {@link TemplateSandbox} for what a
 * template may do). Immutable and safe to share between threads.
 */
public final class ChatTemplate {

    /** The special tokens HF passes to every template, read from tokenizer_config.json. */
    private static final List<String> SPECIAL_TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token",
            "sep_token", "pad_token", "cls_token", "mask_token");
    private static final String DEFAULT = "default";
    private static final String TOOL_USE = "tool_use";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final Map<String, String> templates;
    private final Map<String, String> preprocessed;  // what Jinjava renders (see JinjaSourceRewriter)
    private final Map<String, Object> specialTokens;
    private final Clock clock;
    private final TemplateSandbox.Limits limits;
    private final Jinjava jinjava;

    private ChatTemplate(String source, Map<String, String> templates, Map<String, Object> specialTokens,
                         Clock clock, TemplateSandbox.Limits limits) {
        this.source = source;
        this.templates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templates));
        Map<String, String> rewritten = new LinkedHashMap<>();
        templates.forEach((name, text) -> rewritten.put(name, JinjaSourceRewriter.preprocess(text)));
        this.preprocessed = rewritten;
        this.specialTokens = TemplateValues.copy(specialTokens, "special tokens");
        this.clock = clock;
        this.limits = limits;
        this.jinjava = ENGINES.computeIfAbsent(limits, ChatTemplate::engine);
    }

    /** One configured engine per set of limits: Jinjava renders concurrently once its libraries are registered. */
    private static final Map<TemplateSandbox.Limits, Jinjava> ENGINES = new ConcurrentHashMap<>();

    private static Jinjava engine(TemplateSandbox.Limits limits) {
        Jinjava engine = new Jinjava(TemplateSandbox.config(limits));
        engine.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("chat templates cannot load other templates ('" + name + "')");
        });
        PythonCompat.install(engine);
        return engine;
    }

    /**
     * The template in a GGUF file's {@code tokenizer.chat_template}, if it has one, with {@code bos_token} and
     * {@code eos_token} taken from the vocabulary ({@code tokenizer.ggml.bos_token_id}/{@code eos_token_id}).
     */
    public static Optional<ChatTemplate> fromGguf(GgufFile gguf, Tokenizer tokenizer) {
        return gguf.findString("tokenizer.chat_template").map(text -> of(text,
                gguf.path() + " (tokenizer.chat_template)",
                tokenString(tokenizer, tokenizer.bosId()),
                tokenString(tokenizer, gguf.findInt("tokenizer.ggml.eos_token_id").orElse(-1))));
    }

    private static String tokenString(Tokenizer tokenizer, int id) {
        return id >= 0 && id < tokenizer.vocabSize() ? tokenizer.token(id) : null;
    }

    /**
     * The ids of a rendered chat prompt. As Hugging Face's {@code apply_chat_template(tokenize=True)} does, no special
     * tokens are added (the template writes them, and special-token text in it is read as those tokens); for a GGUF
     * vocabulary that asks for BOS ({@code add_bos_token}) and a template that did not write it, BOS is put in
     * front, as llama.cpp does.
     */
    public static int[] tokenize(String renderedPrompt, Tokenizer tokenizer) {
        int[] ids = tokenizer.encode(renderedPrompt, false);
        if (tokenizer instanceof LlamaCppTokenizer gguf && gguf.addsBos() && (ids.length == 0 || ids[0] != gguf.bosId())) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = gguf.bosId();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    /**
     * A template given as text, for example GGUF's {@code tokenizer.chat_template}. {@code source} names where
     * it came from in error messages; {@code bosToken} and {@code eosToken} may be null.
     */
    public static ChatTemplate of(String template, String source, String bosToken, String eosToken) {
        if (template == null || template.isEmpty()) {
            throw new NuriException("chat template from " + source + " is empty");
        }
        Map<String, Object> tokens = new LinkedHashMap<>();
        if (bosToken != null) {
            tokens.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            tokens.put("eos_token", eosToken);
        }
        return new ChatTemplate(source, Map.of(DEFAULT, template), tokens, Clock.systemDefaultZone(),
                TemplateSandbox.Limits.DEFAULT);
    }

    /**
     * The template of a Hugging Face model folder: {@code chat_template.jinja} when present (plus named templates
     * in {@code additional_chat_templates/*.jinja}), else {@code chat_template.json}, else {@code chat_template}
     * in {@code tokenizer_config.json} (a string, or a list of {@code {name, template}}). Special tokens come
     * from {@code tokenizer_config.json}, as plain strings or {@code {"content": ...}} added-token objects.
     */
    public static Optional<ChatTemplate> fromHuggingFace(Path folder) {
        Path configFile = folder.resolve("tokenizer_config.json");
        Map<String, Object> config = Files.isRegularFile(configFile) ? readJson(configFile) : Map.of();
        Map<String, String> templates = new LinkedHashMap<>();
        String source;
        Path jinjaFile = folder.resolve("chat_template.jinja");
        Path jsonFile = folder.resolve("chat_template.json");
        if (Files.isRegularFile(jinjaFile)) {
            templates.put(DEFAULT, readText(jinjaFile));
            source = jinjaFile.toString();
            readAdditionalTemplates(folder.resolve("additional_chat_templates"), templates);
        } else if (Files.isRegularFile(jsonFile)) {
            source = jsonFile.toString();
            readTemplateValue(readJson(jsonFile).get("chat_template"), source, templates);
        } else if (config.get("chat_template") != null) {
            source = configFile + " (chat_template)";
            readTemplateValue(config.get("chat_template"), source, templates);
        } else {
            return Optional.empty();
        }
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            String token = tokenContent(config.get(key), configFile, key);
            if (token != null) {
                tokens.put(key, token);
            }
        }
        if (config.get("additional_special_tokens") instanceof List<?> extra) {
            List<String> contents = new ArrayList<>();
            for (Object token : extra) {
                contents.add(tokenContent(token, configFile, "additional_special_tokens"));
            }
            tokens.put("additional_special_tokens", contents);
        }
        return Optional.of(new ChatTemplate(source, templates, tokens, Clock.systemDefaultZone(),
                TemplateSandbox.Limits.DEFAULT));
    }

    /** The same template with {@code strftime_now()} reading this clock (for reproducible prompts and tests). */
    public ChatTemplate withClock(Clock newClock) {
        return new ChatTemplate(source, templates, specialTokens, newClock, limits);
    }

    ChatTemplate withLimits(TemplateSandbox.Limits newLimits) {
        return new ChatTemplate(source, templates, specialTokens, clock, newLimits);
    }

    /** Where the template came from (a file, or the name given to {@link #of}). */
    public String source() {
        return source;
    }

    /** The default template's text. */
    public String text() {
        return templates.get(DEFAULT) != null ? templates.get(DEFAULT) : templates.values().iterator().next();
    }

    /** Names of the templates in this file ("default", "tool_use", ...). */
    public List<String> names() {
        return List.copyOf(templates.keySet());
    }

    public Optional<String> bosToken() {
        return Optional.ofNullable((String) specialTokens.get("bos_token"));
    }

    public Optional<String> eosToken() {
        return Optional.ofNullable((String) specialTokens.get("eos_token"));
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, ChatRenderOptions.of(addGenerationPrompt));
    }

    public String render(List<ChatMessage> messages, ChatRenderOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        if (messages == null || messages.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("chat messages must be a list without nulls");
        }
        String name = chooseTemplate(options);
        String template = preprocessed.get(name);
        String where = templates.size() > 1 ? source + " [" + name + "]" : source;

        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        List<Object> messageValues = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            messageValues.add(message.toTemplateValue());
        }
        context.put("messages", messageValues);
        if (options.tools() != null) {
            context.put("tools", options.tools());
        }
        context.put("add_generation_prompt", options.addGenerationPrompt());
        context.putAll(options.variables());

        TemplateSandbox.Budget budget = new TemplateSandbox.Budget(limits);
        RenderResult result;
        TemplateSandbox.bind(budget);
        PythonCompat.bindNow(ZonedDateTime.now(clock));
        try {
            result = jinjava.renderForResult(template, context);
        } catch (RuntimeException e) {
            throw failure(where, budget, e.getMessage(), e);
        } finally {
            TemplateSandbox.unbind();
            PythonCompat.unbindNow();
        }
        // Jinjava reports a runaway macro recursion as a warning and renders nothing: it is a failure here.
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL
                        || e.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED)
                .toList();
        if (!fatal.isEmpty() || budget.raised() != null || budget.exceeded() != null) {
            throw failure(where, budget, describe(fatal), null);
        }
        return result.getOutput();
    }

    private String chooseTemplate(ChatRenderOptions options) {
        if (options.templateName() != null) {
            if (!templates.containsKey(options.templateName())) {
                throw new NuriException("chat template " + source + " has no template named '"
                        + options.templateName() + "' (it has " + templates.keySet() + ")");
            }
            return options.templateName();
        }
        if (options.tools() != null && templates.containsKey(TOOL_USE)) {
            return TOOL_USE;
        }
        if (templates.containsKey(DEFAULT)) {
            return DEFAULT;
        }
        if (templates.size() == 1) {
            return templates.keySet().iterator().next();
        }
        throw new NuriException("chat template " + source + " has several templates " + templates.keySet()
                + " and none named 'default': choose one with ChatRenderOptions.withTemplateName");
    }

    private static NuriException failure(String where, TemplateSandbox.Budget budget, String details, Throwable cause) {
        if (budget.raised() != null) {
            return new NuriException("chat template " + where + " raised an error: " + budget.raised(), cause);
        }
        if (budget.exceeded() != null) {
            return new NuriException("chat template " + where + " was stopped: it " + budget.exceeded(), cause);
        }
        return new NuriException("chat template " + where + " failed: " + details, cause);
    }

    private static String describe(List<TemplateError> errors) {
        List<String> lines = new ArrayList<>();
        for (TemplateError error : errors.subList(0, Math.min(3, errors.size()))) {
            lines.add((error.getLineno() > 0 ? "line " + error.getLineno() + ": " : "") + error.getMessage());
        }
        if (errors.size() > 3) {
            lines.add("and " + (errors.size() - 3) + " more errors");
        }
        return String.join("; ", lines);
    }

    private static void readTemplateValue(Object value, String source, Map<String, String> into) {
        if (value instanceof String s) {
            into.put(DEFAULT, s);
            return;
        }
        if (value instanceof List<?> named) {
            for (Object item : named) {
                if (item instanceof Map<?, ?> map && map.get("name") instanceof String name
                        && map.get("template") instanceof String text) {
                    into.put(name, text);
                } else {
                    throw new NuriException(source + ": each named chat template must be {\"name\": ..., "
                            + "\"template\": ...}, got " + item);
                }
            }
            if (!into.isEmpty()) {
                return;
            }
        }
        throw new NuriException(source + ": chat_template must be a string or a non-empty list of "
                + "{name, template}, got " + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    private static void readAdditionalTemplates(Path dir, Map<String, String> into) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String fileName = file.getFileName().toString();
                if (fileName.endsWith(".jinja")) {
                    into.put(fileName.substring(0, fileName.length() - ".jinja".length()), readText(file));
                }
            }
        } catch (IOException e) {
            throw new NuriException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String tokenContent(Object token, Path file, String key) {
        return switch (token) {
            case null -> null;
            case String s -> s;
            case Map<?, ?> added when added.get("content") instanceof String s -> s;
            default -> throw new NuriException(file + ": " + key + " must be a string or {\"content\": ...}, got "
                    + token);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readJson(Path file) {
        try {
            Object value = JSON.readValue(file.toFile(), Object.class);
            if (!(value instanceof Map<?, ?>)) {
                throw new NuriException(file + ": expected a JSON object");
            }
            return (Map<String, Object>) value;
        } catch (JacksonException e) {
            throw new NuriException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new NuriException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NuriException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
