package dev.nuri.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.Parallel;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's greedy ids and logits (fixtures/gguf/llamacpp, build b4747, F32 KV cache) against Nuri on the same GGUF
 * files. On quantized files llama.cpp rounds activations to 8 bits inside its dot products, so Nuri's exact
 * arithmetic differs slightly there: those logits are compared relative to the logit spread.
 */
class GgufFixtureTest {

    /**
     * What llama.cpp recorded for one file. The README describes {@code first4.f32} as [4][n_vocab]; the files hold
     * 5 rows (the logits after the prompt and after each of the first 4 generated ids), and all of them are compared.
     */
    record LlamaCppRun(int[] promptIds, int[] genIds, float[][] steps) {
        static LlamaCppRun read(Path gguf, int vocab) throws IOException {
            String base = gguf.getFileName().toString().replace(".gguf", "");
            Path dir = gguf.resolveSibling("llamacpp");
            Map<String, String> fields = new HashMap<>();
            for (String line : Files.readAllLines(dir.resolve(base + ".ids.txt"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            byte[] raw = Files.readAllBytes(dir.resolve(base + ".first4.f32"));
            assertEquals(0, raw.length % (4 * vocab), base + ".first4.f32 is not whole rows of " + vocab + " logits");
            float[][] steps = new float[raw.length / 4 / vocab][vocab];
            ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : steps) {
                buf.asFloatBuffer().get(row);
                buf.position(buf.position() + vocab * 4);
            }
            return new LlamaCppRun(ids(fields.get("prompt_ids")), ids(fields.get("gen_ids")), steps);
        }

        private static int[] ids(String s) {
            return Arrays.stream(s.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
        }
    }

    /** Loads the file; skips (saying why) while Nuri has no kernel for one of its weight types. */
    private static LoadedModel loadOrSkip(Path file) {
        try {
            return ModelLoader.load(file, Parallel.serial());
        } catch (ModelFormatException e) {
            if (e.getCause() instanceof UnsupportedOperationException) {
                String msg = "skipped: " + e.getMessage();
                System.err.println(msg);
                Assumptions.abort(msg);
            }
            throw e;
        }
    }

    /** Greedy ids with the KV cache, and the logits of the steps llama.cpp recorded. */
    private static float[][] run(LanguageModel model, LlamaCppRun ref, int[] generatedOut) {
        var state = model.newState(Math.min(model.info().contextLength(), ref.promptIds.length + generatedOut.length + 1));
        float[] logits = model.forward(state, ref.promptIds, false);
        float[][] steps = new float[ref.steps.length][];
        for (int i = 0; i < generatedOut.length; i++) {
            if (i < steps.length) {
                steps[i] = logits;
            }
            generatedOut[i] = dev.nuri.tensor.VectorMath.argmax(logits, 0, logits.length);
            if (i + 1 < generatedOut.length) {
                logits = model.forward(state, new int[] {generatedOut[i]}, false);
            }
        }
        return steps;
    }

    /** The largest |difference| over the steps divided by the spread (max - min) of llama.cpp's logits at that step. */
    private static double relativeDiff(float[][] want, float[][] got) {
        double worst = 0;
        for (int s = 0; s < want.length; s++) {
            float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
            for (float v : want[s]) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            worst = Math.max(worst, HfFixtureTest.maxAbsDiff(want[s], got[s]) / (max - min));
        }
        return worst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-F32", "stories260K-F16"})
    void unquantizedStoriesMatchLlamaCppGreedyIds(String name) throws IOException {
        Path file = Fixtures.require("gguf/" + name + ".gguf");
        try (LoadedModel loaded = loadOrSkip(file)) {
            LlamaCppRun ref = LlamaCppRun.read(file, loaded.model().info().vocabSize());
            int[] generated = new int[ref.genIds.length];
            float[][] steps = run(loaded.model(), ref, generated);
            assertArrayEquals(ref.genIds, generated, name + ": greedy ids");
            float worst = 0;
            for (int s = 0; s < steps.length; s++) {
                worst = Math.max(worst, HfFixtureTest.maxAbsDiff(ref.steps[s], steps[s]));
            }
            // llama.cpp rounds the activations to F16 inside its F16 dot products, so its F16 logits are not exact:
            // bound Nuri's distance from them by llama.cpp's own F16-vs-F32 distance, measured from the fixtures.
            float bound = 1e-3f;
            if (name.endsWith("-F16")) {
                LlamaCppRun f32 = LlamaCppRun.read(Fixtures.require("gguf/stories260K-F32.gguf"), loaded.model().info().vocabSize());
                for (int s = 0; s < steps.length; s++) {
                    bound = Math.max(bound, HfFixtureTest.maxAbsDiff(ref.steps[s], f32.steps[s]));
                }
            }
            System.out.printf("%s: 64 greedy ids equal; logits of the first %d steps max |diff| = %.3g (bound %.3g)%n",
                    name, steps.length, worst, bound);
            assertTrue(worst <= bound, name + ": logits differ from llama.cpp by " + worst + ", more than " + bound);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-Q4_K_M", "stories260K-Q6_K"})
    void quantizedStoriesGiveLlamaCppGreedyText(String name) throws IOException {
        Path file = Fixtures.require("gguf/" + name + ".gguf");
        try (LoadedModel loaded = loadOrSkip(file)) {
            LlamaCppRun ref = LlamaCppRun.read(file, loaded.model().info().vocabSize());
            int[] generated = new int[ref.genIds.length];
            double relative = relativeDiff(ref.steps, run(loaded.model(), ref, generated));
            System.out.printf("%s: logits of the recorded steps max |diff| / spread = %.3g%n", name, relative);
            assertArrayEquals(ref.genIds, generated, name + ": greedy ids");
            assertTrue(relative < 0.01, name + ": logits differ from llama.cpp by " + relative + " of their spread");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"synthK-random-Q8_0", "synthK-random-Q4_0", "synthK-random-Q4_K_M", "synthK-random-Q6_K"})
    void quantizedRandomModelsGiveLlamaCppLogits(String name) throws IOException {
        Path file = Fixtures.require("gguf/" + name + ".gguf");
        try (LoadedModel loaded = loadOrSkip(file)) {
            LlamaCppRun ref = LlamaCppRun.read(file, loaded.model().info().vocabSize());
            LanguageModel model = loaded.model();
            // the recorded sequence: the prompt, then llama.cpp's own generated ids, one batched pass
            int extra = ref.steps.length - 1;
            int[] ids = Arrays.copyOf(ref.promptIds, ref.promptIds.length + extra);
            System.arraycopy(ref.genIds, 0, ids, ref.promptIds.length, extra);
            float[] all = model.forward(model.newState(64), ids, true);
            int vocab = model.info().vocabSize();
            float[][] got = new float[ref.steps.length][];
            for (int s = 0; s < got.length; s++) {
                int row = ref.promptIds.length - 1 + s;
                got[s] = Arrays.copyOfRange(all, row * vocab, (row + 1) * vocab);
            }
            double relative = relativeDiff(ref.steps, got);
            System.out.printf("%s: logits of the recorded steps max |diff| / spread = %.3g%n", name, relative);
            assertTrue(relative < 0.02, name + ": logits differ from llama.cpp by " + relative + " of their spread");
        }
    }
}
