package dev.nuri.generate;

import java.util.Arrays;

/**
 * The tokens of one sequence so far (prompt, then generated), with what the penalties need: the distinct ids of
 * the whole sequence and the occurrence count of each generated id.
 */
public final class TokenHistory {
    private final int vocabSize;
    private final int promptLength;
    private int[] tokens;
    private int size;
    private final boolean[] seen;
    private int[] distinct;
    private int distinctSize;
    private final int[] generatedCounts;
    private int[] generatedDistinct;
    private int generatedDistinctSize;

    public TokenHistory(int vocabSize, int[] prompt) {
        this.vocabSize = vocabSize;
        this.promptLength = prompt.length;
        this.tokens = new int[Math.max(16, prompt.length * 2)];
        this.seen = new boolean[vocabSize];
        this.distinct = new int[16];
        this.generatedCounts = new int[vocabSize];
        this.generatedDistinct = new int[16];
        for (int id : prompt) {
            append(id);
        }
    }

    private TokenHistory(TokenHistory o) {
        vocabSize = o.vocabSize;
        promptLength = o.promptLength;
        tokens = o.tokens.clone();
        size = o.size;
        seen = o.seen.clone();
        distinct = o.distinct.clone();
        distinctSize = o.distinctSize;
        generatedCounts = o.generatedCounts.clone();
        generatedDistinct = o.generatedDistinct.clone();
        generatedDistinctSize = o.generatedDistinctSize;
    }

    /** Appends a generated token. */
    public void add(int id) {
        append(id);
        if (generatedCounts[id]++ == 0) {
            if (generatedDistinctSize == generatedDistinct.length) {
                generatedDistinct = Arrays.copyOf(generatedDistinct, generatedDistinctSize * 2);
            }
            generatedDistinct[generatedDistinctSize++] = id;
        }
    }

    private void append(int id) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
        }
        tokens[size++] = id;
        if (!seen[id]) {
            seen[id] = true;
            if (distinctSize == distinct.length) {
                distinct = Arrays.copyOf(distinct, distinctSize * 2);
            }
            distinct[distinctSize++] = id;
        }
    }

    /** An independent copy (beam search gives each beam its own history). */
    public TokenHistory copy() {
        return new TokenHistory(this);
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int promptLength() {
        return promptLength;
    }

    /** Prompt plus generated tokens. */
    public int size() {
        return size;
    }

    public int generatedLength() {
        return size - promptLength;
    }

    public int token(int index) {
        return tokens[index];
    }

    /** The generated tokens, in order. */
    public int[] generated() {
        return Arrays.copyOfRange(tokens, promptLength, size);
    }

    /** Number of distinct ids in prompt + generated tokens; see {@link #distinctId}. */
    public int distinctCount() {
        return distinctSize;
    }

    public int distinctId(int i) {
        return distinct[i];
    }

    /** Number of distinct generated ids; see {@link #generatedDistinctId} and {@link #generatedCount}. */
    public int generatedDistinctCount() {
        return generatedDistinctSize;
    }

    public int generatedDistinctId(int i) {
        return generatedDistinct[i];
    }

    /** How often {@code id} was generated (the prompt does not count). */
    public int generatedCount(int id) {
        return generatedCounts[id];
    }
}
