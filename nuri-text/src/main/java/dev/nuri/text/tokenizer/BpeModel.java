package dev.nuri.text.tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hugging Face's BPE model: a piece is split into characters (with {@code continuing_subword_prefix} /
 * {@code end_of_word_suffix}), unknown characters fall back to {@code <0xXX>} byte tokens or to the (optionally
 * fused) unknown token, then merges apply by rank. Results are cached per piece.
 */
final class BpeModel implements TokenModel {
    private static final int CACHE_LIMIT = 100_000;
    private final Map<String, Integer> vocab;
    private final BpeMerger merger;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final String prefix;
    private final String suffix;
    private final int[] byteTokens = new int[256];
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    /** No merge joins a symbol ending in a non-▁ character to one starting with ▁, so words can be merged alone. */
    private final boolean wordsIndependent;

    /** {@code merges}: pairs of token strings in rank order. */
    BpeModel(Map<String, Integer> vocab, java.util.List<String[]> merges, String unkToken, boolean fuseUnk,
             boolean byteFallback, boolean ignoreMerges, String prefix, String suffix) {
        this.vocab = vocab;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.prefix = prefix;
        this.suffix = suffix;
        Integer unk = unkToken == null ? null : vocab.get(unkToken);
        if (unkToken != null && unk == null) {
            throw new IllegalArgumentException("unk_token " + unkToken + " is not in the vocabulary");
        }
        this.unkId = unk == null ? -1 : unk;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            byteTokens[b] = id == null ? -1 : id;
        }
        boolean independent = true;
        for (String[] m : merges) {
            if (!m[0].isEmpty() && !m[1].isEmpty() && m[0].charAt(m[0].length() - 1) != SPACE_MARK
                    && m[1].charAt(0) == SPACE_MARK) {
                independent = false;
                break;
            }
        }
        this.wordsIndependent = independent;
        LongLongMap map = new LongLongMap(merges.size());
        int prefixLen = prefix == null ? 0 : prefix.length();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer a = vocab.get(m[0]);
            Integer b = vocab.get(m[1]);
            if (a == null || b == null) {
                throw new IllegalArgumentException("merge " + m[0] + " " + m[1] + " (rank " + rank
                        + ") uses a token that is not in the vocabulary");
            }
            String merged = m[0] + (prefixLen > 0 && m[1].startsWith(prefix) ? m[1].substring(prefixLen) : m[1]);
            Integer id = vocab.get(merged);
            if (id == null) {
                throw new IllegalArgumentException("merge " + m[0] + " " + m[1] + " (rank " + rank
                        + ") makes " + merged + ", which is not in the vocabulary");
            }
            map.put(BpeMerger.pair(a, b), ((long) rank << 32) | id);
        }
        this.merger = new BpeMerger(map);
    }

    boolean wordsIndependent() {
        return wordsIndependent;
    }

    private static final char SPACE_MARK = '\u2581';
    private static final int LONG_PIECE = 64;

    @Override
    public void encode(String piece, IntList out) {
        if (piece.length() > LONG_PIECE && wordsIndependent && !ignoreMerges) {
            // SentencePiece-style text arrives as one long piece: merge word by word (same result, cacheable)
            int start = 0;
            for (int i = 1; i < piece.length(); i++) {
                if (piece.charAt(i) == SPACE_MARK && piece.charAt(i - 1) != SPACE_MARK) {
                    encodeWord(piece.substring(start, i), out);
                    start = i;
                }
            }
            encodeWord(piece.substring(start), out);
            return;
        }
        encodeWord(piece, out);
    }

    private void encodeWord(String piece, IntList out) {
        if (piece.length() > 4 * LONG_PIECE) {
            out.addAll(encodeUncached(piece));
            return;
        }
        int[] cached = cache.get(piece);
        if (cached == null) {
            cached = encodeUncached(piece);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(piece, cached);
        }
        out.addAll(cached);
    }

    int[] encodeUncached(String word) {
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        IntList symbols = new IntList(word.length() + 2);
        int pendingUnk = -1;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int end = i + Character.charCount(cp);
            String s = word.substring(i, end);
            if (i > 0 && prefix != null) {
                s = prefix + s;
            }
            if (end == word.length() && suffix != null) {
                s = s + suffix;
            }
            i = end;
            Integer id = vocab.get(s);
            if (id != null) {
                if (pendingUnk >= 0) {
                    symbols.add(pendingUnk);
                    pendingUnk = -1;
                }
                symbols.add(id);
                continue;
            }
            if (byteFallback && addBytes(s, symbols)) {
                continue; // as in HF, a pending unknown token stays pending past byte tokens
            }
            if (unkId >= 0) {
                if (pendingUnk >= 0 && !fuseUnk) {
                    symbols.add(pendingUnk);
                }
                pendingUnk = unkId;
            }
        }
        if (pendingUnk >= 0) {
            symbols.add(pendingUnk);
        }
        int[] arr = symbols.toArray();
        return merger.mergeAll(arr, arr.length);
    }

    private boolean addBytes(String s, IntList symbols) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : utf8) {
            if (byteTokens[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : utf8) {
            symbols.add(byteTokens[b & 0xFF]);
        }
        return true;
    }
}
