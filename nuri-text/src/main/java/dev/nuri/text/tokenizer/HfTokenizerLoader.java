package dev.nuri.text.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.ModelFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face tokenizer: {@code tokenizer.json} (the pipeline) and, beside it, {@code tokenizer_config.json}
 * (BOS/EOS/PAD token strings, {@code add_bos_token}/{@code add_eos_token}, {@code clean_up_tokenization_spaces}) and
 * {@code generation_config.json}
 * (extra end-of-generation ids). Every problem is reported as a {@link ModelFormatException} naming the file.
 */
public final class HfTokenizerLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    private HfTokenizerLoader(Path file) {
        this.file = file;
    }

    /** Loads {@code tokenizer.json}; the optional config files are looked for in the same folder. */
    public static HfTokenizer load(Path tokenizerJson) {
        return new HfTokenizerLoader(tokenizerJson).load();
    }

    private HfTokenizer load() {
        JsonNode root = readJson(file, true);
        Path dir = file.toAbsolutePath().getParent();
        JsonNode config = readJson(dir.resolve("tokenizer_config.json"), false);
        JsonNode generation = readJson(dir.resolve("generation_config.json"), false);
        try {
            return build(root, config, generation);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode readJson(Path path, boolean required) {
        if (!Files.exists(path)) {
            if (required) {
                throw new ModelFormatException(path + ": no such file");
            }
            return null;
        }
        try {
            JsonNode node = JSON.readTree(path.toFile());
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(path + ": not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new ModelFormatException(path + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HfTokenizer build(JsonNode root, JsonNode config, JsonNode generation) {
        JsonNode model = required(root, "model", "the tokenizer");
        Map<String, Integer> modelVocab = new HashMap<>();
        TokenModel tokenModel = buildModel(model, modelVocab);
        Map<String, Integer> ids = new HashMap<>(modelVocab); // the model's vocabulary plus added tokens
        List<AddedTokens.Token> added = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        for (JsonNode a : addedNode) {
            AddedTokens.Token t = new AddedTokens.Token(requiredInt(a, "id", "an added token"),
                    requiredText(a, "content", "an added token"), a.path("special").asBoolean(false),
                    a.path("lstrip").asBoolean(false), a.path("rstrip").asBoolean(false),
                    a.path("single_word").asBoolean(false), a.path("normalized").asBoolean(!a.path("special").asBoolean(false)));
            if (t.id() < 0) {
                throw new IllegalArgumentException("added token " + t.content() + " has a negative id " + t.id());
            }
            added.add(t);
        }
        int size = 0;
        for (int id : ids.values()) {
            size = Math.max(size, id + 1);
        }
        for (AddedTokens.Token t : added) {
            size = Math.max(size, t.id() + 1);
        }
        String[] tokens = new String[size];
        ids.forEach((tok, id) -> tokens[id] = tok);
        for (AddedTokens.Token t : added) {
            tokens[t.id()] = t.content();
            ids.put(t.content(), t.id());
        }
        Normalizer normalizer = nullOr(root.get("normalizer"), this::normalizer);
        PreTokenizer preTokenizer = nullOr(root.get("pre_tokenizer"), this::preTokenizer);
        PostProcessor post = nullOr(root.get("post_processor"), n -> postProcessor(n, ids));
        Decoder decoder = nullOr(root.get("decoder"), this::decoder);

        int bos = specialId(config, "bos_token", ids);
        int pad = specialId(config, "pad_token", ids);
        Set<Integer> eos = new LinkedHashSet<>();
        int eosId = specialId(config, "eos_token", ids);
        if (eosId >= 0) {
            eos.add(eosId);
        }
        if (generation != null) {
            JsonNode g = generation.path("eos_token_id");
            if (g.isInt()) {
                eos.add(g.asInt());
            } else if (g.isArray()) {
                g.forEach(e -> eos.add(e.asInt()));
            }
        }
        if (config != null && (config.has("add_bos_token") || config.has("add_eos_token"))) {
            post = bosEosTemplate(config, bos, eosId, post);
        }
        return new HfTokenizer(new HfTokenizer.Parts(tokens, ids, added, normalizer, preTokenizer, tokenModel, post,
                decoder, bos, java.util.Collections.unmodifiableSet(eos), pad,
                config != null && config.path("clean_up_tokenization_spaces").asBoolean(false)));
    }

    /**
     * transformers' Llama/Gemma tokenizers rebuild the post-processor from {@code add_bos_token}/{@code add_eos_token}
     * when tokenizer_config.json sets them; a template that does not match the flags is replaced.
     */
    private PostProcessor bosEosTemplate(JsonNode config, int bos, int eos, PostProcessor current) {
        boolean addBos = config.path("add_bos_token").asBoolean(false);
        boolean addEos = config.path("add_eos_token").asBoolean(false);
        List<int[]> pieces = new ArrayList<>();
        if (addBos) {
            if (bos < 0) {
                throw new IllegalArgumentException("tokenizer_config.json sets add_bos_token but has no bos_token");
            }
            pieces.add(new int[] {bos});
        }
        pieces.add(null);
        if (addEos) {
            if (eos < 0) {
                throw new IllegalArgumentException("tokenizer_config.json sets add_eos_token but has no eos_token");
            }
            pieces.add(new int[] {eos});
        }
        return new PostProcessor.Template(pieces);
    }

    private static int specialId(JsonNode config, String key, Map<String, Integer> ids) {
        if (config == null) {
            return -1;
        }
        JsonNode n = config.get(key);
        String content = n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.path("content").asText(null);
        if (content == null) {
            return -1;
        }
        Integer id = ids.get(content);
        return id == null ? -1 : id;
    }

    // ---- model ----

    private TokenModel buildModel(JsonNode model, Map<String, Integer> ids) {
        String type = model.path("type").asText(null);
        if (type == null) {
            type = model.has("merges") ? "BPE" : model.path("vocab").isArray() ? "Unigram"
                    : model.has("continuing_subword_prefix") ? "WordPiece" : null;
        }
        if (type == null) {
            throw new IllegalArgumentException("model has no type and is not recognizable");
        }
        switch (type) {
            case "BPE" -> {
                readVocabMap(model, ids);
                List<String[]> merges = new ArrayList<>();
                for (JsonNode m : required(model, "merges", "the BPE model")) {
                    if (m.isTextual()) {
                        String s = m.asText();
                        int sp = s.indexOf(' ', 1);
                        if (sp < 0) {
                            throw new IllegalArgumentException("BPE merge \"" + s + "\" is not two tokens separated by a space");
                        }
                        merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
                    } else if (m.isArray() && m.size() == 2) {
                        merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
                    } else {
                        throw new IllegalArgumentException("BPE merge " + m + " is neither \"a b\" nor [a, b]");
                    }
                }
                JsonNode dropout = model.get("dropout");
                if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
                    throw new IllegalArgumentException("BPE dropout " + dropout + " is not supported (inference uses none)");
                }
                return new BpeModel(ids, merges, textOrNull(model, "unk_token"), model.path("fuse_unk").asBoolean(false),
                        model.path("byte_fallback").asBoolean(false), model.path("ignore_merges").asBoolean(false),
                        textOrNull(model, "continuing_subword_prefix"), textOrNull(model, "end_of_word_suffix"));
            }
            case "WordPiece" -> {
                readVocabMap(model, ids);
                return new WordPieceModel(ids, model.path("unk_token").asText("[UNK]"),
                        model.path("continuing_subword_prefix").asText("##"),
                        model.path("max_input_chars_per_word").asInt(100));
            }
            case "Unigram" -> {
                JsonNode vocab = required(model, "vocab", "the Unigram model");
                List<String> pieces = new ArrayList<>(vocab.size());
                double[] scores = new double[vocab.size()];
                int i = 0;
                for (JsonNode e : vocab) {
                    if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
                        throw new IllegalArgumentException("Unigram vocab entry " + i + " is not [piece, score]: " + e);
                    }
                    pieces.add(e.get(0).asText());
                    scores[i] = e.get(1).asDouble();
                    ids.putIfAbsent(e.get(0).asText(), i);
                    i++;
                }
                JsonNode unk = model.get("unk_id");
                int unkId = unk == null || unk.isNull() ? -1 : unk.asInt();
                if (unkId >= pieces.size()) {
                    throw new IllegalArgumentException("Unigram unk_id " + unkId + " is outside the vocabulary of " + pieces.size());
                }
                return new UnigramModel(pieces, scores, unkId, model.path("byte_fallback").asBoolean(false));
            }
            default -> throw new IllegalArgumentException("unknown model type \"" + type
                    + "\" (supported: BPE, WordPiece, Unigram)");
        }
    }

    private static void readVocabMap(JsonNode model, Map<String, Integer> ids) {
        JsonNode vocab = required(model, "vocab", "the model");
        if (!vocab.isObject()) {
            throw new IllegalArgumentException("model vocab is not an object of token → id");
        }
        Iterator<Map.Entry<String, JsonNode>> it = vocab.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new IllegalArgumentException("vocab id of " + e.getKey() + " is not a non-negative int: " + e.getValue());
            }
            ids.put(e.getKey(), e.getValue().asInt());
        }
    }

    // ---- normalizers ----

    private Normalizer normalizer(JsonNode n) {
        String type = requiredText(n, "type", "a normalizer");
        return switch (type) {
            case "NFC" -> new Normalizer.Unicode(Form.NFC);
            case "NFD" -> new Normalizer.Unicode(Form.NFD);
            case "NFKC" -> new Normalizer.Unicode(Form.NFKC);
            case "NFKD" -> new Normalizer.Unicode(Form.NFKD);
            case "Lowercase" -> new Normalizer.Lowercase();
            case "StripAccents" -> new Normalizer.StripAccents();
            case "Prepend" -> new Normalizer.Prepend(requiredText(n, "prepend", "Prepend"));
            case "Replace" -> new Normalizer.Replace(pattern(required(n, "pattern", "Replace")),
                    requiredText(n, "content", "Replace"));
            case "Strip" -> new Normalizer.Strip(n.path("strip_left").asBoolean(true), n.path("strip_right").asBoolean(true));
            case "BertNormalizer" -> {
                boolean lowercase = n.path("lowercase").asBoolean(true);
                JsonNode sa = n.get("strip_accents");
                boolean strip = sa == null || sa.isNull() ? lowercase : sa.asBoolean();
                yield new Normalizer.Bert(n.path("clean_text").asBoolean(true),
                        n.path("handle_chinese_chars").asBoolean(true), strip, lowercase);
            }
            case "Precompiled" -> {
                String charsmap = n.path("precompiled_charsmap").asText("");
                if (charsmap.isEmpty()) {
                    yield new Normalizer.Sequence(List.of());
                }
                byte[] blob;
                try {
                    blob = java.util.Base64.getDecoder().decode(charsmap);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Precompiled normalizer: precompiled_charsmap is not base64");
                }
                yield new Normalizer.Precompiled(new PrecompiledCharsmap(blob));
            }
            case "Sequence" -> {
                List<Normalizer> list = new ArrayList<>();
                for (JsonNode c : required(n, "normalizers", "Sequence normalizer")) {
                    list.add(normalizer(c));
                }
                yield new Normalizer.Sequence(list);
            }
            default -> throw new IllegalArgumentException("unknown normalizer type \"" + type + "\"");
        };
    }

    // ---- pre-tokenizers ----

    private PreTokenizer preTokenizer(JsonNode n) {
        String type = requiredText(n, "type", "a pre-tokenizer");
        return switch (type) {
            case "ByteLevel" -> new PreTokenizer.ByteLevel(n.path("add_prefix_space").asBoolean(true),
                    n.path("use_regex").asBoolean(true));
            case "Split" -> new PreTokenizer.Split(splitter(required(n, "pattern", "Split")),
                    behavior(requiredText(n, "behavior", "Split")), n.path("invert").asBoolean(false));
            case "Metaspace" -> new PreTokenizer.Metaspace(replacement(n), prependScheme(n),
                    n.path("split").asBoolean(true));
            case "Whitespace" -> new PreTokenizer.Whitespace();
            case "WhitespaceSplit" -> new PreTokenizer.WhitespaceSplit();
            case "BertPreTokenizer" -> new PreTokenizer.Bert();
            case "Punctuation" -> new PreTokenizer.Punctuation(behavior(n.path("behavior").asText("Isolated")));
            case "Digits" -> new PreTokenizer.Digits(n.path("individual_digits").asBoolean(false));
            case "Sequence" -> {
                List<PreTokenizer> list = new ArrayList<>();
                for (JsonNode c : required(n, "pretokenizers", "Sequence pre-tokenizer")) {
                    list.add(preTokenizer(c));
                }
                yield new PreTokenizer.Sequence(list);
            }
            default -> throw new IllegalArgumentException("unknown pre-tokenizer type \"" + type + "\"");
        };
    }

    private static char replacement(JsonNode n) {
        String r = n.path("replacement").asText("\u2581");
        if (r.length() != 1) {
            throw new IllegalArgumentException("Metaspace replacement must be one character, got \"" + r + "\"");
        }
        return r.charAt(0);
    }

    private static PreTokenizer.Metaspace.PrependScheme prependScheme(JsonNode n) {
        if (!n.has("prepend_scheme")) {
            return n.path("add_prefix_space").asBoolean(true)
                    ? PreTokenizer.Metaspace.PrependScheme.ALWAYS : PreTokenizer.Metaspace.PrependScheme.NEVER;
        }
        String s = n.get("prepend_scheme").asText();
        return switch (s) {
            case "always" -> PreTokenizer.Metaspace.PrependScheme.ALWAYS;
            case "first" -> PreTokenizer.Metaspace.PrependScheme.FIRST;
            case "never" -> PreTokenizer.Metaspace.PrependScheme.NEVER;
            default -> throw new IllegalArgumentException("unknown Metaspace prepend_scheme \"" + s + "\"");
        };
    }

    private static PreTokenizer.Behavior behavior(String s) {
        return switch (s) {
            case "Removed" -> PreTokenizer.Behavior.REMOVED;
            case "Isolated" -> PreTokenizer.Behavior.ISOLATED;
            case "MergedWithPrevious" -> PreTokenizer.Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> PreTokenizer.Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> PreTokenizer.Behavior.CONTIGUOUS;
            default -> throw new IllegalArgumentException("unknown split behavior \"" + s + "\"");
        };
    }

    private static Splitter splitter(JsonNode p) {
        return p.has("Regex") ? Splitter.of(p.get("Regex").asText()) : Splitter.regex(pattern(p));
    }

    /** {@code {"String": "..."}} (a literal) or {@code {"Regex": "..."}}. */
    private static Pattern pattern(JsonNode p) {
        if (p.has("String")) {
            return Pattern.compile(Pattern.quote(p.get("String").asText()));
        }
        if (p.has("Regex")) {
            return Regexes.compileChecked(p.get("Regex").asText());
        }
        throw new IllegalArgumentException("pattern " + p + " is neither {\"String\": …} nor {\"Regex\": …}");
    }

    // ---- post-processors ----

    private PostProcessor postProcessor(JsonNode n, Map<String, Integer> ids) {
        String type = requiredText(n, "type", "a post-processor");
        return switch (type) {
            case "ByteLevel" -> new PostProcessor.Identity();
            case "TemplateProcessing" -> {
                Map<String, int[]> specials = new HashMap<>();
                JsonNode st = n.path("special_tokens");
                Iterator<Map.Entry<String, JsonNode>> it = st.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode idsNode = required(e.getValue(), "ids", "special token " + e.getKey());
                    int[] arr = new int[idsNode.size()];
                    for (int i = 0; i < arr.length; i++) {
                        arr[i] = idsNode.get(i).asInt();
                    }
                    specials.put(e.getKey(), arr);
                }
                List<int[]> pieces = new ArrayList<>();
                for (JsonNode piece : required(n, "single", "TemplateProcessing")) {
                    if (piece.has("Sequence")) {
                        pieces.add(null);
                    } else if (piece.has("SpecialToken")) {
                        String id = requiredText(piece.get("SpecialToken"), "id", "a template special token");
                        int[] arr = specials.get(id);
                        if (arr == null) {
                            throw new IllegalArgumentException("template uses special token " + id
                                    + " missing from special_tokens");
                        }
                        pieces.add(arr);
                    } else {
                        throw new IllegalArgumentException("template piece " + piece + " is neither Sequence nor SpecialToken");
                    }
                }
                yield new PostProcessor.Template(pieces);
            }
            case "BertProcessing", "RobertaProcessing" -> PostProcessor.wrap(
                    tokenPairId(required(n, "cls", type), ids), tokenPairId(required(n, "sep", type), ids));
            case "Sequence" -> {
                List<PostProcessor> list = new ArrayList<>();
                for (JsonNode c : required(n, "processors", "Sequence post-processor")) {
                    list.add(postProcessor(c, ids));
                }
                yield new PostProcessor.Sequence(list);
            }
            default -> throw new IllegalArgumentException("unknown post-processor type \"" + type + "\"");
        };
    }

    /** {@code ["[CLS]", 101]}. */
    private static int tokenPairId(JsonNode pair, Map<String, Integer> ids) {
        if (!pair.isArray() || pair.size() != 2) {
            throw new IllegalArgumentException("expected [token, id], got " + pair);
        }
        return pair.get(1).asInt();
    }

    // ---- decoders ----

    private Decoder decoder(JsonNode n) {
        String type = requiredText(n, "type", "a decoder");
        return switch (type) {
            case "ByteLevel" -> new Decoder.ByteLevel();
            case "Metaspace" -> new Decoder.Metaspace(replacement(n),
                    prependScheme(n) != PreTokenizer.Metaspace.PrependScheme.NEVER);
            case "WordPiece" -> new Decoder.WordPiece(n.path("prefix").asText("##"), n.path("cleanup").asBoolean(true));
            case "ByteFallback" -> new Decoder.ByteFallback();
            case "Fuse" -> new Decoder.Fuse();
            case "Strip" -> {
                String content = requiredText(n, "content", "Strip decoder");
                if (content.length() != 1) {
                    throw new IllegalArgumentException("Strip decoder content must be one character");
                }
                yield new Decoder.Strip(content.charAt(0), n.path("start").asInt(0), n.path("stop").asInt(0));
            }
            case "Replace" -> new Decoder.Replace(pattern(required(n, "pattern", "Replace decoder")),
                    requiredText(n, "content", "Replace decoder"));
            case "BPEDecoder" -> new Decoder.Bpe(n.path("suffix").asText("</w>"));
            case "CTC" -> new Decoder.Ctc(n.path("pad_token").asText("<pad>"),
                    n.path("word_delimiter_token").asText("|"), n.path("cleanup").asBoolean(true));
            case "Sequence" -> {
                List<Decoder> list = new ArrayList<>();
                for (JsonNode c : required(n, "decoders", "Sequence decoder")) {
                    list.add(decoder(c));
                }
                yield new Decoder.Sequence(list);
            }
            default -> throw new IllegalArgumentException("unknown decoder type \"" + type + "\"");
        };
    }

    // ---- helpers ----

    private static <T> T nullOr(JsonNode n, java.util.function.Function<JsonNode, T> f) {
        return n == null || n.isNull() ? null : f.apply(n);
    }

    private static JsonNode required(JsonNode n, String key, String what) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(what + " has no \"" + key + "\"");
        }
        return v;
    }

    private static String requiredText(JsonNode n, String key, String what) {
        JsonNode v = required(n, key, what);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(what + ": \"" + key + "\" is not a string");
        }
        return v.asText();
    }

    private static int requiredInt(JsonNode n, String key, String what) {
        JsonNode v = required(n, key, what);
        if (!v.canConvertToInt()) {
            throw new IllegalArgumentException(what + ": \"" + key + "\" is not an int");
        }
        return v.asInt();
    }

    private static String textOrNull(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
