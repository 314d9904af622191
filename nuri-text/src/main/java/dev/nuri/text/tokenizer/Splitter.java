package dev.nuri.text.tokenizer;

import java.util.regex.Pattern;

/**
 * Finds the matches of a pre-tokenizer regex as spans {@code [start, end, isMatch]} covering the text (see
 * {@link PreTokenizer#regexMatches}). The GPT-2, Llama 3 and Qwen2 regexes — by far the most common — have hand-written
 * scanners that give exactly the regex's matches (checked against {@link java.util.regex} in tests) several times
 * faster; any other regex runs through {@link java.util.regex}.
 */
public interface Splitter {

    int[] spans(String text);

    String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    String GPT2_LLAMA_CPP = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The fastest exact splitter for {@code regex}. */
    static Splitter of(String regex) {
        return switch (regex) {
            case GPT2 -> new FastSplitter(FastSplitter.Kind.GPT2, 0, false, false, false);
            case GPT2_LLAMA_CPP -> new FastSplitter(FastSplitter.Kind.GPT2, 0, false, false, true);
            case LLAMA3 -> new FastSplitter(FastSplitter.Kind.LLAMA3, 3, true, true, false);
            case QWEN2 -> new FastSplitter(FastSplitter.Kind.LLAMA3, 1, true, true, false);
            case LlamaCppPreTokenizers.LLAMA3 -> new FastSplitter(FastSplitter.Kind.LLAMA3, 3, true, false, false);
            case LlamaCppPreTokenizers.QWEN2 -> new FastSplitter(FastSplitter.Kind.LLAMA3, 1, true, false, false);
            default -> regex(Regexes.compileChecked(regex));
        };
    }

    static Splitter regex(Pattern pattern) {
        return text -> PreTokenizer.regexMatches(pattern, text);
    }
}
