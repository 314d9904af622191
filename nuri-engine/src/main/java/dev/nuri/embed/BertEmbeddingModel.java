package dev.nuri.embed;

import dev.nuri.NuriException;
import dev.nuri.model.bert.BertModel;
import dev.nuri.tensor.Parallel;
import dev.nuri.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sentence embeddings from a BERT-architecture encoder: tokenize (with [CLS]/[SEP]), encode many texts as one
 * packed batch, pool ({@link Pooling}), optionally L2-normalize.
 *
 * <p>A text longer than {@link #maxTokens()} is split into consecutive windows of at most that many tokens
 * (each wrapped in the tokenizer's special tokens); each window is pooled, and the text's embedding is the
 * mean of the window embeddings weighted by their token counts, normalized afterwards if asked.
 */
public final class BertEmbeddingModel implements EmbeddingModel {
    /** Tokens per packed batch: large enough to keep the matrix kernels busy, small enough for the cache. */
    private static final int BATCH_TOKENS = 2048;

    private final String name;
    private final BertModel model;
    private final Tokenizer tokenizer;
    private final Pooling pooling;
    private final boolean normalize;
    private final Parallel parallel;
    private final int maxTokens;
    private final Runnable onClose;

    public BertEmbeddingModel(String name, BertModel model, Tokenizer tokenizer, Pooling pooling, boolean normalize,
                              Parallel parallel, Runnable onClose) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.normalize = normalize;
        this.parallel = parallel;
        this.maxTokens = model.maxTokens();
        this.onClose = onClose;
    }

    /** The same weights and tokenizer with other pooling/normalization/threads (closing it leaves the weights open). */
    public BertEmbeddingModel with(Pooling pooling, boolean normalize, Parallel parallel) {
        return new BertEmbeddingModel(name, model, tokenizer, pooling, normalize, parallel, () -> { });
    }

    public BertModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return model.config().hiddenSize();
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    /** One window of one text, ready to encode. */
    private record Window(int text, int[] ids, int weight) {
    }

    /**
     * Embeddings and how many tokens the texts hold (special tokens included, each text counted once however it is
     * windowed), as an API reports usage.
     */
    public record Embeddings(float[][] vectors, int tokens) {
    }

    @Override
    public float[][] embed(List<String> texts) {
        return embedCounting(texts).vectors();
    }

    /** {@link #embed(List)} plus the token count of the texts, from the same tokenization. */
    public Embeddings embedCounting(List<String> texts) {
        List<Window> windows = new ArrayList<>();
        int tokenCount = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
            int[] full = tokenizer.encode(text, true);
            tokenCount += full.length;
            windows.addAll(windows(i, text, full));
        }
        int dim = dimension();
        double[][] sums = new double[texts.size()][dim];
        int[] weights = new int[texts.size()];
        int from = 0;
        while (from < windows.size()) {
            int to = from;
            int tokens = 0;
            while (to < windows.size() && (to == from || tokens + windows.get(to).ids.length <= BATCH_TOKENS)) {
                tokens += windows.get(to).ids.length;
                to++;
            }
            encodeBatch(windows.subList(from, to), tokens, sums, weights);
            from = to;
        }
        float[][] out = new float[texts.size()][dim];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < dim; j++) {
                out[i][j] = (float) (sums[i][j] / weights[i]);
            }
            if (normalize) {
                Pooling.normalize(out[i]);
            }
        }
        return new Embeddings(out, tokenCount);
    }

    private void encodeBatch(List<Window> batch, int tokens, double[][] sums, int[] weights) {
        int[] ids = new int[tokens];
        int[] starts = new int[batch.size() + 1];
        for (int b = 0; b < batch.size(); b++) {
            int[] w = batch.get(b).ids;
            System.arraycopy(w, 0, ids, starts[b], w.length);
            starts[b + 1] = starts[b] + w.length;
        }
        int dim = dimension();
        float[] hidden = model.encode(ids, null, starts, null, parallel);
        for (int b = 0; b < batch.size(); b++) {
            Window w = batch.get(b);
            float[] v = pooling.pool(hidden, starts[b], w.ids.length, dim, null);
            if (w.weight != 0) {
                for (int j = 0; j < dim; j++) {
                    sums[w.text][j] += (double) v[j] * w.weight;
                }
                weights[w.text] += w.weight;
            }
        }
    }

    /**
     * The text's token windows ({@code full}: its ids with special tokens): one when it fits, else consecutive
     * windows of at most maxTokens tokens.
     */
    private List<Window> windows(int index, String text, int[] full) {
        if (full.length <= maxTokens) {
            return List.of(new Window(index, full, 1));
        }
        int[] content = tokenizer.encode(text, false);
        int prefix = specialPrefix(full, content);
        int suffix = full.length - content.length - prefix;
        if (prefix < 0 || suffix < 0 || !Arrays.equals(full, prefix, prefix + content.length, content, 0, content.length)) {
            throw new NuriException(name + ": cannot split a long text into windows: its tokens with and without special tokens do not line up");
        }
        int room = maxTokens - prefix - suffix;
        if (room <= 0) {
            throw new NuriException(name + ": the maximum of " + maxTokens + " tokens leaves no room beside the special tokens");
        }
        List<Window> out = new ArrayList<>();
        for (int s = 0; s < content.length; s += room) {
            int e = Math.min(content.length, s + room);
            int[] ids = new int[prefix + (e - s) + suffix];
            System.arraycopy(full, 0, ids, 0, prefix);
            System.arraycopy(content, s, ids, prefix, e - s);
            System.arraycopy(full, full.length - suffix, ids, prefix + (e - s), suffix);
            out.add(new Window(index, ids, e - s));
        }
        return out;
    }

    private static int specialPrefix(int[] full, int[] content) {
        int extra = full.length - content.length;
        for (int p = 0; p <= extra; p++) {
            if (content.length == 0 || (full[p] == content[0]
                    && Arrays.equals(full, p, p + content.length, content, 0, content.length))) {
                return p;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        onClose.run();
    }
}
