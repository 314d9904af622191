package dev.nuri.text.tokenizer;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.gguf.GgufType;
import java.util.List;

/**
 * The {@code tokenizer.ggml.*} metadata of a GGUF file, as llama.cpp writes and reads it. Optional values are null
 * when the key is absent (llama.cpp then uses per-model defaults, applied by {@link LlamaCppTokenizer}).
 *
 * @param model  {@code tokenizer.ggml.model}: llama (SentencePiece BPE), gpt2 (byte-level BPE), bert (WordPiece), t5
 * @param pre    {@code tokenizer.ggml.pre}: the pre-tokenizer name for gpt2 vocabularies (llama-bpe, qwen2, ...)
 * @param name   {@code general.name} (llama.cpp keys a few per-model token attributes on it)
 * @param scores {@code tokenizer.ggml.scores}, or null
 * @param types  {@code tokenizer.ggml.token_type} (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), or null
 * @param merges {@code tokenizer.ggml.merges} ("left right" in rank order), or null
 * @param precompiledCharsmap {@code tokenizer.ggml.precompiled_charsmap} (SentencePiece's normalization rules for t5), or null
 */
public record GgufVocabulary(String model, String pre, String name, List<String> tokens, float[] scores, int[] types,
                             List<String> merges, Integer bosId, Integer eosId, Integer eotId, Integer eomId,
                             Integer unkId, Integer sepId, Integer padId, Boolean addBos, Boolean addEos,
                             Boolean addSpacePrefix, Boolean removeExtraWhitespaces, byte[] precompiledCharsmap) {

    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;
    public static final int TYPE_BYTE = 6;

    public GgufVocabulary {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("tokenizer.ggml.model is missing");
        }
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("tokenizer.ggml.tokens is missing or empty");
        }
        if (scores != null && scores.length < tokens.size()) {
            throw new IllegalArgumentException("tokenizer.ggml.scores has " + scores.length + " entries for "
                    + tokens.size() + " tokens");
        }
        if (types != null && types.length < tokens.size()) {
            throw new IllegalArgumentException("tokenizer.ggml.token_type has " + types.length + " entries for "
                    + tokens.size() + " tokens");
        }
        tokens = List.copyOf(tokens);
        merges = merges == null ? null : List.copyOf(merges);
    }

    /** Reads the tokenizer metadata of an open GGUF file; problems are reported naming the file and the key. */
    public static GgufVocabulary from(GgufFile gguf) {
        String prefix = "tokenizer.ggml.";
        if (!gguf.hasKey(prefix + "model")) {
            throw new ModelFormatException(gguf.path() + ": no tokenizer in this GGUF file (metadata key '"
                    + prefix + "model' is missing)");
        }
        float[] scores = null;
        if (gguf.hasKey(prefix + "scores")) {
            GgufType t = gguf.getArray(prefix + "scores").elementType();
            if (t == GgufType.INT32) {
                int[] ints = gguf.getIntArray(prefix + "scores");
                scores = new float[ints.length];
                for (int i = 0; i < ints.length; i++) {
                    scores[i] = ints[i];
                }
            } else {
                scores = gguf.getFloatArray(prefix + "scores");
            }
        }
        try {
            return new GgufVocabulary(gguf.getString(prefix + "model"), gguf.getString(prefix + "pre", null),
                    gguf.getString("general.name", null), gguf.getStringList(prefix + "tokens"), scores,
                    gguf.hasKey(prefix + "token_type") ? gguf.getIntArray(prefix + "token_type") : null,
                    gguf.findStringList(prefix + "merges").orElse(null), id(gguf, prefix + "bos_token_id"),
                    id(gguf, prefix + "eos_token_id"), id(gguf, prefix + "eot_token_id"),
                    id(gguf, prefix + "eom_token_id"), id(gguf, prefix + "unknown_token_id"),
                    id(gguf, prefix + "seperator_token_id"), id(gguf, prefix + "padding_token_id"),
                    flag(gguf, prefix + "add_bos_token"), flag(gguf, prefix + "add_eos_token"),
                    flag(gguf, prefix + "add_space_prefix"), flag(gguf, prefix + "remove_extra_whitespaces"),
                    charsmap(gguf, prefix + "precompiled_charsmap"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gguf.path() + ": " + e.getMessage(), e);
        }
    }

    private static Integer id(GgufFile gguf, String key) {
        return gguf.hasKey(key) ? (int) Math.min(Integer.MAX_VALUE, gguf.getLong(key)) : null;
    }

    private static byte[] charsmap(GgufFile gguf, String key) {
        if (!gguf.hasKey(key)) {
            return null;
        }
        int[] values = gguf.getIntArray(key);
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static Boolean flag(GgufFile gguf, String key) {
        return gguf.hasKey(key) ? gguf.getBoolean(key) : null;
    }
}
