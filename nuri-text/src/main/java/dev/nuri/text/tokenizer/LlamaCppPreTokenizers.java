package dev.nuri.text.tokenizer;

import java.util.List;

/**
 * The pre-tokenizer regexes llama.cpp applies for each {@code tokenizer.ggml.pre} of a byte-level BPE vocabulary
 * (llama-vocab.cpp, {@code llm_tokenizer_bpe}), plus the per-type flags it sets. The regexes are applied in order,
 * each splitting every piece into matches and the text between them.
 */
final class LlamaCppPreTokenizers {

    /** Regexes and flags for one pre-tokenizer type. {@code bosNull}: the type disables the BOS token. */
    record Spec(List<String> regexes, boolean ignoreMerges, boolean addBos, boolean cleanSpaces, boolean bosNull) {
    }

    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String CJK_HANGUL = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    static final List<String> DEEPSEEK_LLM = List.of(
            "[\r\n]",
            "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+",
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
            "\\s+\\z",
            CJK_HANGUL,
            "\\p{N}+");
    static final List<String> DEEPSEEK_CODER = List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK_HANGUL, "\\p{N}");
    static final List<String> FALCON = List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
    static final List<String> STARCODER = List.of("\\p{N}", GPT2);
    static final List<String> BLOOM = List.of(" ?[^(\\s|.,!?\\x{2026}\\x{3002}\\x{FF0C}\\x{3001}\\x{964}\\x{6D4}\\x{60C})]+");
    static final List<String> DEFAULT = List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");

    private LlamaCppPreTokenizers() {
    }

    /** The spec for {@code pre}; null or empty means llama.cpp's default. */
    static Spec forName(String pre) {
        String p = pre == null ? "" : pre;
        return switch (p) {
            case "", "default" -> new Spec(DEFAULT, false, false, true, false);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral" -> new Spec(List.of(LLAMA3), true, true, true, false);
            case "dbrx", "smaug-bpe" -> new Spec(List.of(LLAMA3), false, false, true, false);
            case "deepseek-llm" -> new Spec(DEEPSEEK_LLM, false, false, false, false);
            case "deepseek-coder" -> new Spec(DEEPSEEK_CODER, false, false, false, false);
            case "falcon" -> new Spec(FALCON, false, false, true, false);
            case "mpt", "olmo", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
                 "jina-v2-de", "jina-v2-code", "roberta-bpe", "exaone4" -> new Spec(List.of(GPT2), false, false, true, false);
            case "starcoder", "refact", "codeshell", "exaone", "minerva-7b" -> new Spec(STARCODER, false, false, true, false);
            case "command-r", "smollm" -> new Spec(STARCODER, false, false, false, false);
            case "qwen2", "deepseek-r1-qwen" -> new Spec(List.of(QWEN2), false, false, false, false);
            case "stablelm2", "megrez" -> new Spec(List.of(QWEN2), false, false, true, false);
            case "chatglm-bpe", "glm4" -> new Spec(List.of(LLAMA3), false, false, true, true);
            case "poro-chat" -> new Spec(BLOOM, false, false, false, false);
            case "bloom", "gpt3-finnish" -> new Spec(BLOOM, false, false, true, false);
            case "viking" -> new Spec(List.of(BLOOM.get(0), "\\p{N}"), false, false, false, false);
            default -> throw new IllegalArgumentException("unsupported tokenizer.ggml.pre \"" + p + "\"");
        };
    }
}
