package dev.nuri.model.t5;

import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.generate.EarlyStopping;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.generate.Generator;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.bert.TestSafetensors;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.tensor.VectorMath;
import dev.nuri.testkit.Fixtures;
import dev.nuri.testkit.ReferenceJson;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** t5-tiny against Hugging Face transformers: decoder logits, greedy ids. */
class T5TinyFixtureTest {

    static int[] ints(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) a[i];
        }
        return out;
    }

    @Test
    void decoderLogitsAndGreedyIdsMatchTransformers() throws Exception {
        Path dir = Fixtures.require("hf/t5-tiny");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        Map<String, Tensor> tensors = TestSafetensors.read(dir.resolve("reference.safetensors"));
        for (int threads : new int[] {1, 2}) {
            try (Parallel p = Parallel.of(threads); T5Loader.Loaded loaded = T5Loader.open(dir, p)) {
                T5Model model = loaded.model();
                int vocab = model.config().vocabSize();
                for (int k = 0; k < ref.get("prompts").size(); k++) {
                    JsonNode prompt = ref.get("prompts").get(k);
                    int[] input = ints(tensors.get("p" + k + ".input_ids") == null ? new long[0] : TestSafetensors.longs(tensors.get("p" + k + ".input_ids")));
                    assertArrayEquals(ReferenceJson.ints(prompt.get("input_ids")), input);
                    int[] dec = ints(TestSafetensors.longs(tensors.get("p" + k + ".decoder_input_ids")));
                    float[] expected = TestSafetensors.floats(tensors.get("p" + k + ".logits"));
                    LanguageModel decoder = model.decoderFor(input);

                    float[] all = decoder.forward(decoder.newState(64), dec, true);
                    double batchDiff = maxDiff(all, expected);
                    // Token by token through the KV cache must give the same rows.
                    InferenceState s = decoder.newState(64);
                    double stepDiff = 0;
                    for (int t = 0; t < dec.length; t++) {
                        float[] row = decoder.forward(s, new int[] {dec[t]}, false);
                        for (int j = 0; j < vocab; j++) {
                            stepDiff = Math.max(stepDiff, Math.abs(row[j] - expected[t * vocab + j]));
                        }
                    }
                    System.out.printf("t5-tiny p%d (%d threads): logits max diff %.3g (batched), %.3g (cached steps)%n", k, threads, batchDiff, stepDiff);
                    assertTrue(batchDiff < 1e-4, "logits differ by " + batchDiff);
                    assertTrue(stepDiff < 1e-4, "cached logits differ by " + stepDiff);

                    int[] greedy = ReferenceJson.ints(prompt.get("greedy_ids"));
                    int[] mine = new int[greedy.length];
                    mine[0] = model.decoderPrompt()[0];
                    InferenceState g = decoder.newState(64);
                    float[] logits = decoder.forward(g, model.decoderPrompt(), false);
                    for (int i = 1; i < greedy.length; i++) {
                        mine[i] = VectorMath.argmax(logits, 0, vocab);
                        logits = decoder.forward(g, new int[] {mine[i]}, false);
                    }
                    assertArrayEquals(greedy, mine, "greedy ids of prompt " + k);
                }
            }
        }
    }

    @Test
    void greedyAndBeamSearchThroughTheGeneratorMatchTransformers() throws Exception {
        Path dir = Fixtures.require("hf/t5-tiny");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (T5Loader.Loaded loaded = T5Loader.open(dir, Parallel.serial())) {
            T5Model model = loaded.model();
            for (JsonNode prompt : ref.get("prompts")) {
                int[] input = ReferenceJson.ints(prompt.get("input_ids"));
                Generator generator = new Generator(model.decoderFor(input), new IdTokenizer(model.config().vocabSize(), model.config().eosId()));
                int[] greedy = ReferenceJson.ints(prompt.get("greedy_ids"));
                int[] beam = ReferenceJson.ints(prompt.get("beam4_ids"));
                // The references hold the decoder start token followed by the generated ids.
                GenerationResult g = generator.generate(model.decoderPrompt(), GenerationOptions.greedy(greedy.length - 1));
                assertArrayEquals(Arrays.copyOfRange(greedy, 1, greedy.length), g.tokenIds(), "greedy ids");
                GenerationOptions beamOptions = GenerationOptions.builder().maxNewTokens(beam.length - 1).numBeams(4)
                        .lengthPenalty(1.0).earlyStopping(EarlyStopping.FALSE).build();
                GenerationResult b = generator.generate(model.decoderPrompt(), beamOptions);
                assertArrayEquals(Arrays.copyOfRange(beam, 1, beam.length), b.tokenIds(), "4-beam ids");
            }
        }
    }

    @Test
    void relativePositionBucketsMatchTransformers() {
        // Worked by hand from transformers' T5Attention._relative_position_bucket (32 buckets, max distance 128).
        assertEquals(0, T5Model.bucket(0, true, 32, 128));
        assertEquals(17, T5Model.bucket(1, true, 32, 128));
        assertEquals(1, T5Model.bucket(-1, true, 32, 128));
        assertEquals(7, T5Model.bucket(-7, true, 32, 128));
        assertEquals(8, T5Model.bucket(-8, true, 32, 128));
        assertEquals(15, T5Model.bucket(-200, true, 32, 128));
        assertEquals(31, T5Model.bucket(500, true, 32, 128));
        assertEquals(0, T5Model.bucket(5, false, 32, 128));
        assertEquals(15, T5Model.bucket(-15, false, 32, 128));
        assertEquals(16, T5Model.bucket(-16, false, 32, 128));
        assertEquals(31, T5Model.bucket(-1000, false, 32, 128));
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
