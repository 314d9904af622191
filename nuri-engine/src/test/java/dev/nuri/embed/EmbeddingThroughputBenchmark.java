package dev.nuri.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.nuri.model.bert.BertModel;
import dev.nuri.tensor.Parallel;
import java.util.Map;
import java.util.Random;

/**
 * Sentences per second of the default model (all-MiniLM-L6-v2) on Nuri's kernels and on ONNX Runtime, same
 * token ids, same thread count. Run: {@code java ... dev.nuri.embed.EmbeddingThroughputBenchmark [sentences] [threads...]}.
 * Nuri packs up to 2,048 tokens per pass (no padding); ONNX Runtime gets padded batches of 32 sentences.
 */
public final class EmbeddingThroughputBenchmark {
    private static final int ORT_BATCH = 32;
    private static final int NURI_BATCH_TOKENS = 2048;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int[] threadCounts = args.length > 1 ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2};
        int[][] sentences = sentences(count);
        long tokens = java.util.Arrays.stream(sentences).mapToLong(s -> s.length).sum();
        System.out.printf("%d sentences, %.1f tokens each on average (with [CLS]/[SEP])%n", count, tokens / (double) count);
        try (DefaultEmbeddingModel.Loaded loaded = DefaultEmbeddingModel.loadEncoder()) {
            for (int threads : threadCounts) {
                double nuri;
                try (Parallel p = Parallel.of(threads)) {
                    runNuri(loaded.model(), sentences, p);
                    long t0 = System.nanoTime();
                    runNuri(loaded.model(), sentences, p);
                    nuri = count / ((System.nanoTime() - t0) / 1e9);
                }
                double ort = runOrt(sentences, threads);
                System.out.printf("threads %d: Nuri %.1f sentences/s, ONNX Runtime %.1f sentences/s (Nuri/ORT = %.2f)%n",
                        threads, nuri, ort, nuri / ort);
            }
        }
    }

    /** Sentence-like id sequences: 8 to 40 word pieces from the vocabulary's word range, wrapped in [CLS] … [SEP]. */
    static int[][] sentences(int count) {
        Random r = new Random(42);
        int[][] out = new int[count][];
        for (int s = 0; s < count; s++) {
            int len = 10 + r.nextInt(33);
            out[s] = new int[len];
            out[s][0] = 101;
            for (int i = 1; i < len - 1; i++) {
                out[s][i] = 1996 + r.nextInt(28000);
            }
            out[s][len - 1] = 102;
        }
        return out;
    }

    static float[][] runNuri(BertModel model, int[][] sentences, Parallel p) {
        int dim = model.config().hiddenSize();
        float[][] out = new float[sentences.length][];
        int from = 0;
        while (from < sentences.length) {
            int to = from;
            int tokens = 0;
            while (to < sentences.length && (to == from || tokens + sentences[to].length <= NURI_BATCH_TOKENS)) {
                tokens += sentences[to++].length;
            }
            int[] ids = new int[tokens];
            int[] starts = new int[to - from + 1];
            for (int b = from; b < to; b++) {
                System.arraycopy(sentences[b], 0, ids, starts[b - from], sentences[b].length);
                starts[b - from + 1] = starts[b - from] + sentences[b].length;
            }
            float[] hidden = model.encode(ids, null, starts, null, p);
            for (int b = from; b < to; b++) {
                out[b] = Pooling.MEAN.pool(hidden, starts[b - from], sentences[b].length, dim, null);
                Pooling.normalize(out[b]);
            }
            from = to;
        }
        return out;
    }

    static double runOrt(int[][] sentences, int threads) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(DefaultEmbeddingModel.onnxFile().toString(), opts)) {
                ortPass(env, session, sentences);
                long t0 = System.nanoTime();
                ortPass(env, session, sentences);
                return sentences.length / ((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    private static void ortPass(OrtEnvironment env, OrtSession session, int[][] sentences) throws Exception {
        for (int from = 0; from < sentences.length; from += ORT_BATCH) {
            int to = Math.min(sentences.length, from + ORT_BATCH);
            int maxLen = 0;
            for (int b = from; b < to; b++) {
                maxLen = Math.max(maxLen, sentences[b].length);
            }
            long[][] ids = new long[to - from][maxLen];
            long[][] mask = new long[to - from][maxLen];
            long[][] types = new long[to - from][maxLen];
            for (int b = from; b < to; b++) {
                for (int i = 0; i < sentences[b].length; i++) {
                    ids[b - from][i] = sentences[b][i];
                    mask[b - from][i] = 1;
                }
            }
            try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
                 OnnxTensor m = OnnxTensor.createTensor(env, mask);
                 OnnxTensor t = OnnxTensor.createTensor(env, types);
                 OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", t))) {
                float[][][] hidden = (float[][][]) r.get(0).getValue();
                // Pool as a caller would, so both sides do the same work.
                for (int b = 0; b < hidden.length; b++) {
                    float[] flat = new float[sentences[from + b].length * hidden[b][0].length];
                    for (int i = 0; i < sentences[from + b].length; i++) {
                        System.arraycopy(hidden[b][i], 0, flat, i * hidden[b][i].length, hidden[b][i].length);
                    }
                    Pooling.normalize(Pooling.MEAN.pool(flat, 0, sentences[from + b].length, hidden[b][0].length, null));
                }
            }
        }
    }
}
