package dev.nuri.cli;

import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelLoader;
import dev.nuri.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nuri debug logits}: the logits of an exact id sequence, as a safetensors file. */
@Command(name = "logits",
        mixinStandardHelpOptions = true,
        description = "Run token ids through a model (no special tokens added) and write tensor 'logits', F32 [tokens, vocab].")
public final class DebugLogitsCommand implements Callable<Integer> {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Option(names = "--model", required = true, description = "Hugging Face model folder or GGUF file")
    Path model;

    @Option(names = "--ids", required = true, split = ",", description = "comma-separated token ids, e.g. 1,2,3")
    int[] ids;

    @Option(names = "--out", required = true, description = "the .safetensors file to write")
    Path out;

    @Override
    public Integer call() {
        try (LoadedModel loaded = ModelLoader.load(model)) {
            LanguageModel lm = loaded.model();
            if (ids.length > lm.info().contextLength()) {
                throw new IllegalArgumentException(ids.length + " ids do not fit in the model's context of " + lm.info().contextLength());
            }
            float[] logits = lm.forward(lm.newState(Math.max(1, ids.length)), ids, true);
            MemorySegment data = MemorySegment.ofArray(new byte[logits.length * Float.BYTES]);
            for (int i = 0; i < logits.length; i++) {
                data.setAtIndex(LE_FLOAT, i, logits[i]);
            }
            new SafetensorsWriter().add("logits", DType.F32, new long[] {ids.length, lm.info().vocabSize()}, data).write(out);
            System.out.println("wrote logits [" + ids.length + ", " + lm.info().vocabSize() + "] to " + out);
        }
        return 0;
    }
}
