package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nuri.format.gguf.GgufFile;
import dev.nuri.testkit.Fixtures;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dequantizes every tensor of llama.cpp-quantized GGUF fixtures and compares it with the unquantized weights
 * (stories260K-F32) or, for the synthK files that have no F32 copy here, with the Q8_0 file of the same
 * weights. Bounds per format, per block of the reference values:
 * <ul>
 * <li>F16: round to nearest, |err| ≤ |x|·2^-11 (+2^-25 for subnormals).
 * <li>Q8_0 (d = amax/127, q = round(x/d)): |err| ≤ d/2 plus 127·|d − fp16(d)| ≤ d·(1/2 + 127·2^-11).
 * <li>Q4_0 / Q5_0 (d = ±amax/8 or /16, q = trunc(x/d + 8.5 or 16.5)): |err| ≤ |d| (the value opposite the
 * extreme clamps from 16 to 15, or 32 to 31) plus the fp16 rounding of d times 8 or 16.
 * <li>K-quants (scales found by a weighted least-squares search that may clip outliers, so no per-element
 * maximum holds): the RMS error of each 256-value super-block is at most one quantization step of its range,
 * range/(2^bits − 1); a wrong layout gives errors of the order of the range itself.
 * </ul>
 * When the reference is itself Q8_0 (synthK), its own bound is added.
 * Dot products on every real tensor are also checked against dequantize-then-dot.
 */
class GgufDequantizationTest {

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-F16.gguf", "stories260K-Q4_K_M.gguf", "stories260K-Q6_K.gguf"})
    void storiesTensorsMatchTheF32File(String file) {
        compareFiles("gguf/stories260K-F32.gguf", "gguf/" + file, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"synthK-random-Q4_0.gguf", "synthK-random-Q4_K_M.gguf", "synthK-random-Q6_K.gguf"})
    void synthKTensorsMatchTheQ8_0File(String file) {
        compareFiles("gguf/synthK-random-Q8_0.gguf", "gguf/" + file, true);
    }

    private static void compareFiles(String referenceFile, String quantizedFile, boolean referenceIsQ8) {
        Map<DType, Integer> typesSeen = new TreeMap<>();
        try (GgufFile ref = GgufFile.open(Fixtures.require(referenceFile));
             GgufFile q = GgufFile.open(Fixtures.require(quantizedFile))) {
            for (String name : q.tensorNames()) {
                Tensor t = q.tensor(name);
                if (t.rank() > 2) {
                    continue;
                }
                Tensor r = ref.tensor(name);
                WeightMatrix qm = WeightMatrix.of(t);
                WeightMatrix rm = WeightMatrix.of(r);
                float[] got = qm.toFloatArray();
                float[] exact = rm.toFloatArray();
                assertEquals(exact.length, got.length, name);
                checkWithinBound(t.dtype(), exact, got, name, referenceIsQ8 ? r.dtype() : DType.F32);
                checkDots(qm, got, name);
                typesSeen.merge(t.dtype(), 1, Integer::sum);
            }
        }
        System.out.println(quantizedFile + ": tensor types " + typesSeen);
        assertTrue(typesSeen.keySet().stream().anyMatch(DType::isQuantized) || typesSeen.containsKey(DType.F16),
                quantizedFile + " should hold converted tensors: " + typesSeen);
    }

    private static void checkWithinBound(DType type, float[] exact, float[] got, String name, DType refType) {
        int bs = type.isQuantized() ? type.blockSize() : 32;
        int refBs = refType.isQuantized() ? refType.blockSize() : 32;
        int span = Math.max(bs, refBs);
        for (int b = 0; b < exact.length / span; b++) {
            int from = b * span;
            int to = from + span;
            double refError = refType == DType.F32 ? 0 : maxBound(refType, exact, from, to); // error of the reference
            switch (type) {
                case F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_1, Q5_1 -> {
                    for (int s = from; s < to; s += bs) {
                        double bound = type == DType.F16 || type == DType.F32 || type == DType.BF16
                                ? -1 : maxBound(type, exact, s, s + bs) + refError;
                        for (int j = s; j < s + bs; j++) {
                            double bj = bound >= 0 ? bound : elementBound(type, exact[j]) + refError;
                            if (Math.abs(exact[j] - got[j]) > bj) {
                                fail(name + " (" + type + ") value " + j + ": expected " + exact[j] + " ± " + bj + ", got " + got[j]);
                            }
                        }
                    }
                }
                case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> {
                    int bits = switch (type) {
                        case Q2_K -> 2;
                        case Q3_K -> 3;
                        case Q4_K -> 4;
                        case Q5_K -> 5;
                        default -> 6;
                    };
                    float min = Float.MAX_VALUE;
                    float max = -Float.MAX_VALUE;
                    double se = 0;
                    for (int j = from; j < to; j++) {
                        min = Math.min(min, exact[j]);
                        max = Math.max(max, exact[j]);
                        se += (exact[j] - got[j]) * (double) (exact[j] - got[j]);
                    }
                    double range = Math.max(max - min, Math.max(Math.abs(min), Math.abs(max)));
                    double rms = Math.sqrt(se / span);
                    double bound = range / ((1 << bits) - 1) + refError;
                    if (rms > bound) {
                        fail(name + " (" + type + ") super-block " + b + ": RMS error " + rms + " above one step " + bound);
                    }
                }
                default -> fail(name + ": no error bound for " + type);
            }
        }
    }

    private static double elementBound(DType type, float x) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> Math.abs(x) * 0x1p-11 + 0x1p-25;
            case BF16 -> Math.abs(x) * 0x1p-8;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** The largest error the reference quantizer of {@code type} can make on values x[from, to). */
    private static double maxBound(DType type, float[] x, int from, int to) {
        double amax = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int j = from; j < to; j++) {
            amax = Math.max(amax, Math.abs(x[j]));
            min = Math.min(min, x[j]);
            max = Math.max(max, x[j]);
        }
        double eps = 1e-6 * amax;
        return switch (type) {
            case Q8_0 -> amax / 127 * (0.5 + 127 * 0x1p-11) + eps;
            case Q4_0 -> amax / 8 * (1 + 8 * 0x1p-11) + eps;
            case Q5_0 -> amax / 16 * (1 + 16 * 0x1p-11) + eps;
            case Q4_1 -> (max - min) / 15 * (0.5 + 15 * 0x1p-11) + Math.abs(min) * 0x1p-11 + eps;
            case Q5_1 -> (max - min) / 31 * (0.5 + 31 * 0x1p-11) + Math.abs(min) * 0x1p-11 + eps;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** A few rows' fast dot products against the dequantized rows (1e-5 of the sum of |terms|). */
    private static void checkDots(WeightMatrix m, float[] dequantized, String name) {
        Random rnd = new Random(name.hashCode());
        float[] x = new float[m.cols()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int k = 0; k < 8; k++) {
            int r = rnd.nextInt(m.rows());
            double exact = 0;
            double magnitude = 0;
            for (int j = 0; j < m.cols(); j++) {
                double term = (double) dequantized[r * m.cols() + j] * x[j];
                exact += term;
                magnitude += Math.abs(term);
            }
            assertEquals(exact, m.dot(r, x, 0), 1e-5 * magnitude + 1e-30, name + " row " + r);
        }
    }
}
