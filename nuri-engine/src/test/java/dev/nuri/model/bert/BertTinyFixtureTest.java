package dev.nuri.model.bert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.embed.Pooling;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.testkit.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bert-tiny against Hugging Face transformers: last_hidden_state and mean-pooled embeddings of a padded batch. */
class BertTinyFixtureTest {

    @Test
    void paddedBatchMatchesTransformers() throws Exception {
        Path dir = Fixtures.require("hf/bert-tiny");
        BertConfig config = BertConfig.fromHf(new ObjectMapper().readTree(dir.resolve("config.json").toFile()), "bert-tiny");
        SafetensorsFile weights = SafetensorsFile.open(dir.resolve("model.safetensors"));
        BertModel model = BertModel.fromHfNames("bert-tiny", config, WeightLookup.of(weights));
        Map<String, Tensor> ref = TestSafetensors.read(dir.resolve("reference.safetensors"));
        long[] ids = TestSafetensors.longs(ref.get("input_ids"));
        long[] mask = TestSafetensors.longs(ref.get("attention_mask"));
        int batch = (int) ref.get("input_ids").dim(0);
        int len = (int) ref.get("input_ids").dim(1);
        int h = config.hiddenSize();
        int[] tokens = new int[ids.length];
        boolean[] keyMask = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = (int) ids[i];
            keyMask[i] = mask[i] != 0;
        }
        int[] starts = new int[batch + 1];
        for (int b = 0; b <= batch; b++) {
            starts[b] = b * len;
        }
        for (int threads : new int[] {1, 2}) {
            try (Parallel p = Parallel.of(threads)) {
                float[] hidden = model.encode(tokens, null, starts, keyMask, p);
                double hiddenDiff = maxDiff(hidden, TestSafetensors.floats(ref.get("last_hidden_state")));
                float[] pooled = new float[batch * h];
                float[] normalized = new float[batch * h];
                for (int b = 0; b < batch; b++) {
                    float[] v = Pooling.MEAN.pool(hidden, starts[b], len, h, keyMask);
                    System.arraycopy(v, 0, pooled, b * h, h);
                    Pooling.normalize(v);
                    System.arraycopy(v, 0, normalized, b * h, h);
                }
                double pooledDiff = maxDiff(pooled, TestSafetensors.floats(ref.get("mean_pooled")));
                double normDiff = maxDiff(normalized, TestSafetensors.floats(ref.get("mean_pooled_normalized")));
                System.out.printf("bert-tiny (%d threads): last_hidden_state max diff %.3g, mean_pooled %.3g, normalized %.3g%n",
                        threads, hiddenDiff, pooledDiff, normDiff);
                assertTrue(hiddenDiff < 1e-4, "last_hidden_state differs by " + hiddenDiff);
                assertTrue(pooledDiff < 1e-4, "mean_pooled differs by " + pooledDiff);
                assertTrue(normDiff < 1e-5, "mean_pooled_normalized differs by " + normDiff);
            }
        }
        weights.close();
    }

    static double maxDiff(float[] a, float[] b) {
        assertTrue(a.length == b.length, "lengths " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
