package dev.nuri.text.tokenizer;

import java.util.Map;

/** WordPiece: greedy longest-match-first, continuation pieces prefixed ({@code ##}); any failure → the unknown token. */
final class WordPieceModel implements TokenModel {
    private final Map<String, Integer> vocab;
    private final int unkId;
    private final String prefix;
    private final int maxChars;

    WordPieceModel(Map<String, Integer> vocab, String unkToken, String prefix, int maxChars) {
        this.vocab = vocab;
        Integer unk = vocab.get(unkToken);
        if (unk == null) {
            throw new IllegalArgumentException("unk_token " + unkToken + " is not in the vocabulary");
        }
        this.unkId = unk;
        this.prefix = prefix;
        this.maxChars = maxChars;
    }

    @Override
    public void encode(String word, IntList out) {
        if (word.codePointCount(0, word.length()) > maxChars) {
            out.add(unkId);
            return;
        }
        IntList pieces = new IntList();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            int found = -1;
            while (start < end) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = prefix + sub;
                }
                Integer id = vocab.get(sub);
                if (id != null) {
                    found = id;
                    break;
                }
                end -= Character.charCount(word.codePointBefore(end));
            }
            if (found < 0) {
                out.add(unkId);
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces.toArray());
    }
}
