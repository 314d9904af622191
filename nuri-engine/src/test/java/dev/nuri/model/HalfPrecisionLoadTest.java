package dev.nuri.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.Tensor;
import dev.nuri.tensor.WeightMatrix;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face folders stored in F16 or BF16 (as most downloads are): llama-tiny's weights are rounded to the half
 * type and written as such; the model must give the logits of the same rounded values held in F32.
 */
class HalfPrecisionLoadTest {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void halfPrecisionFolderGivesTheLogitsOfItsValues(String type, @TempDir Path tmp) throws IOException {
        DType half = DType.valueOf(type);
        Path src = Fixtures.require("hf/llama-tiny");
        Path halfDir = Files.createDirectory(tmp.resolve("half"));
        Path roundedDir = Files.createDirectory(tmp.resolve("rounded"));
        for (Path dir : new Path[] {halfDir, roundedDir}) {
            Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        }
        try (SafetensorsFile f32 = SafetensorsFile.open(src.resolve("model.safetensors"))) {
            SafetensorsWriter halfWriter = new SafetensorsWriter();
            SafetensorsWriter roundedWriter = new SafetensorsWriter();
            for (String name : f32.tensorNames()) {
                Tensor t = f32.tensor(name);
                float[] v = WeightMatrix.of(name, DType.F32, 1, (int) t.elementCount(), t.data()).toFloatArray();
                MemorySegment halfBits = Arena.ofAuto().allocate(2L * v.length);
                MemorySegment rounded = Arena.ofAuto().allocate(4L * v.length);
                for (int i = 0; i < v.length; i++) {
                    short bits = half == DType.F16 ? Float.floatToFloat16(v[i]) : bf16(v[i]);
                    halfBits.setAtIndex(LE_SHORT, i, bits);
                    rounded.setAtIndex(LE_FLOAT, i, half == DType.F16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16));
                }
                halfWriter.add(name, half, t.shape(), halfBits);
                roundedWriter.add(name, DType.F32, t.shape(), rounded);
            }
            halfWriter.write(halfDir.resolve("model.safetensors"));
            roundedWriter.write(roundedDir.resolve("model.safetensors"));
        }
        int[] ids = {0, 33, 401, 7, 999, 12};
        try (LoadedModel h = ModelLoader.load(halfDir, Parallel.serial()); LoadedModel r = ModelLoader.load(roundedDir, Parallel.serial())) {
            DecoderModel model = (DecoderModel) h.model();
            assertEquals(half, model.weights().layers().get(0).wq().dtype(), "the weights stay in " + half + ", not converted");
            float diff = HfFixtureTest.maxAbsDiff(r.model().forward(r.model().newState(8), ids, true), model.forward(model.newState(8), ids, true));
            assertTrue(diff <= 1e-4f, type + ": logits differ from the same values in F32 by " + diff);
        }
    }

    /** float32 → bfloat16, round to nearest even (as PyTorch's .to(torch.bfloat16)). */
    private static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
