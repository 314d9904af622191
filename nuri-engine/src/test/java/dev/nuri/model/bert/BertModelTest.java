package dev.nuri.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.Parallel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BertModelTest {
    private final BertModel model = RandomBert.model(1);
    private final int h = RandomBert.CONFIG.hiddenSize();

    @Test
    void packedBatchEqualsSequencesOneByOneAndPaddingDoesNotLeak() {
        int[] a = {1, 5, 9, 2};
        int[] b = {1, 7, 3, 8, 4, 2};
        float[] alone = model.encode(a, null, new int[] {0, a.length}, null, Parallel.serial());
        float[] packed = model.encode(concat(a, b), null, new int[] {0, a.length, a.length + b.length}, null, Parallel.serial());
        // Equal up to float rounding: the Vector API's lane reduction order differs between interpreted and compiled code.
        assertClose(alone, Arrays.copyOf(packed, a.length * h));
        // a padded to 6 tokens with masked pad keys: its real tokens must not change.
        int[] padded = concat(a, new int[] {0, 0});
        boolean[] mask = {true, true, true, true, false, false};
        float[] withPads = model.encode(padded, null, new int[] {0, padded.length}, mask, Parallel.serial());
        for (int i = 0; i < a.length * h; i++) {
            assertEquals(alone[i], withPads[i], 1e-6f);
        }
        try (Parallel two = Parallel.of(2)) {
            assertClose(packed, model.encode(concat(a, b), null, new int[] {0, a.length, a.length + b.length}, null, two));
        }
    }

    @Test
    void tokenTypesChangeTheOutput() {
        int[] ids = {1, 5, 9, 2};
        float[] zeros = model.encode(ids, null, new int[] {0, 4}, null, Parallel.serial());
        float[] ones = model.encode(ids, new int[] {1, 1, 1, 1}, new int[] {0, 4}, null, Parallel.serial());
        assertTrue(!Arrays.equals(zeros, ones));
        assertClose(zeros, model.encode(ids, new int[4], new int[] {0, 4}, null, Parallel.serial()));
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        NuriException tooLong = assertThrows(NuriException.class,
                () -> model.encode(new int[13], null, new int[] {0, 13}, null, Parallel.serial()));
        assertTrue(tooLong.getMessage().contains("12"), tooLong.getMessage());
        IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                () -> model.encode(new int[] {1, 50}, null, new int[] {0, 2}, null, Parallel.serial()));
        assertTrue(badId.getMessage().contains("50"), badId.getMessage());
        IllegalArgumentException allMasked = assertThrows(IllegalArgumentException.class,
                () -> model.encode(new int[] {1, 2}, null, new int[] {0, 2}, new boolean[] {false, false}, Parallel.serial()));
        assertTrue(allMasked.getMessage().contains("mask"), allMasked.getMessage());
    }

    @Test
    void missingOrMisshapenWeightsAreNamed() {
        ModelFormatException missing = assertThrows(ModelFormatException.class,
                () -> BertModel.fromHfNames("x", RandomBert.CONFIG, new WeightLookup("empty.safetensors", n -> null, n -> false)));
        assertTrue(missing.getMessage().contains("empty.safetensors") && missing.getMessage().contains("'"), missing.getMessage());
        BertConfig wider = new BertConfig(50, 32, 2, 4, 24, 12, 2, 1e-12f, RandomBert.CONFIG.activation());
        ModelFormatException shape = assertThrows(ModelFormatException.class,
                () -> BertModel.fromHfNames("x", wider, RandomBert.weights(2)));
        assertTrue(shape.getMessage().contains("has shape [16, 16], expected [32, 32]"), shape.getMessage());
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6f, "value " + i);
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
