package dev.nuri.train.data;

import dev.nuri.NuriException;
import java.util.SplittableRandom;

/**
 * Draws training windows of {@code seq + 1} tokens from a token range without replacement: the range is cut into
 * {@code seq}-strided windows, each epoch visits all of them once in an order shuffled from {@code (seed, epoch)}.
 * The position ({@code epoch}, {@code index}) is the whole state, so a resumed run continues the same sequence.
 */
public final class WindowSampler {
    private final int[] tokens;
    private final int start;
    private final int seq;
    private final int windows;
    private final long seed;
    private int[] order;
    private long epoch;
    private int index;

    /** Windows over {@code tokens[start, end)}. */
    public WindowSampler(int[] tokens, int start, int end, int seq, long seed) {
        if (seq <= 0) {
            throw new IllegalArgumentException("sequence length must be positive, got " + seq);
        }
        this.tokens = tokens;
        this.start = start;
        this.seq = seq;
        this.windows = Math.max(0, (end - start - 1) / seq);
        if (windows == 0) {
            throw new NuriException("not enough tokens for one window: " + (end - start) + " tokens, need at least "
                    + (seq + 1) + " (sequence length + 1)");
        }
        this.seed = seed;
        seek(0, 0);
    }

    public int windows() {
        return windows;
    }

    public long epoch() {
        return epoch;
    }

    public int index() {
        return index;
    }

    /** Moves to window {@code index} of epoch {@code epoch}. */
    public void seek(long epoch, int index) {
        if (index < 0 || index > windows) {
            throw new IllegalArgumentException("window index " + index + " outside [0, " + windows + "]");
        }
        this.epoch = epoch;
        this.index = index;
        this.order = shuffled(epoch);
    }

    private int[] shuffled(long epoch) {
        int[] o = new int[windows];
        for (int i = 0; i < windows; i++) {
            o[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = windows - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** Fills {@code batch} rows of inputs and next-token targets ({@code [batch*seq]} each). */
    public void next(int[] inputs, int[] targets, int batch) {
        for (int b = 0; b < batch; b++) {
            if (index == windows) {
                seek(epoch + 1, 0);
            }
            window(order[index++], inputs, targets, b);
        }
    }

    /** Window {@code w} (unshuffled numbering) into row {@code row}. */
    public void window(int w, int[] inputs, int[] targets, int row) {
        int from = start + w * seq;
        System.arraycopy(tokens, from, inputs, row * seq, seq);
        System.arraycopy(tokens, from + 1, targets, row * seq, seq);
    }
}
