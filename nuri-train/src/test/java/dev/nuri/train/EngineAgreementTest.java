package dev.nuri.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nuri.model.InferenceState;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelLoader;
import dev.nuri.tensor.Parallel;
import dev.nuri.testkit.Fixtures;
import dev.nuri.train.model.TrainableLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Training and inference must give the same logits on the same weights (DESIGN.md, "one source of truth"). */
class EngineAgreementTest {

    static void assertSameLogits(Path folder, int[] ids, double tol) {
        TrainableLlama trainable = new TrainableLlama(HfLlamaFolder.readShape(folder.resolve("config.json")), Parallel.serial());
        HfLlamaFolder.readWeights(folder.resolve("model.safetensors"), trainable.parameters());
        float[] mine = trainable.forward(ids, 1, ids.length);
        try (LoadedModel loaded = ModelLoader.load(folder, Parallel.serial())) {
            InferenceState state = loaded.model().newState(ids.length);
            float[] engine = loaded.model().forward(state, ids, true);
            assertEquals(mine.length, engine.length);
            double worst = 0;
            for (int i = 0; i < mine.length; i++) {
                worst = Math.max(worst, Math.abs(mine[i] - engine[i]));
            }
            System.out.printf("%s: training vs engine logits, max difference %.3g over %d tokens%n", folder.getFileName(), worst, ids.length);
            for (int i = 0; i < mine.length; i++) {
                assertEquals(engine[i], mine[i], tol, "logit " + i % trainable.shape().vocabSize() + " at position "
                        + i / trainable.shape().vocabSize());
            }
        }
    }

    @Test
    void trainingForwardMatchesTheInferenceEngineOnLlamaTiny() {
        Path tiny = Fixtures.require("hf/llama-tiny");
        int[] ids = new int[40];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 37 + 11) % 1024;
        }
        assertSameLogits(tiny, ids, 1e-4);
    }
}
