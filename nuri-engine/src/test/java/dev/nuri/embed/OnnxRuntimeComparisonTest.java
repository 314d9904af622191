package dev.nuri.embed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.nuri.tensor.Parallel;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The default model on Nuri's kernels against ONNX Runtime running the same ONNX file on the same token ids. */
class OnnxRuntimeComparisonTest {
    private static OrtEnvironment env;
    private static OrtSession session;

    @BeforeAll
    static void openOnnxRuntime() throws Exception {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(2);
            session = env.createSession(DefaultEmbeddingModel.onnxFile().toString(), opts);
        }
    }

    @AfterAll
    static void closeOnnxRuntime() throws Exception {
        session.close();
    }

    /** 20 varied id sequences ([CLS] … [SEP], 3 to 80 tokens) from the vocabulary's word range. */
    static int[][] idSequences() {
        Random r = new Random(7);
        int[][] seqs = new int[20][];
        for (int s = 0; s < seqs.length; s++) {
            int len = 3 + (s * 37) % 78;
            seqs[s] = new int[len];
            seqs[s][0] = 101;
            for (int i = 1; i < len - 1; i++) {
                seqs[s][i] = 1996 + r.nextInt(28000);
            }
            seqs[s][len - 1] = 102;
        }
        return seqs;
    }

    static final List<String> SENTENCES = List.of(
            "hello",
            "The cat sat on the mat.",
            "A feline rested on a rug.",
            "Retrieval augmented generation grounds answers in documents.",
            "How do I reset my password?",
            "Quarterly revenue grew 12% year over year, to $4.2 billion.",
            "대형 언어 모델은 트랜스포머를 사용한다.",
            "東京は日本の首都です。",
            "Emoji test: 🚀🔥 launch day!",
            "def fibonacci(n): return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)",
            "   leading and trailing whitespace   ",
            "UPPER CASE AND lower case AnD MiXeD",
            "Numbers like 3.14159, 2,718 and 1e-9 appear here.",
            "The mitochondria is the powerhouse of the cell.",
            "Paris is the capital of France; Berlin is the capital of Germany.",
            "naïve café résumé — accents and dashes",
            "A very long sentence that keeps going, adding clause after clause, so that the tokenizer produces many more "
                    + "word pieces than the others do, which exercises longer attention spans and padding in the batch.",
            "I/O-bound vs CPU-bound workloads",
            "¿Dónde está la biblioteca?",
            "Short.");

    @Test
    void textEmbeddingsMatchOnnxRuntime() throws Exception {
        try (Parallel p = Parallel.of(2); BertEmbeddingModel model = EmbeddingModels.openDefault(new EmbeddingModels.Options(null, true, p))) {
            int[][] seqs = new int[SENTENCES.size()][];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = model.tokenizer().encode(SENTENCES.get(i), true);
            }
            // bert-base-uncased's vocabulary: [CLS] hello [SEP].
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {101, 7592, 102}, seqs[0]);
            float[][][] ort = runOrt(seqs);
            float[][] mine = model.embed(SENTENCES);
            double maxDiff = 0;
            double minCos = 1;
            for (int b = 0; b < seqs.length; b++) {
                float[] flat = new float[seqs[b].length * 384];
                for (int t = 0; t < seqs[b].length; t++) {
                    System.arraycopy(ort[b][t], 0, flat, t * 384, 384);
                }
                float[] ref = Pooling.MEAN.pool(flat, 0, seqs[b].length, 384, null);
                Pooling.normalize(ref);
                double dot = 0;
                for (int j = 0; j < 384; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(mine[b][j] - ref[j]));
                    dot += mine[b][j] * ref[j];
                }
                minCos = Math.min(minCos, dot);
            }
            System.out.printf("all-MiniLM-L6-v2 on %d sentences vs ONNX Runtime: embedding max diff %.3g, min cosine %.8f%n",
                    SENTENCES.size(), maxDiff, minCos);
            assertTrue(maxDiff < 1e-4, "embeddings differ by " + maxDiff);
            assertTrue(minCos > 0.9999, "cosine " + minCos);
        }
    }

    /** ONNX Runtime's last_hidden_state for a padded batch of these id sequences. */
    static float[][][] runOrt(int[][] seqs) throws Exception {
        int batch = seqs.length;
        int maxLen = 0;
        for (int[] s : seqs) {
            maxLen = Math.max(maxLen, s.length);
        }
        long[][] ids = new long[batch][maxLen];
        long[][] mask = new long[batch][maxLen];
        long[][] types = new long[batch][maxLen];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seqs[b].length; i++) {
                ids[b][i] = seqs[b][i];
                mask[b][i] = 1;
            }
        }
        try (OnnxTensor idT = OnnxTensor.createTensor(env, ids);
             OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
             OnnxTensor typeT = OnnxTensor.createTensor(env, types);
             OrtSession.Result result = session.run(Map.of("input_ids", idT, "attention_mask", maskT, "token_type_ids", typeT))) {
            return (float[][][]) result.get(0).getValue();
        }
    }

    @Test
    void hiddenStatesAndEmbeddingsMatchOnnxRuntime() throws Exception {
        int[][] seqs = idSequences();
        int batch = seqs.length;
        int total = 0;
        for (int[] s : seqs) {
            total += s.length;
        }
        int[] packed = new int[total];
        int[] starts = new int[batch + 1];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(seqs[b], 0, packed, starts[b], seqs[b].length);
            starts[b + 1] = starts[b] + seqs[b].length;
        }
        float[][][] ort = runOrt(seqs);
        try (DefaultEmbeddingModel.Loaded loaded = DefaultEmbeddingModel.loadEncoder(); Parallel p = Parallel.of(2)) {
            int dim = 384;
            float[] hidden = loaded.model().encode(packed, null, starts, null, p);
            double maxHidden = 0;
            double maxEmb = 0;
            double minCos = 1;
            for (int b = 0; b < batch; b++) {
                float[] theirs = new float[seqs[b].length * dim];
                for (int t = 0; t < seqs[b].length; t++) {
                    System.arraycopy(ort[b][t], 0, theirs, t * dim, dim);
                    for (int j = 0; j < dim; j++) {
                        maxHidden = Math.max(maxHidden, Math.abs(hidden[(starts[b] + t) * dim + j] - ort[b][t][j]));
                    }
                }
                float[] mine = Pooling.MEAN.pool(hidden, starts[b], seqs[b].length, dim, null);
                float[] ref = Pooling.MEAN.pool(theirs, 0, seqs[b].length, dim, null);
                Pooling.normalize(mine);
                Pooling.normalize(ref);
                double dot = 0;
                for (int j = 0; j < dim; j++) {
                    maxEmb = Math.max(maxEmb, Math.abs(mine[j] - ref[j]));
                    dot += mine[j] * ref[j];
                }
                minCos = Math.min(minCos, dot);
            }
            System.out.printf("all-MiniLM-L6-v2 vs ONNX Runtime, %d sequences: hidden max diff %.3g, embedding max diff %.3g, min cosine %.8f%n",
                    batch, maxHidden, maxEmb, minCos);
            assertTrue(maxEmb < 1e-4, "embeddings differ by " + maxEmb);
            assertTrue(minCos > 0.9999, "cosine " + minCos);
            assertTrue(maxHidden < 1e-3, "hidden states differ by " + maxHidden);
        }
    }
}
