package dev.nuri.text.tokenizer;

import java.util.PriorityQueue;

/**
 * llama.cpp's {@code llm_tokenizer_spm}: start from single characters, repeatedly merge the adjacent pair whose
 * concatenation is a vocabulary token with the highest score (leftmost on ties); characters left without a token
 * become {@code <0xXX>} byte tokens.
 */
final class LlamaCppSpm {
    private LlamaCppSpm() {
    }

    private record Bigram(int left, int right, float score, int size) {
    }

    static void tokenize(String text, LlamaCppTokenizer vocab, IntList out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) {
            return;
        }
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, pos = 0; i < n; i++) {
            int cp = text.codePointAt(pos);
            start[i] = pos;
            len[i] = Character.charCount(cp);
            pos += len[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Float.compare(b.score(), a.score());
            return c != 0 ? c : Integer.compare(a.left(), b.left());
        });
        for (int i = 1; i < n; i++) {
            addBigram(text, vocab, queue, start, len, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int l = bigram.left();
            int r = bigram.right();
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bigram.size()) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            addBigram(text, vocab, queue, start, len, prev[l], l);
            addBigram(text, vocab, queue, start, len, l, next[l]);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = text.substring(start[i], start[i] + len[i]);
            int id = vocab.idOf(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    out.add(vocab.byteToken(b & 0xFF));
                }
            }
        }
    }

    private static void addBigram(String text, LlamaCppTokenizer vocab, PriorityQueue<Bigram> queue, int[] start,
                                  int[] len, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        String joined = text.substring(start[left], start[left] + len[left] + len[right]);
        int id = vocab.idOf(joined);
        if (id < 0) {
            return;
        }
        queue.add(new Bigram(left, right, vocab.score(id), joined.length()));
    }
}
