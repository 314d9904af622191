package dev.nuri.embed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.nuri.tensor.Parallel;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The default model on Nuri's kernels against ONNX Runtime running the same ONNX file on the same token ids. */
class OnnxRuntimeComparisonTest {

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

    @Test
    void hiddenStatesAndEmbeddingsMatchOnnxRuntime() throws Exception {
        int[][] seqs = idSequences();
        int batch = seqs.length;
        int maxLen = 0;
        int total = 0;
        for (int[] s : seqs) {
            maxLen = Math.max(maxLen, s.length);
            total += s.length;
        }
        long[][] ids = new long[batch][maxLen];
        long[][] mask = new long[batch][maxLen];
        long[][] types = new long[batch][maxLen];
        int[] packed = new int[total];
        int[] starts = new int[batch + 1];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seqs[b].length; i++) {
                ids[b][i] = seqs[b][i];
                mask[b][i] = 1;
                packed[starts[b] + i] = seqs[b][i];
            }
            starts[b + 1] = starts[b] + seqs[b].length;
        }
        float[][][] ort;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(DefaultEmbeddingModel.onnxFile().toString(), opts);
                 OnnxTensor idT = OnnxTensor.createTensor(env, ids);
                 OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
                 OnnxTensor typeT = OnnxTensor.createTensor(env, types);
                 OrtSession.Result result = session.run(Map.of("input_ids", idT, "attention_mask", maskT, "token_type_ids", typeT))) {
                ort = (float[][][]) result.get(0).getValue();
            }
        }
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
