package dev.nuri.text.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece Unigram as Hugging Face implements it: Viterbi over the lattice of vocabulary pieces maximizing the
 * sum of piece scores; a character no piece covers costs {@code min_score - 10} and becomes the unknown token
 * (consecutive unknowns fused), or {@code <0xXX>} byte tokens with byte fallback.
 */
final class UnigramModel implements TokenModel {
    private static final double UNK_PENALTY = 10.0;
    private final Map<String, Integer> ids = new HashMap<>();
    private final double[] scores;
    private final int unkId;
    private final boolean byteFallback;
    private final double unkScore;
    private final int maxPieceChars;

    UnigramModel(List<String> pieces, double[] scores, int unkId, boolean byteFallback) {
        this.scores = scores;
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        double min = Double.POSITIVE_INFINITY;
        int maxLen = 1;
        for (int i = 0; i < pieces.size(); i++) {
            ids.putIfAbsent(pieces.get(i), i);
            min = Math.min(min, scores[i]);
            maxLen = Math.max(maxLen, pieces.get(i).length());
        }
        this.unkScore = min - UNK_PENALTY;
        this.maxPieceChars = maxLen;
    }

    @Override
    public void encode(String text, IntList out) {
        int n = text.length();
        if (n == 0) {
            return;
        }
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] via = new int[n + 1];
        java.util.Arrays.fill(from, -1);
        from[0] = 0;
        for (int start = 0; start < n; start++) {
            if (from[start] < 0 || Character.isLowSurrogate(text.charAt(start)) && start > 0
                    && Character.isHighSurrogate(text.charAt(start - 1))) {
                continue;
            }
            double base = best[start];
            int charLen = Character.charCount(text.codePointAt(start));
            boolean singleChar = false;
            int limit = Math.min(n, start + maxPieceChars);
            for (int end = start + 1; end <= limit; end++) {
                if (end < n && Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
                    continue;
                }
                Integer id = ids.get(text.substring(start, end));
                if (id == null) {
                    continue;
                }
                double candidate = base + scores[id];
                if (from[end] < 0 || candidate > best[end]) {
                    best[end] = candidate;
                    from[end] = start;
                    via[end] = id;
                }
                if (end - start == charLen) {
                    singleChar = true;
                }
            }
            if (!singleChar) {
                int end = start + charLen;
                double candidate = base + unkScore;
                if (from[end] < 0 || candidate > best[end]) {
                    best[end] = candidate;
                    from[end] = start;
                    via[end] = unkId;
                }
            }
        }
        // backtrack, fusing runs of unknowns into one string
        java.util.ArrayList<String> pieces = new java.util.ArrayList<>();
        StringBuilder unk = null;
        for (int end = n; end > 0; ) {
            int start = from[end];
            String s = text.substring(start, end);
            if (via[end] == unkId) {
                unk = unk == null ? new StringBuilder(s) : unk.insert(0, s);
            } else {
                if (unk != null) {
                    pieces.add(unk.toString());
                    unk = null;
                }
                pieces.add(s);
            }
            end = start;
        }
        if (unk != null) {
            pieces.add(unk.toString());
        }
        for (int i = pieces.size() - 1; i >= 0; i--) {
            String s = pieces.get(i);
            Integer id = ids.get(s);
            if (id != null) {
                out.add(id);
            } else if (!(byteFallback && addBytes(s, out))) {
                out.add(unkId);
            }
        }
    }

    private boolean addBytes(String s, IntList out) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] idsOut = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            Integer id = ids.get(String.format("<0x%02X>", utf8[i] & 0xFF));
            if (id == null) {
                return false;
            }
            idsOut[i] = id;
        }
        out.addAll(idsOut);
        return true;
    }
}
