package dev.nuri.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.gguf.GgufWriter;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.testkit.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bert-tiny written as llama.cpp's converter names and describes BERT in GGUF, read back through {@link BertGguf}:
 * it must give the Hugging Face reference hidden states.
 */
class BertGgufTest {

    @Test
    void bertTinyAsGgufMatchesTransformers(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.require("hf/bert-tiny");
        BertConfig c = BertConfig.fromHf(new ObjectMapper().readTree(dir.resolve("config.json").toFile()), "bert-tiny");
        Path gguf = tmp.resolve("bert-tiny.gguf");
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            GgufWriter w = new GgufWriter()
                    .putString("general.architecture", "bert")
                    .putUInt32("bert.context_length", c.maxPositions())
                    .putUInt32("bert.embedding_length", c.hiddenSize())
                    .putUInt32("bert.feed_forward_length", c.intermediateSize())
                    .putUInt32("bert.block_count", c.layers())
                    .putUInt32("bert.attention.head_count", c.heads())
                    .putFloat32("bert.attention.layer_norm_epsilon", c.layerNormEps())
                    .putBool("bert.attention.causal", false)
                    .putUInt32("bert.pooling_type", 1);
            for (String name : st.tensorNames()) {
                if (name.startsWith("pooler.")) {
                    continue; // the converter drops the pooler
                }
                Tensor t = st.tensor(name);
                w.addTensor(BertGguf.ggufName(name), t.dtype(), t.shape(), t.data());
            }
            w.write(gguf);
        }
        Map<String, Tensor> ref = TestSafetensors.read(dir.resolve("reference.safetensors"));
        long[] ids = TestSafetensors.longs(ref.get("input_ids"));
        long[] mask = TestSafetensors.longs(ref.get("attention_mask"));
        int batch = (int) ref.get("input_ids").dim(0);
        int len = (int) ref.get("input_ids").dim(1);
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
        try (GgufFile g = GgufFile.open(gguf)) {
            assertEquals(c, BertGguf.config(g));
            BertModel model = BertGguf.load(g, "bert-tiny.gguf");
            float[] hidden = model.encode(tokens, null, starts, keyMask, Parallel.serial());
            double diff = BertTinyFixtureTest.maxDiff(hidden, TestSafetensors.floats(ref.get("last_hidden_state")));
            System.out.printf("bert-tiny via GGUF: last_hidden_state max diff %.3g%n", diff);
            assertTrue(diff < 1e-4, "differs by " + diff);
        }
    }

    @Test
    void otherArchitecturesAreRefused(@TempDir Path tmp) {
        Path gguf = tmp.resolve("llama.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(gguf);
        try (GgufFile g = GgufFile.open(gguf)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> BertGguf.load(g, "x"));
            assertTrue(e.getMessage().contains("'llama' is not a BERT"), e.getMessage());
        }
    }
}
