package dev.nuri.text.tokenizer;

import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A GGUF vocabulary tokenized exactly as llama.cpp does it (llama-vocab.cpp): special-token partitioning first,
 * then {@code llama} → SentencePiece BPE by score with byte fallback ({@link LlamaCppSpm}), {@code gpt2} →
 * byte-level BPE by merge rank after the pre-tokenizer regexes of {@code tokenizer.ggml.pre} ({@link LlamaCppBpe}),
 * {@code bert} → WordPiece over "▁"-prefixed words ({@link LlamaCppWordPiece}), {@code t5} → Unigram
 * ({@link LlamaCppUnigram}). Decoding follows
 * {@code llama_detokenize}.
 */
public final class LlamaCppTokenizer implements Tokenizer {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 4;
    static final int USER_DEFINED = 8;
    static final int UNUSED = 16;
    static final int BYTE = 32;
    static final int UNDEFINED = 64;
    static final int LSTRIP = 128;
    static final int RSTRIP = 256;

    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>");
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>");

    enum Kind { SPM, BPE, WPM, UGM }

    private final Kind kind;
    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final float[] scores;
    private final int[] attrs;
    private final int bos;
    private final int unk;
    private final int sep;
    private final int pad;
    private final int eos;
    private final Set<Integer> eog;
    private final Set<Integer> specialIds;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSep;
    private final boolean addSpacePrefix;
    private final boolean cleanSpaces;
    private final int[] specialCache;
    private final LlamaCppBpe bpe;
    private final LlamaCppUnigram unigram;
    private final int maxTokenLength;
    /** No token holds a non-▁ character followed by ▁, so SPM can merge word by word (see {@link #encodeSpm}). */
    private final boolean spmWordsIndependent;
    private final java.util.concurrent.ConcurrentHashMap<String, int[]> spmCache = new java.util.concurrent.ConcurrentHashMap<>();

