package dev.nuri.model;

import static dev.nuri.testkit.ReferenceJson.ints;
import static dev.nuri.testkit.ReferenceJson.doubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.format.TensorSource;
import dev.nuri.format.TensorSources;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.VectorMath;
import dev.nuri.tensor.WeightMatrix;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face transformers' logits and greedy ids (fixtures/hf/*-tiny, made by tools/make_hf_fixtures.py) against
 * Nuri's forward pass on the same folder.
 */
class HfFixtureTest {
    private static final float LOGIT_TOLERANCE = 1e-4f; // fp32 with another summation order, 2 layers (fixtures README)
    private static final double MARGIN = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "qwen3-tiny", "mistral-tiny", "gemma2-tiny", "phi3-tiny", "gpt2-tiny"})
    void logitsAndGreedyIdsMatchTransformers(String fixture) throws IOException {
        Path dir = Fixtures.require("hf/" + fixture);
        JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (LanguageModel model = fixture.equals("gemma2-tiny") ? withoutAttentionSoftCap(dir) : ModelLoader.load(dir, Parallel.serial()).model();
             SafetensorsFile expected = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
            int vocab = model.info().vocabSize();
            JsonNode prompts = reference.get("prompts");
            float worst = 0;
            for (int k = 0; k < prompts.size(); k++) {
                JsonNode prompt = prompts.get(k);
                int[] ids = ints(prompt.get("input_ids"));
                float[] want = WeightMatrix.of(expected.tensor("p" + k + ".logits")).toFloatArray();
                assertEquals(ids.length * vocab, want.length);
                float[] got = model.forward(model.newState(model.info().contextLength()), ids, true);
                float diff = maxAbsDiff(want, got);
                worst = Math.max(worst, diff);
                assertTrue(diff <= LOGIT_TOLERANCE, fixture + " prompt " + k + ": logits differ by " + diff);

                int[] greedy = ints(prompt.get("greedy_ids"));
                double[] margins = doubles(prompt.get("greedy_margins"));
                int[] generated = greedyWithCache(model, ids, greedy.length);
                for (int i = 0; i < greedy.length; i++) {
                    if (margins[i] <= MARGIN) {
                        break; // a near tie: either choice is right, and the paths may part from here on
                    }
                    assertEquals(greedy[i], generated[i], fixture + " prompt " + k + ": greedy id " + i + " of " + Arrays.toString(generated));
                }
                assertDecodeEqualsPrefill(model, ids, generated);
            }
            System.out.printf("%s: max |logit - transformers| = %.3g%n", fixture, worst);
        }
    }

    /**
     * The gemma2-tiny reference was computed by transformers 5.17 with its default SDPA attention, which does not
     * apply Gemma 2's attention logit soft-cap (only transformers' eager attention does; Google's reference code and
     * llama.cpp apply it). Measured: with the cap Nuri's logits differ from the reference by up to 0.064, without it
     * by 4e-6. Nuri applies the cap by default ({@link #gemma2LoadsWithTheAttentionSoftCap}); this reproduces the
     * reference's computation.
     */
    private static LanguageModel withoutAttentionSoftCap(Path dir) {
        DecoderConfig config = HfDecoderLoader.readConfig(dir).withAttentionSoftCap(0);
        TensorSource source = TensorSources.open(dir);
        WeightBinder binder = new WeightBinder(n -> source.has(n) ? source.tensor(n) : null, source.path().toString());
        return new DecoderModel("gemma2-tiny", config, HfDecoderLoader.bindWeights(config, binder), Parallel.serial(), source);
    }

    @Test
    void gemma2LoadsWithTheAttentionSoftCap() throws IOException {
        Path dir = Fixtures.require("hf/gemma2-tiny");
        try (LoadedModel loaded = ModelLoader.load(dir, Parallel.serial());
             SafetensorsFile expected = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
            DecoderModel model = (DecoderModel) loaded.model();
            assertEquals(50f, model.config().attentionSoftCap());
            assertEquals(30f, model.config().finalSoftCap());
            JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
            int[] ids = ints(reference.get("prompts").get(0).get("input_ids"));
            float[] capped = model.forward(model.newState(64), ids, true);
            float diff = maxAbsDiff(WeightMatrix.of(expected.tensor("p0.logits")).toFloatArray(), capped);
            assertTrue(diff > 1e-2, "the soft-cap must change these logits (SDPA reference without it), diff " + diff);
        }
    }

    /** Prompt as one batched prefill, then one token at a time through the KV cache. */
    static int[] greedyWithCache(LanguageModel model, int[] prompt, int steps) {
        var state = model.newState(model.info().contextLength());
        float[] logits = model.forward(state, prompt, false);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = VectorMath.argmax(logits, 0, logits.length);
            if (i + 1 < steps) {
                logits = model.forward(state, new int[] {out[i]}, false);
            }
        }
        return out;
    }

    /** Cached decode of the generated ids must give the logits of one full prefill over prompt + generated. */
    private static void assertDecodeEqualsPrefill(LanguageModel model, int[] prompt, int[] generated) {
        int vocab = model.info().vocabSize();
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        float[] full = model.forward(model.newState(model.info().contextLength()), all, true);
        var state = model.newState(model.info().contextLength());
        model.forward(state, prompt, false);
        for (int i = 0; i < generated.length; i++) {
            float[] step = model.forward(state, new int[] {generated[i]}, false);
            int row = prompt.length + i;
            float diff = maxAbsDiff(Arrays.copyOfRange(full, row * vocab, (row + 1) * vocab), step);
            assertTrue(diff <= 1e-5f, "decode step " + i + " differs from the batched prefill by " + diff);
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
