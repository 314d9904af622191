package dev.nuri.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.format.gguf.GgufWriter;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.bert.TestSafetensors;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.testkit.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** t5-tiny written with llama.cpp's T5 names and keys, read back through {@link T5Gguf}: same logits as transformers. */
class T5GgufTest {

    @Test
    void t5TinyAsGgufMatchesTransformers(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.require("hf/t5-tiny");
        Path gguf = tmp.resolve("t5-tiny.gguf");
        T5Config hf;
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            hf = T5Config.fromHf(new ObjectMapper().readTree(dir.resolve("config.json").toFile()), false, "t5-tiny");
            GgufWriter w = new GgufWriter()
                    .putString("general.architecture", "t5")
                    .putUInt32("t5.context_length", 512)
                    .putUInt32("t5.embedding_length", hf.dModel())
                    .putUInt32("t5.feed_forward_length", hf.dFf())
                    .putUInt32("t5.block_count", hf.encoderLayers())
                    .putUInt32("t5.attention.head_count", hf.heads())
                    .putUInt32("t5.attention.key_length", hf.dKv())
                    .putUInt32("t5.attention.value_length", hf.dKv())
                    .putFloat32("t5.attention.layer_norm_epsilon", hf.eps())
                    .putUInt32("t5.attention.relative_buckets_count", hf.numBuckets())
                    .putFloat32("t5.attention.layer_norm_rms_epsilon", hf.eps())
                    .putUInt32("t5.decoder_start_token_id", hf.decoderStartId())
                    .putUInt32("tokenizer.ggml.eos_token_id", hf.eosId())
                    .putUInt32("tokenizer.ggml.padding_token_id", hf.padId());
            for (String name : st.tensorNames()) {
                Tensor t = st.tensor(name);
                w.addTensor(T5Gguf.ggufName(name), t.dtype(), t.shape(), t.data());
            }
            // This checkpoint's config says not to rescale its tied head; a GGUF states that by carrying output.weight.
            Tensor shared = st.tensor("shared.weight");
            w.addTensor("output.weight", shared.dtype(), shared.shape(), shared.data());
            w.write(gguf);
        }
        Map<String, Tensor> ref = TestSafetensors.read(dir.resolve("reference.safetensors"));
        try (GgufFile g = GgufFile.open(gguf)) {
            T5Config c = T5Gguf.config(g);
            assertEquals(hf.dModel(), c.dModel());
            assertEquals(hf.gated(), c.gated());
            assertEquals(hf.activation(), c.activation());
            T5Model model = T5Gguf.load(g, "t5-tiny.gguf", Parallel.serial());
            for (int k = 0; k < 2; k++) {
                LanguageModel dec = model.decoderFor(T5TinyFixtureTest.ints(TestSafetensors.longs(ref.get("p" + k + ".input_ids"))));
                float[] logits = dec.forward(dec.newState(16), T5TinyFixtureTest.ints(TestSafetensors.longs(ref.get("p" + k + ".decoder_input_ids"))), true);
                double diff = T5TinyFixtureTest.maxDiff(logits, TestSafetensors.floats(ref.get("p" + k + ".logits")));
                System.out.printf("t5-tiny via GGUF p%d: logits max diff %.3g%n", k, diff);
                assertTrue(diff < 1e-4, "differs by " + diff);
            }
        }
    }
}
