package dev.nuri.train.tokenizer;

import dev.nuri.NuriException;
import dev.nuri.util.Progress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Trains a byte-level BPE vocabulary (Sennrich et al. 2016; GPT-2's byte-level variant) the way the Hugging Face
 * {@code tokenizers} {@code BpeTrainer} does: count pre-tokenized words, start from special tokens and the 256 byte
 * characters, then repeatedly merge the most frequent adjacent pair (ties: the pair of smaller ids first) until the
 * vocabulary is full or no pair occurs {@code minFrequency} times.
 */
public final class BpeTrainer {

    public record Options(int vocabSize, int minFrequency, List<String> specialTokens) {
        public Options {
            specialTokens = List.copyOf(specialTokens);
            if (vocabSize < 256 + specialTokens.size()) {
                throw new IllegalArgumentException("vocabulary size must be at least " + (256 + specialTokens.size())
                        + " (256 byte tokens + " + specialTokens.size() + " special tokens), got " + vocabSize);
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("minimum pair frequency must be at least 1, got " + minFrequency);
            }
            if (new HashSet<>(specialTokens).size() != specialTokens.size()) {
                throw new IllegalArgumentException("special tokens must be distinct: " + specialTokens);
            }
        }
    }

    private final Options options;
    private final Map<String, Long> wordCounts = new HashMap<>();

    public BpeTrainer(Options options) {
        this.options = options;
    }

    /** Adds a text (a document, or a whole file) to the counts. */
    public void feed(String text) {
        for (String w : ByteLevel.preTokenize(text)) {
            wordCounts.merge(w, 1L, Long::sum);
        }
    }

    private record Candidate(long count, long pair) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            if (count != o.count) {
                return Long.compare(o.count, count);
            }
            return Long.compare(pair, o.pair);
        }
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    public TrainedBpe train(Progress progress) {
        if (wordCounts.isEmpty()) {
            throw new NuriException("no text to train the tokenizer on (the input files are empty)");
        }
        List<String> vocab = new ArrayList<>(options.specialTokens());
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        for (String c : ByteLevel.alphabet()) {
            if (!ids.containsKey(c)) {
                ids.put(c, vocab.size());
                vocab.add(c);
            }
        }
        // words in a fixed order so training is deterministic
        TreeMap<String, Long> sortedWords = new TreeMap<>(wordCounts);
        int[][] words = new int[sortedWords.size()][];
        long[] counts = new long[words.length];
        int w = 0;
        for (Map.Entry<String, Long> e : sortedWords.entrySet()) {
            String s = e.getKey();
            int[] sym = new int[s.length()];
            for (int i = 0; i < s.length(); i++) {
                sym[i] = ids.get(String.valueOf(s.charAt(i)));
            }
            words[w] = sym;
            counts[w++] = e.getValue();
        }
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            addPairs(words[i], counts[i], i, pairCounts, pairWords);
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>();
        pairCounts.forEach((p, c) -> heap.add(new Candidate(c, p)));

        List<String[]> merges = new ArrayList<>();
        int target = options.vocabSize();
        progress.start("tokenizer merges", target - vocab.size());
        while (vocab.size() < target && !heap.isEmpty()) {
            Candidate top = heap.poll();
            long current = pairCounts.getOrDefault(top.pair(), 0L);
            if (current != top.count()) {
                if (current > 0) {
                    heap.add(new Candidate(current, top.pair()));
                }
                continue;
            }
            if (current < options.minFrequency()) {
                break;
            }
            int a = (int) (top.pair() >>> 32), b = (int) top.pair();
            String merged = vocab.get(a) + vocab.get(b);
            merges.add(new String[] {vocab.get(a), vocab.get(b)});
            Integer existing = ids.get(merged);
            int newId;
            if (existing != null) {
                newId = existing;
            } else {
                newId = vocab.size();
                vocab.add(merged);
                ids.put(merged, newId);
            }
            Set<Long> touched = new HashSet<>();
            Set<Integer> holders = pairWords.remove(top.pair());
            for (int wi : holders == null ? Set.<Integer>of() : new java.util.TreeSet<>(holders)) {
                int[] word = words[wi];
                if (!contains(word, a, b)) {
                    continue;
                }
                removePairs(word, counts[wi], pairCounts, touched);
                words[wi] = applyMerge(word, a, b, newId);
                addPairs(words[wi], counts[wi], wi, pairCounts, pairWords);
                collectPairs(words[wi], touched);
            }
            pairCounts.remove(top.pair());
            for (long p : touched) {
                Long c = pairCounts.get(p);
                if (c != null && c > 0) {
                    heap.add(new Candidate(c, p));
                }
            }
            progress.update(merges.size(), "");
        }
        progress.finish(vocab.size() + " tokens, " + merges.size() + " merges");
        return new TrainedBpe(vocab, merges, options.specialTokens());
    }

    private static boolean contains(int[] word, int a, int b) {
        for (int i = 0; i + 1 < word.length; i++) {
            if (word[i] == a && word[i + 1] == b) {
                return true;
            }
        }
        return false;
    }

    private static int[] applyMerge(int[] word, int a, int b, int id) {
        int[] out = new int[word.length];
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == a && word[i + 1] == b) {
                out[n++] = id;
                i++;
            } else {
                out[n++] = word[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static void addPairs(int[] word, long count, int wi, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> pairWords) {
        for (int i = 0; i + 1 < word.length; i++) {
            long p = key(word[i], word[i + 1]);
            pairCounts.merge(p, count, Long::sum);
            pairWords.computeIfAbsent(p, k -> new HashSet<>()).add(wi);
        }
    }

    private static void removePairs(int[] word, long count, Map<Long, Long> pairCounts, Set<Long> touched) {
        for (int i = 0; i + 1 < word.length; i++) {
            long p = key(word[i], word[i + 1]);
            pairCounts.merge(p, -count, Long::sum);
            touched.add(p);
        }
    }

    private static void collectPairs(int[] word, Set<Long> touched) {
        for (int i = 0; i + 1 < word.length; i++) {
            touched.add(key(word[i], word[i + 1]));
        }
    }

    /** Trained vocabulary (by id) and merges (in rank order). */
    public record TrainedBpe(List<String> vocab, List<String[]> merges, List<String> specialTokens) {
        public Map<String, Integer> vocabMap() {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < vocab.size(); i++) {
                m.put(vocab.get(i), i);
            }
            return m;
        }
    }
}
