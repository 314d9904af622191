package dev.nuri.text.tokenizer;

import dev.nuri.format.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * llama.cpp's {@code llm_tokenizer_ugm} (T5's SentencePiece Unigram): normalize with the precompiled charsmap
 * (longest-prefix replacements stored in an XOR-compressed double array, Kanda 2018), user-defined tokens kept
 * as-is, spaces escaped to "▁" with an optional prefix space and merging of space runs; then Viterbi over UTF-8
 * bytes maximizing the sum of token scores (user-defined tokens score 0, an uncovered character costs the lowest
 * score minus 10 and becomes the unknown token, runs of unknowns fused).
 */
final class LlamaCppUnigram {
    private static final double UNKNOWN_PENALTY = 10.0;
    private static final byte[] ESCAPED_SPACE = "\u2581".getBytes(StandardCharsets.UTF_8);

    /** A byte trie: child of (node, byte) in a map, token id per node (-1 for none). */
    private static final class ByteTrie {
        final Map<Long, Integer> children = new HashMap<>();
        final java.util.ArrayList<Integer> values = new java.util.ArrayList<>(java.util.List.of(-1));

        void insert(byte[] key, int value) {
            int node = 0;
            for (byte b : key) {
                long k = ((long) node << 8) | (b & 0xFF);
                Integer child = children.get(k);
                if (child == null) {
                    child = values.size();
                    values.add(-1);
                    children.put(k, child);
                }
                node = child;
            }
            values.set(node, value);
        }

        int child(int node, byte b) {
            Integer c = children.get(((long) node << 8) | (b & 0xFF));
            return c == null ? -1 : c;
        }
    }

    private final LlamaCppTokenizer vocab;
    private final ByteTrie tokens = new ByteTrie();
    private final ByteTrie userDefined = new ByteTrie();
    private final boolean[] isUserDefined;
    private final float[] scores;
    private final double unknownScore;
    private final PrecompiledCharsmap charsmap;
    private final boolean addSpacePrefix;
    private final boolean removeExtraWhitespaces;

    LlamaCppUnigram(LlamaCppTokenizer vocab, String[] texts, int[] attrs, float[] scores, byte[] charsmap,
                    boolean addSpacePrefix, boolean removeExtraWhitespaces) {
        this.vocab = vocab;
        this.scores = scores;
        this.addSpacePrefix = addSpacePrefix;
        this.removeExtraWhitespaces = removeExtraWhitespaces;
        isUserDefined = new boolean[texts.length];
        float min = Float.MAX_VALUE;
        for (int id = 0; id < texts.length; id++) {
            int a = attrs[id];
            if ((a & LlamaCppTokenizer.NORMAL) != 0) {
                min = Math.min(min, scores[id]);
            }
            byte[] bytes = texts[id].getBytes(StandardCharsets.UTF_8);
            if ((a & (LlamaCppTokenizer.NORMAL | LlamaCppTokenizer.USER_DEFINED | LlamaCppTokenizer.UNUSED)) != 0) {
                tokens.insert(bytes, id);
            }
            if ((a & LlamaCppTokenizer.USER_DEFINED) != 0) {
                userDefined.insert(bytes, id);
                isUserDefined[id] = true;
            }
        }
        unknownScore = min - UNKNOWN_PENALTY;
        try {
            this.charsmap = charsmap != null && charsmap.length > 0 ? new PrecompiledCharsmap(charsmap) : null;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("tokenizer.ggml.precompiled_charsmap: " + e.getMessage(), e);
        }
    }

    void tokenize(String text, IntList out) {
        byte[] s = normalize(text.getBytes(StandardCharsets.UTF_8));
        int n = s.length;
        if (n == 0) {
            return;
        }
        int unk = vocab.unknownId();
        int[] tokenAt = new int[n + 1];
        int[] from = new int[n + 1];
        double[] best = new double[n + 1];
        java.util.Arrays.fill(best, -Double.MAX_VALUE);
        java.util.Arrays.fill(tokenAt, unk);
        best[0] = 0;
        for (int offset = 0; offset < n; ) {
            int charLen = Math.min(utf8Length(s[offset]), n - offset);
            boolean singleCharToken = false;
            double base = best[offset];
            int node = tokens.child(0, s[offset]);
            int end = offset + 1;
            while (node >= 0) {
                int id = tokens.values.get(node);
                if (id >= 0) {
                    if (end - offset == charLen) {
                        singleCharToken = true;
                    }
                    double candidate = base + (isUserDefined[id] ? 0.0 : scores[id]);
                    if (candidate > best[end]) {
                        best[end] = candidate;
                        from[end] = offset;
                        tokenAt[end] = id;
                    }
                }
                if (end >= n) {
                    break;
                }
                node = tokens.child(node, s[end]);
                end++;
            }
            if (!singleCharToken) {
                int e = offset + charLen;
                double candidate = base + unknownScore;
                if (candidate > best[e]) {
                    best[e] = candidate;
                    from[e] = offset;
                    tokenAt[e] = unk;
                }
            }
            offset += charLen;
        }
        IntList reversed = new IntList();
        boolean prevUnknown = false;
        for (int end = n; ; end = from[end]) {
            boolean unknown = tokenAt[end] == unk;
            if (!(prevUnknown && unknown)) {
                reversed.add(tokenAt[end]);
            }
            if (from[end] == 0) {
                break;
            }
            prevUnknown = unknown;
        }
        for (int i = reversed.size() - 1; i >= 0; i--) {
            out.add(reversed.get(i));
        }
    }

    private static int utf8Length(byte lead) {
        return PrecompiledCharsmap.utf8Length(lead);
    }

    /** llama.cpp's {@code normalize}: charsmap replacements, then space escaping, prefix space and space merging. */
    byte[] normalize(byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length * 3 / 2 + 4);
        boolean spacePrepended = false;
        boolean inWord = false;
        for (int offset = 0; offset < input.length; ) {
            int[] consumed = new int[1];
            byte[] norm = normalizePrefix(input, offset, consumed);
            for (byte c : norm) {
                if (c != ' ') {
                    if (!inWord) {
                        inWord = true;
                        if ((addSpacePrefix && !spacePrepended) || removeExtraWhitespaces) {
                            out.writeBytes(ESCAPED_SPACE);
                            spacePrepended = true;
                        }
                    }
                    out.write(c);
                } else {
                    inWord = false;
                    if (!removeExtraWhitespaces) {
                        out.writeBytes(ESCAPED_SPACE);
                    }
                }
            }
            offset += consumed[0];
        }
        return out.toByteArray();
    }

    private byte[] normalizePrefix(byte[] input, int offset, int[] consumed) {
        // a user-defined token is kept as it is
        int node = 0;
        int longestUser = 0;
        for (int i = offset; i < input.length; i++) {
            node = userDefined.child(node, input[i]);
            if (node < 0) {
                break;
            }
            longestUser = i - offset + 1; // naive_trie's longest prefix walk: as far as the trie goes
        }
        if (longestUser > 0) {
            consumed[0] = longestUser;
            return java.util.Arrays.copyOfRange(input, offset, offset + longestUser);
        }
        if (charsmap != null) {
            byte[] replacement = charsmap.longestPrefix(input, offset, consumed);
            if (replacement != null) {
                return replacement;
            }
        }
        int len = Math.min(utf8Length(input[offset]), input.length - offset);
        consumed[0] = len;
        return java.util.Arrays.copyOfRange(input, offset, offset + len);
    }

}
