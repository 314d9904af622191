package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.tensor.quant.Quantizer;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QuantizerTest {

    @Test
    void q8_0RoundsHalvesAwayFromZeroLikeRoundf() {
        float[] x = new float[32];
        x[0] = 127f; // amax 127 → d = 1, id = 1
        x[1] = -0.5f;
        x[2] = 2.5f;
        x[3] = -2.5f;
        byte[] b = Quantizer.quantize(DType.Q8_0, x, 0, 32);
        assertEquals(0x00, b[0] & 0xFF); // fp16 1.0 = 0x3C00, little-endian
        assertEquals(0x3C, b[1] & 0xFF);
        assertEquals(127, b[2]);
        assertEquals(-1, b[3]);
        assertEquals(3, b[4]);
        assertEquals(-3, b[5]);
        assertEquals(0, b[6]);
    }

    @Test
    void q4_0UsesTheSignedMaximumAndTruncatesAfterAddingEightAndAHalf() {
        float[] x = new float[32];
        x[0] = -8f; // largest magnitude, negative → d = -8 / -8 = 1
        x[1] = 7f; // 7 + 8.5 → 15
        x[2] = 3.4f; // 11.9 → 11
        x[16] = 8f; // 16.5 → 16 → clamped to 15
        byte[] b = Quantizer.quantize(DType.Q4_0, x, 0, 32);
        assertEquals(0x3C00, (b[0] & 0xFF) | (b[1] & 0xFF) << 8);
        assertEquals(0 | 15 << 4, b[2] & 0xFF); // values 0 and 16
        assertEquals(15 | 8 << 4, b[3] & 0xFF); // values 1 and 17 (0 → 8)
        assertEquals(11 | 8 << 4, b[4] & 0xFF);
    }

    /** Per-block error bounds, derived from each format's scale choice (see the cases). */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_K"})
    void roundTripErrorIsWithinTheFormatsBound(DType type) {
        int n = 4 * 256;
        Random rnd = new Random(99);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
        }
        x[5] = 0;
        float[] y = WeightMatrix.of("rt", type, 1, n, MemorySegment.ofArray(Quantizer.quantize(type, x, 0, n))).toFloatArray();
        int bs = type.blockSize() == 1 ? 32 : type.blockSize();
        for (int b = 0; b < n / bs; b++) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            float amax = 0;
            for (int j = b * bs; j < (b + 1) * bs; j++) {
                min = Math.min(min, x[j]);
                max = Math.max(max, x[j]);
                amax = Math.max(amax, Math.abs(x[j]));
            }
            for (int j = b * bs; j < (b + 1) * bs; j++) {
                double bound = switch (type) {
                    // half precision: 11 significant bits → relative error 2^-11 (plus subnormal spacing)
                    case F16 -> Math.abs(x[j]) * 0x1p-11 + 0x1p-25;
                    // bfloat16: 8 significant bits → 2^-8 relative
                    case BF16 -> Math.abs(x[j]) * 0x1p-8;
                    // d = amax/127, q = round(x/d): |x - q·d| ≤ d/2; d is stored as fp16 (rel. 2^-11) and
                    // |q| ≤ 127 multiplies that rounding
                    case Q8_0 -> amax / 127.0 * (0.5 + 127 * 0x1p-11) + 1e-6 * amax;
                    // d = ±amax/8, q = trunc(x/d + 8.5) ∈ [0, 15]: ≤ d/2, except the value opposite the extreme
                    // (x/d = 8 → 16 clamped to 15) which is off by d; 8·|Δd| from the fp16 scale
                    case Q4_0 -> amax / 8.0 * (1 + 8 * 0x1p-11) + 1e-6 * amax;
                    case Q5_0 -> amax / 16.0 * (1 + 16 * 0x1p-11) + 1e-6 * amax;
                    // d = (max-min)/15, q = trunc((x-min)/d + 0.5): ≤ d/2, plus fp16 rounding of d (×15) and of min
                    case Q4_1 -> (max - min) / 15.0 * (0.5 + 15 * 0x1p-11) + Math.abs(min) * 0x1p-11 + 1e-6 * (max - min);
                    case Q5_1 -> (max - min) / 31.0 * (0.5 + 31 * 0x1p-11) + Math.abs(min) * 0x1p-11 + 1e-6 * (max - min);
                    // d = amax/127 stored as float, q = nearest(x/d) ≤ 127: ≤ d/2
                    case Q8_K -> amax / 127.0 * 0.5 + 1e-6 * amax;
                    default -> throw new AssertionError(type);
                };
                assertTrue(Math.abs(x[j] - y[j]) <= bound,
                        type + " value " + j + ": " + x[j] + " came back as " + y[j] + " (bound " + bound + ")");
            }
        }
    }

    @Test
    void unsupportedTargetsAndRaggedInputsAreRejected() {
        var e = assertThrows(UnsupportedOperationException.class, () -> Quantizer.quantize(DType.Q3_K, new float[256], 0, 256));
        assertTrue(e.getMessage().contains("Q3_K"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(DType.Q8_0, new float[40], 0, 40));
    }
}