    public LlamaCppTokenizer(GgufVocabulary v) {
        int n = v.tokens().size();
        tokens = v.tokens().toArray(new String[0]);
        ids = new HashMap<>(n * 2);
        int maxLen = 0;
        for (int i = 0; i < n; i++) {
            if (tokens[i].isEmpty()) {
                tokens[i] = "[EMPTY_" + i + "]";
            }
            Integer previous = ids.putIfAbsent(tokens[i], i);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate token in vocabulary: \"" + tokens[i] + "\" has ids "
                        + previous + " and " + i);
            }
            maxLen = Math.max(maxLen, tokens[i].length());
        }
        maxTokenLength = maxLen;
        boolean independent = true;
        for (String t : tokens) {
            for (int k = t.indexOf('\u2581', 1); k > 0 && independent; k = t.indexOf('\u2581', k + 1)) {
                if (t.charAt(k - 1) != '\u2581') {
                    independent = false;
                }
            }
        }
        spmWordsIndependent = independent;
        scores = v.scores() != null ? v.scores() : new float[n];
        attrs = new int[n];
        for (int i = 0; i < n; i++) {
            attrs[i] = v.types() == null ? NORMAL : switch (v.types()[i]) {
                case GgufVocabulary.TYPE_NORMAL -> NORMAL;
                case GgufVocabulary.TYPE_UNKNOWN -> UNKNOWN;
                case GgufVocabulary.TYPE_CONTROL -> CONTROL;
                case GgufVocabulary.TYPE_USER_DEFINED -> USER_DEFINED;
                case GgufVocabulary.TYPE_UNUSED -> UNUSED;
                case GgufVocabulary.TYPE_BYTE -> BYTE;
                default -> UNDEFINED;
            };
        }
        // llama.cpp's defaults per model, then the file's own values
        Integer dBos;
        Integer dEos;
        Integer dUnk;
        Integer dSep = null;
        Integer dPad = null;
        boolean dAddBos;
        boolean dAddEos = false;
        boolean dAddSep = false;
        boolean dSpacePrefix;
        boolean dClean;
        switch (v.model()) {
            case "llama" -> {
                kind = Kind.SPM;
                dBos = 1;
                dEos = 2;
                dUnk = 0;
                dAddBos = true;
                dSpacePrefix = true;
                dClean = false;
                bpe = null;
            }
            case "bert" -> {
                kind = Kind.WPM;
                dBos = 101;
                dEos = null;
                dUnk = 100;
                dSep = 102;
                dPad = 0;
                dAddBos = true;
                dAddSep = true;
                dSpacePrefix = false;
                dClean = true;
                bpe = null;
            }
            case "gpt2" -> {
                kind = Kind.BPE;
                LlamaCppPreTokenizers.Spec spec = LlamaCppPreTokenizers.forName(v.pre());
                if (v.merges() == null) {
                    throw new IllegalArgumentException("tokenizer.ggml.merges is missing (required for gpt2 vocabularies)");
                }
                dBos = spec.bosNull() ? null : 11;
                dEos = 11;
                dUnk = null;
                dAddBos = spec.addBos();
                dSpacePrefix = false;
                dClean = spec.cleanSpaces();
                bpe = new LlamaCppBpe(ids, n, v.merges(), spec.regexes(), spec.ignoreMerges());
            }
            case "t5" -> {
                kind = Kind.UGM;
                dBos = null;
                dEos = 1;
                dUnk = 2;
                dPad = 0;
                dAddBos = false;
                dAddEos = true;
                dSpacePrefix = false;
                dClean = false;
                bpe = null;
            }
            default -> throw new IllegalArgumentException("unknown tokenizer.ggml.model \"" + v.model() + "\"");
        }
        bos = pick(v.bosId(), dBos, n);
        eos = pick(v.eosId(), dEos, n);
        unk = pick(v.unkId(), dUnk, n);
        sep = pick(v.sepId(), dSep, n);
        pad = pick(v.padId(), dPad, n);
        addBos = v.addBos() != null ? v.addBos() : dAddBos;
        addEos = v.addEos() != null ? v.addEos() : dAddEos;
        addSep = dAddSep;
        addSpacePrefix = v.addSpacePrefix() != null ? v.addSpacePrefix() : dSpacePrefix;
        cleanSpaces = dClean;
        unigram = kind == Kind.UGM ? new LlamaCppUnigram(this, tokens, attrs.clone(), scores, v.precompiledCharsmap(),
                addSpacePrefix, Boolean.TRUE.equals(v.removeExtraWhitespaces())) : null;
        if (addBos && bos < 0) {
            throw new IllegalArgumentException("tokenizer.ggml.add_bos_token is true, but there is no BOS token");
        }
        if (addEos && eos < 0) {
            throw new IllegalArgumentException("tokenizer.ggml.add_eos_token is true, but there is no EOS token");
        }

        // end-of-generation tokens, found by text as llama.cpp does (they become control tokens)
        int eot = pick(v.eotId(), null, n);
        int eom = pick(v.eomId(), null, n);
        Set<Integer> eogSet = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            if (eot < 0 && EOT_TEXTS.contains(tokens[i])) {
                eot = i;
                attrs[i] |= CONTROL;
            }
            if (EOG_TEXTS.contains(tokens[i])) {
                eogSet.add(i);
                attrs[i] |= CONTROL;
            }
        }
        for (int id : new int[] {eos, eot, eom}) {
            if (id >= 0) {
                eogSet.add(id);
            }
        }
        eog = Collections.unmodifiableSet(eogSet);

        List<Integer> cache = new ArrayList<>();
        Set<Integer> special = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & (CONTROL | USER_DEFINED | UNKNOWN)) != 0) {
                cache.add(i);
            }
            if ((attrs[i] & (CONTROL | UNKNOWN)) != 0) {
                special.add(i);
            }
        }
        cache.sort((a, b) -> Integer.compare(utf8Length(tokens[b]), utf8Length(tokens[a])));
        specialCache = cache.stream().mapToInt(Integer::intValue).toArray();
        specialIds = Collections.unmodifiableSet(special);

        String name = v.name() == null ? "" : v.name().toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specialCache) {
                attrs[id] |= RSTRIP;
            }
            setStrip("</s>", RSTRIP, true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) {
                setStrip(t, RSTRIP, false);
            }
        }
    }

    private void setStrip(String token, int attr, boolean on) {
        Integer id = ids.get(token);
        if (id != null) {
            attrs[id] = on ? attrs[id] | attr : attrs[id] & ~attr;
        }
    }

    private static int pick(Integer fromFile, Integer fallback, int n) {
        if (fromFile != null && fromFile >= 0 && fromFile < n) {
            return fromFile;
        }
        return fallback != null && fallback >= 0 && fallback < n ? fallback : -1;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    // ---- encoding ----

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        return encode(text, addSpecialTokens, true);
    }

    /**
     * llama.cpp's {@code llama_tokenize}: with {@code parseSpecial}, control tokens written in the text are recognized;
     * user-defined tokens always are.
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Utf8.requireWellFormed(text);
        List<Object> fragments = partition(text, parseSpecial);
        IntList out = new IntList(text.length() / 3 + 4);
        switch (kind) {
            case SPM -> {
                boolean prevSpecial = true;
                if (addSpecial && addBos) {
                    out.add(bos);
                }
                for (Object f : fragments) {
                    if (f instanceof String s) {
                        String t = (addSpacePrefix && prevSpecial ? " " : "") + s;
                        encodeSpm(t.replace(' ', '\u2581'), out);
                        prevSpecial = false;
                    } else {
                        out.add((Integer) f);
                        prevSpecial = true;
                    }
                }
                if (addSpecial && addEos) {
                    out.add(eos);
                }
            }
            case BPE -> {
                if (addSpecial && addBos) {
                    out.add(bos);
                }
                for (Object f : fragments) {
                    if (f instanceof String s) {
                        bpe.tokenize(s, out);
                    } else {
                        out.add((Integer) f);
                    }
                }
                if (addSpecial && addEos) {
                    out.add(eos);
                }
            }
            case UGM -> {
                if (addSpecial && addBos) {
                    out.add(bos);
                }
                for (Object f : fragments) {
                    if (f instanceof String s) {
                        unigram.tokenize(s, out);
                    } else {
                        out.add((Integer) f);
                    }
                }
                if (addSpecial && addEos) {
                    out.add(eos);
                }
            }
            case WPM -> {
                if (addSpecial) {
                    out.add(bos);
                }
                for (Object f : fragments) {
                    if (f instanceof String s) {
                        LlamaCppWordPiece.tokenize(s, this, out);
                    } else {
                        out.add((Integer) f);
                    }
                }
                if (addSpecial && addSep && sep >= 0) {
                    out.add(sep);
                }
            }
            default -> throw new IllegalStateException();
        }
        return out.toArray();
    }

    boolean spmWordsIndependent() {
        return spmWordsIndependent;
    }

    /**
     * SPM over a whole fragment merges by score across the whole text; when no token can span a word boundary
     * ("x▁"), each "▁word" can be merged alone with the same result, and cached.
     */
    private void encodeSpm(String text, IntList out) {
        if (!spmWordsIndependent) {
            LlamaCppSpm.tokenize(text, this, out);
            return;
        }
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || (text.charAt(i) == '\u2581' && text.charAt(i - 1) != '\u2581')) {
                String word = text.substring(start, i);
                int[] cached = spmCache.get(word);
                if (cached == null) {
                    IntList ids = new IntList(word.length());
                    LlamaCppSpm.tokenize(word, this, ids);
                    cached = ids.toArray();
                    if (spmCache.size() >= 100_000) {
                        spmCache.clear();
                    }
                    spmCache.put(word, cached);
                }
                out.addAll(cached);
                start = i;
            }
        }
    }

    /** Splits text on special tokens, longest first ({@code tokenizer_st_partition}); Integer = token, String = text. */
    private List<Object> partition(String text, boolean parseSpecial) {
        List<Object> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(text);
        for (int id : specialCache) {
            if (!parseSpecial && (attrs[id] & (CONTROL | UNKNOWN)) != 0) {
                continue;
            }
            String special = tokens[id];
            List<Object> next = new ArrayList<>(fragments.size() + 2);
            for (Object f : fragments) {
                if (!(f instanceof String s) || !s.contains(special)) {
                    next.add(f);
                    continue;
                }
                int from = 0;
                while (true) {
                    int match = s.indexOf(special, from);
                    if (match < 0) {
                        if (from < s.length()) {
                            next.add(s.substring(from));
                        }
                        break;
                    }
                    int leftEnd = match;
                    if ((attrs[id] & LSTRIP) != 0) {
                        while (leftEnd > from && isSpace(s.charAt(leftEnd - 1))) {
                            leftEnd--;
                        }
                    }
                    if (leftEnd > from) {
                        next.add(s.substring(from, leftEnd));
                    }
                    next.add(id);
                    from = match + special.length();
                    if ((attrs[id] & RSTRIP) != 0) {
                        while (from < s.length() && isSpace(s.charAt(from))) {
                            from++;
                        }
                    }
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** The id of a token text, or -1. */
    int idOf(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    float score(int id) {
        return scores[id];
    }

    /** The {@code <0xXX>} token of a byte (or the single-character token), as {@code llama_byte_to_token}. */
    int byteToken(int b) {
        Integer id = ids.get(String.format("<0x%02X>", b));
        if (id == null && b < 0x80) {
            id = ids.get(String.valueOf((char) b));
        }
        if (id == null) {
            throw new NuriException("the vocabulary has no byte token <0x" + String.format("%02X", b) + ">");
        }
        return id;
    }

    int unknownId() {
        return unk;
    }

    int maxTokenLength() {
        return maxTokenLength;
    }

    // ---- decoding ----

    @Override
    public String decode(int[] idsToDecode, boolean skipSpecialTokens) {
        int start = 0;
        int end = idsToDecode.length;
        boolean removeSpace = addSpacePrefix;
        if (skipSpecialTokens && addBos && end > 0 && idsToDecode[0] == bos) {
            removeSpace = false;
            start++;
        }
        if (skipSpecialTokens && addEos && end > start && idsToDecode[end - 1] == eos) {
            end--;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = start; i < end; i++) {
            byte[] piece = piece(idsToDecode[i], !skipSpecialTokens);
            int from = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            bytes.write(piece, from, piece.length - from);
            removeSpace = false;
        }
        byte[] b = bytes.toByteArray();
        if (cleanSpaces) {
            b = cleanUpSpaces(b);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** {@code llama_token_to_piece}: the bytes a token stands for. */
    private byte[] piece(int id, boolean special) {
        if (id < 0 || id >= tokens.length) {
            throw new NuriException("token id " + id + " is not in the vocabulary (size " + tokens.length + ")");
        }
        int attr = attrs[id];
        if (!special && (attr & (UNKNOWN | CONTROL)) != 0) {
            return new byte[0];
        }
        String text = tokens[id];
        if ((attr & (UNKNOWN | CONTROL | USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & NORMAL) != 0) {
            if (kind == Kind.BPE) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
                for (int i = 0; i < text.length(); i++) {
                    int b = ByteLevelTable.byteOf(text.charAt(i));
                    if (b >= 0) {
                        out.write(b);
                    } else {
                        out.writeBytes(String.valueOf(text.charAt(i)).getBytes(StandardCharsets.UTF_8));
                    }
                }
                return out.toByteArray();
            }
            return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & BYTE) != 0) {
            int b = Decoder.byteToken(text);
            if (b >= 0) {
                return new byte[] {(byte) b};
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0]; // unused / undefined tokens render as nothing, as in llama.cpp
    }

    /** llama.cpp's {@code clean_spaces}: " ?" " !" " ." " ," → no space; " ' " → "'"; " 's" " 'm" " 're" " 've" joined. */
    private static byte[] cleanUpSpaces(byte[] t) {
        int total = t.length;
        if (total == 0) {
            return t;
        }
        byte[] text = Arrays.copyOf(t, total);
        int n = 1;
        for (int i = 1; i < total; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                n--;
            }
            text[n++] = x;
        }
        int total2 = n;
        n = 1;
        for (int i = 1; i < total2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                n--;
                text[++i] = 0;
            }
            text[n++] = x;
        }
        int total3 = n;
        n = 1;
        for (int i = 1; i < total3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    n--;
                } else if (i + 2 < total3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        n--;
                    }
                }
            }
            text[n++] = x;
        }
        return Arrays.copyOf(text, n);
    }

    // ---- vocabulary ----

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new NuriException("token id " + id + " is not in the vocabulary (size " + tokens.length + ")");
        }
        return tokens[id];
    }

    @Override
    public OptionalInt id(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public Set<Integer> specialIds() {
        return specialIds;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public Set<Integer> eosIds() {
        return eog;
    }

    @Override
    public int padId() {
        return pad;
    }

    /** Whether llama.cpp adds BOS when asked for special tokens ({@code tokenizer.ggml.add_bos_token}). */
    public boolean addsBos() {
        return addBos;
    }
}
