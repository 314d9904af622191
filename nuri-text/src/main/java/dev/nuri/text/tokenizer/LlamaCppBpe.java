package dev.nuri.text.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * llama.cpp's {@code llm_tokenizer_bpe}: the pre-tokenizer regexes split the text, each word is mapped to GPT-2's
 * byte characters, then merges apply by rank (leftmost on ties). A final symbol that is not a token falls back to its
 * single-byte tokens, as llama.cpp does. Merge parts that are not tokens get ids past the vocabulary.
 */
final class LlamaCppBpe {
    private static final int CACHE_LIMIT = 100_000;
    private final Map<String, Integer> symbolIds;
    private final List<String> extraSymbols = new ArrayList<>();
    private final int vocabSize;
    private final BpeMerger merger;
    private final List<Splitter> splitters = new ArrayList<>();
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    LlamaCppBpe(Map<String, Integer> vocab, int vocabSize, List<String> merges, List<String> regexSources,
                boolean ignoreMerges) {
        this.vocabSize = vocabSize;
        this.symbolIds = new HashMap<>(vocab);
        this.ignoreMerges = ignoreMerges;
        LongLongMap map = new LongLongMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int sp = m.indexOf(' ', 1);
            if (sp < 0) {
                continue; // llama.cpp records an empty pair that can never match
            }
            String left = m.substring(0, sp);
            String right = m.substring(sp + 1);
            long key = BpeMerger.pair(symbolId(left), symbolId(right));
            if (map.get(key, BpeMerger.NO_MERGE) == BpeMerger.NO_MERGE) { // the first rank of a pair wins
                map.put(key, ((long) rank << 32) | symbolId(left + right));
            }
        }
        this.merger = new BpeMerger(map);
        for (String r : regexSources) {
            splitters.add(Splitter.of(r));
        }
    }

    private int symbolId(String s) {
        Integer id = symbolIds.get(s);
        if (id == null) {
            id = vocabSize + extraSymbols.size();
            extraSymbols.add(s);
            symbolIds.put(s, id);
        }
        return id;
    }

    /** The words llama.cpp's {@code unicode_regex_split} makes of {@code text}, byte-encoded. */
    List<String> words(String text) {
        List<PreTokenizer.Piece> pieces = List.of(new PreTokenizer.Piece(text, true));
        for (Splitter splitter : splitters) {
            List<PreTokenizer.Piece> next = new ArrayList<>();
            for (PreTokenizer.Piece piece : pieces) {
                PreTokenizer.splitPiece(piece, splitter.spans(piece.text()), PreTokenizer.Behavior.ISOLATED,
                        false, next);
            }
            pieces = next;
        }
        List<String> words = new ArrayList<>(pieces.size());
        for (PreTokenizer.Piece piece : pieces) {
            words.add(ByteLevelTable.encode(piece.text()));
        }
        return words;
    }

    void tokenize(String text, IntList out) {
        for (String word : words(text)) {
            int[] cached = cache.get(word);
            if (cached == null) {
                cached = encodeWord(word);
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(word, cached);
            }
            out.addAll(cached);
        }
    }

    private int[] encodeWord(String word) {
        Integer whole = symbolIds.get(word);
        if (ignoreMerges && whole != null && whole < vocabSize) {
            return new int[] {whole};
        }
        int[] symbols = new int[word.length()];
        List<String> unknown = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < word.length(); i++) { // byte-level characters are all in the BMP
            String c = String.valueOf(word.charAt(i));
            Integer id = symbolIds.get(c);
            if (id == null) {
                unknown.add(c);
                id = -unknown.size();
            }
            symbols[n++] = id;
        }
        int[] merged = merger.mergeAll(symbols, n);
        IntList out = new IntList(merged.length);
        for (int id : merged) {
            if (id >= 0 && id < vocabSize) {
                out.add(id);
                continue;
            }
            String s = id < 0 ? unknown.get(-id - 1) : extraSymbols.get(id - vocabSize);
            for (int i = 0; i < s.length(); i++) { // llama.cpp looks up each UTF-8 byte alone: only ASCII can match
                char ch = s.charAt(i);
                Integer single = ch < 0x80 ? symbolIds.get(String.valueOf(ch)) : null;
                if (single != null && single < vocabSize) {
                    out.add(single);
                }
            }
        }
        return out.toArray();
    }
}
