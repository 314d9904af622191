package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nuri.tensor.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightMatrixTest {

    static final DType[] COMPUTE_TYPES = {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_1,
        DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.Q8_K};

    // ---- dequantization of hand-built blocks; expected values worked out by hand from ggml-common.h ----

    private static WeightMatrix matrix(DType type, int cols, byte[] bytes) {
        return WeightMatrix.of("hand", type, 1, cols, MemorySegment.ofArray(bytes));
    }

    private static void half(byte[] b, int o, int bits) {
        b[o] = (byte) bits;
        b[o + 1] = (byte) (bits >> 8);
    }

    @Test
    void f16AndBf16WidenExactly() {
        byte[] h = new byte[8];
        half(h, 0, 0x3C00); // 1.0
        half(h, 2, 0x0001); // smallest subnormal 2^-24
        half(h, 4, 0xFC00); // -inf
        half(h, 6, 0xC500); // -5.0
        assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY, -5f}, matrix(DType.F16, 4, h).toFloatArray());
        byte[] bf = new byte[4];
        half(bf, 0, 0x3F80); // 1.0
        half(bf, 2, 0xC0A0); // -5.0
        assertArrayEquals(new float[] {1f, -5f}, matrix(DType.BF16, 2, bf).toFloatArray());
    }

    /**
     * Every one of the 65536 halves through the vector kernels (mat-vec and the 4-token mat-mul path), against
     * Float.float16ToFloat: row i holds half i at column i % 27 and zeros elsewhere, and x picks that column. 27
     * columns take each kernel's 16-column loop (whose short widening holds for finite halves only, so the rows with
     * an infinity or a NaN must be caught and computed again), its 8-column step and its scalar tail.
     */
    @Test
    void f16KernelsWidenEveryHalfExactly() {
        int rows = 65536;
        int cols = 27;
        byte[] bytes = new byte[rows * cols * 2];
        for (int i = 0; i < rows; i++) {
            half(bytes, (i * cols + i % cols) * 2, i);
        }
        WeightMatrix m = WeightMatrix.of("halves", DType.F16, rows, cols, MemorySegment.ofArray(bytes));
        float[] x = new float[cols * cols];
        for (int k = 0; k < cols; k++) {
            x[k * cols + k] = 1f;
        }
        float[] y = new float[cols * rows];
        m.matmul(x, cols, y, Parallel.serial());
        float[] yk = new float[rows];
        for (int k = 0; k < cols; k++) {
            m.matvec(Arrays.copyOfRange(x, k * cols, k * cols + cols), yk, Parallel.serial());
            for (int i = k; i < rows; i += cols) {
                float expected = Float.float16ToFloat((short) i);
                for (float got : new float[] {yk[i], y[k * rows + i], m.dot(i, x, k * cols)}) {
                    if (Float.isNaN(expected) ? !Float.isNaN(got) : got != expected) {
                        fail(String.format("half 0x%04x at column %d: expected %s, kernel gave %s", i, k, expected, got));
                    }
                }
            }
        }
    }

    /** A row with one infinity among finite halves sums to that infinity, in every kernel; with a NaN, to NaN. */
    @Test
    void f16RowsWithInfinityOrNaNAreNotWidenedAsFiniteNumbers() {
        int cols = 64;
        byte[] bytes = new byte[3 * cols * 2];
        for (int j = 0; j < 3 * cols; j++) {
            half(bytes, j * 2, 0x3C00); // 1.0
        }
        half(bytes, 5 * 2, 0x7C00); // row 0, column 5: +inf
        half(bytes, (cols + 40) * 2, 0x7E00); // row 1, column 40: NaN
        WeightMatrix m = WeightMatrix.of("specials", DType.F16, 3, cols, MemorySegment.ofArray(bytes));
        float[] x = new float[4 * cols];
        Arrays.fill(x, 0.5f);
        float[] y = new float[4 * 3];
        m.matmul(x, 4, y, Parallel.serial());
        for (int t = 0; t < 4; t++) {
            assertEquals(Float.POSITIVE_INFINITY, y[t * 3], "token " + t);
            assertTrue(Float.isNaN(y[t * 3 + 1]), "token " + t);
            assertEquals(32f, y[t * 3 + 2], "token " + t);
        }
        assertEquals(Float.POSITIVE_INFINITY, m.dot(0, x, 0));
        assertTrue(Float.isNaN(m.dot(1, x, 0)));
        assertEquals(32f, m.dot(2, x, 0));
    }

    @Test
    void q8_0Block() {
        byte[] b = new byte[34];
        half(b, 0, 0x3800); // d = 0.5
        b[2] = -128;
        b[3] = -1;
        b[5] = 1;
        b[33] = 127;
        float[] v = matrix(DType.Q8_0, 32, b).toFloatArray();
        assertEquals(-64f, v[0]);
        assertEquals(-0.5f, v[1]);
        assertEquals(0f, v[2]);
        assertEquals(0.5f, v[3]);
        assertEquals(63.5f, v[31]);
    }

    @Test
    void q4_0Block() {
        byte[] b = new byte[18];
        half(b, 0, 0x4000); // d = 2
        b[2] = 0x1F; // value 0: (15 - 8)·2 = 14; value 16: (1 - 8)·2 = -14
        b[17] = (byte) 0x80; // value 15: (0 - 8)·2 = -16; value 31: (8 - 8)·2 = 0
        float[] v = matrix(DType.Q4_0, 32, b).toFloatArray();
        assertEquals(14f, v[0]);
        assertEquals(-14f, v[16]);
        assertEquals(-16f, v[15]);
        assertEquals(0f, v[31]);
        assertEquals(-16f, v[1]); // zero byte: (0 - 8)·2
    }

    @Test
    void q4_1Block() {
        byte[] b = new byte[20];
        half(b, 0, 0x3800); // d = 0.5
        half(b, 2, 0xBC00); // m = -1
        b[4] = 0x3A; // value 0: 10·0.5 - 1 = 4; value 16: 3·0.5 - 1 = 0.5
        float[] v = matrix(DType.Q4_1, 32, b).toFloatArray();
        assertEquals(4f, v[0]);
        assertEquals(0.5f, v[16]);
        assertEquals(-1f, v[1]);
    }

    @Test
    void q5_0Block() {
        byte[] b = new byte[22];
        half(b, 0, 0x3C00); // d = 1
        b[2] = 0x01; // qh bit 0
        b[4] = 0x01; // qh bit 16
        b[6] = 0x21; // value 0: (1 | 16) - 16 = 1; value 16: (2 | 16) - 16 = 2
        b[7] = 0x43; // value 1: 3 - 16 = -13; value 17: 4 - 16 = -12
        b[5] = (byte) 0x80; // qh bit 31: value 31 = (0 | 16) - 16 = 0
        float[] v = matrix(DType.Q5_0, 32, b).toFloatArray();
        assertEquals(1f, v[0]);
        assertEquals(2f, v[16]);
        assertEquals(-13f, v[1]);
        assertEquals(-12f, v[17]);
        assertEquals(0f, v[31]);
        assertEquals(-16f, v[30]);
    }

    @Test
    void q5_1Block() {
        byte[] b = new byte[24];
        half(b, 0, 0x3400); // d = 0.25
        half(b, 2, 0x3C00); // m = 1
        b[4] = 0x02; // qh bit 1
        b[9] = 0x0F; // value 1: (15 | 16)·0.25 + 1 = 8.75; value 17: 0·0.25 + 1 = 1
        float[] v = matrix(DType.Q5_1, 32, b).toFloatArray();
        assertEquals(8.75f, v[1]);
        assertEquals(1f, v[17]);
    }

    @Test
    void q4_KBlock() {
        byte[] b = new byte[144];
        half(b, 0, 0x3C00); // d = 1
        half(b, 2, 0x3800); // dmin = 0.5
        b[4] = 0x43; // scale 0 = 3 (low 6 bits); top 2 bits are bits 4-5 of scale 4
        b[8] = 0x02; // min 0 = 2
        b[12] = 0x25; // scale 4 = 5 | 1<<4 = 21; min 4 = 2 | (b[8] >> 6) << 4 = 2
        b[16] = 0x71; // value 0 (sub-block 0): 1·3·1 - 0.5·2 = 2; value 32 (sub-block 1, scale 0, min 0): 0
        b[16 + 64] = 0x09; // value 128 (sub-block 4): 1·21·9 - 0.5·2 = 188
        float[] v = matrix(DType.Q4_K, 256, b).toFloatArray();
        assertEquals(2f, v[0]);
        assertEquals(0f, v[32]);
        assertEquals(-1f, v[1]); // q = 0: -dmin·m = -1
        assertEquals(188f, v[128]);
        assertEquals(-1f, v[129]);
    }

    @Test
    void q5_KBlock() {
        byte[] b = new byte[176];
        half(b, 0, 0x3C00); // d = 1
        half(b, 2, 0x3800); // dmin = 0.5
        b[4] = 3; // scale 0 = 3
        b[5] = 1; // scale 1 = 1
        b[8] = 2; // min 0 = 2
        b[16] = 0x03; // qh[0]: bit 0 → value 0 gets +16; bit 1 → value 32 gets +16
        b[48] = 0x21; // value 0: 1·3·(1 + 16) - 0.5·2 = 50; value 32: 1·1·(2 + 16) - 0 = 18
        float[] v = matrix(DType.Q5_K, 256, b).toFloatArray();
        assertEquals(50f, v[0]);
        assertEquals(18f, v[32]);
        assertEquals(-1f, v[1]);
    }

    @Test
    void q6_KBlock() {
        byte[] b = new byte[210];
        b[0] = 0x05; // ql[0]: low nibble 5 for value 0, high nibble 0 for value 64
        b[128] = 0x02; // qh[0]: bits 0-1 = 2 → value 0 = (5 | 2<<4) - 32 = 5; bits 4-5 = 0 → value 64 = -32
        b[192] = -2; // scale of values 0..15
        b[196] = 3; // scale of values 64..79
        half(b, 208, 0x3800); // d = 0.5
        float[] v = matrix(DType.Q6_K, 256, b).toFloatArray();
        assertEquals(-5f, v[0]); // 0.5·(-2)·5
        assertEquals(-48f, v[64]); // 0.5·3·(-32)
        assertEquals(32f, v[1]); // 0.5·(-2)·(-32)
        assertEquals(-0f, v[16]); // scale 1 = 0
    }

    @Test
    void q8_KBlock() {
        byte[] b = new byte[292];
        int bits = Float.floatToRawIntBits(0.25f);
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (bits >> (8 * i));
        }
        b[4] = -3;
        b[259] = 100;
        float[] v = matrix(DType.Q8_K, 256, b).toFloatArray();
        assertEquals(-0.75f, v[0]);
        assertEquals(25f, v[255]);
    }

    @Test
    void q2_KBlock() {
        byte[] b = new byte[84];
        b[0] = 0x21; // sub-block 0: scale 1, min 2
        b[16] = 0b0111; // value 0 = 3 (shift 0); value 32 (shift 2, sub-block 2) = 1
        b[2] = 0x14; // sub-block 2: scale 4, min 1
        half(b, 80, 0x3C00); // d = 1
        half(b, 82, 0x3800); // dmin = 0.5
        float[] v = matrix(DType.Q2_K, 256, b).toFloatArray();
        assertEquals(2f, v[0]); // 1·1·3 - 0.5·2
        assertEquals(-1f, v[1]); // q = 0
        assertEquals(3.5f, v[32]); // 1·4·1 - 0.5·1
    }

    @Test
    void q3_KBlock() {
        byte[] b = new byte[110];
        b[0] = 0x01; // hmask[0] bit 0: value 0 keeps its high bit (no -4)
        b[32] = 0x03 | 0x01 << 2; // qs[0]: value 0 → 3; value 32 (shift 2) → 1
        b[33] = 0x01; // value 1 → 1, hmask[1] clear → 1 - 4 = -3
        b[96] = 0x01; // scale 0 low nibble 1
        b[104] = 0x02; // scale 0 high bits 2 → scale 0 = 1 | 2<<4 = 33 → 33 - 32 = 1
        half(b, 108, 0x4000); // d = 2
        float[] v = matrix(DType.Q3_K, 256, b).toFloatArray();
        assertEquals(6f, v[0]); // 2·1·3
        assertEquals(-6f, v[1]); // 2·1·(1 - 4)
        // value 32 is sub-block 2: scale 2 = 0 - 32; hmask bit 1 of byte 0 is clear: 2·(-32)·(1 - 4)
        assertEquals(192f, v[32]);
        assertEquals(256f, v[16]); // scale 1 = -32: 2·(-32)·(0 - 4)
    }

    // ---- the fast dot products against dequantize-then-dot ----

    /** Random row data for {@code type}: quantized from random floats, or random bytes with sane scale fields. */
    static MemorySegment randomMatrix(DType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        if (Quantizer.supports(type)) {
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian() * (1 + (i % 7));
            }
            return MemorySegment.ofArray(Quantizer.quantize(type, w, 0, w.length));
        }
        return MemorySegment.ofArray(randomBlocks(type, rows, cols, rnd));
    }

    /** Random bytes in {@code type}'s block layout, every fp16 scale field set to a sane value (0.001 to 0.051). */
    static byte[] randomBlocks(DType type, int rows, int cols, Random rnd) {
        byte[] b = new byte[Math.toIntExact(type.bytesFor((long) rows * cols))];
        rnd.nextBytes(b);
        int[] halfOffsets = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
        for (int blk = 0; blk < b.length / type.blockBytes(); blk++) {
            for (int off : halfOffsets) {
                half(b, blk * type.blockBytes() + off, Float.floatToFloat16((float) (0.001 + rnd.nextDouble() * 0.05)));
            }
        }
        return b;
    }

    static int oddCols(DType type) {
        // not a multiple of the 8-lane vectors for plain types; an odd number of blocks otherwise
        return type.isQuantized() ? 3 * type.blockSize() : 77;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K",
        "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void dotMatchesDequantizeThenDot(DType type) {
        int rows = 19;
        int cols = oddCols(type);
        WeightMatrix m = WeightMatrix.of("w", type, rows, cols, randomMatrix(type, rows, cols, 42));
        Random rnd = new Random(7);
        float[] x = new float[cols + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, row, 0);
            for (int off : new int[] {0, 5}) {
                double exact = 0;
                double magnitude = 0;
                for (int j = 0; j < cols; j++) {
                    exact += (double) row[j] * x[off + j];
                    magnitude += Math.abs((double) row[j] * x[off + j]);
                }
                float got = m.dot(r, x, off);
                // float summation in a different order: relative to the sum of |terms|
                assertEquals(exact, got, 1e-5 * magnitude + 1e-30, type + " row " + r + " offset " + off);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K",
        "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void matvecAndMatmulAreBatchAndThreadInvariant(DType type) {
        int rows = 37;
        int cols = oddCols(type);
        WeightMatrix m = WeightMatrix.of("w", type, rows, cols, randomMatrix(type, rows, cols, 3));
        Random rnd = new Random(11);
        int maxN = 7;
        float[] x = new float[maxN * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[][] single = new float[maxN][];
        for (int t = 0; t < maxN; t++) {
            single[t] = new float[rows];
            for (int r = 0; r < rows; r++) {
                single[t][r] = m.dot(r, x, t * cols);
            }
        }
        for (int threads : new int[] {1, 2}) {
            try (Parallel p = Parallel.of(threads)) {
                for (int t = 0; t < maxN; t++) {
                    float[] xt = Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
                    float[] y = new float[rows];
                    m.matvec(xt, y, p);
                    assertArrayEquals(single[t], y, type + " matvec threads=" + threads); // exact: same bits
                }
                for (int n : new int[] {1, 3, 4, 5, 7}) {
                    float[] y = new float[n * rows];
                    m.matmul(x, n, y, p);
                    for (int t = 0; t < n; t++) {
                        assertArrayEquals(single[t], Arrays.copyOfRange(y, t * rows, (t + 1) * rows),
                                type + " matmul n=" + n + " token " + t + " threads=" + threads);
                    }
                }
            }
        }
    }

    /**
     * The kernels that unpack several weights per int lane and read x in a matching order (Q8_0, Q2_K, Q3_K, Q4_K,
     * Q5_K and Q6_K in the sliced layout; Q4_0, Q4_1, Q5_0 and Q5_1 with their masked fields and scaled x) must pair
     * every weight with its own x. With x a unit vector e_k every product but one is zero, so dot, matvec and the
     * 4-token mat-mul must return weight k of each row exactly as dequantizeRow gives it, for every position k. The
     * quantized bytes are random (every byte value, every bit field), the scales sane halves.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K",
        "Q5_K", "Q6_K"})
    void lanePackedKernelsReturnEveryWeightExactly(DType type) {
        int rows = 8;
        int cols = 512;
        byte[] bytes = randomBlocks(type, rows, cols, new Random(13));
        WeightMatrix m = WeightMatrix.of("w", type, rows, cols, MemorySegment.ofArray(bytes));
        float[][] w = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, w[r], 0);
        }
        float[] y = new float[rows];
        float[] y4 = new float[4 * rows];
        for (int k = 0; k < cols; k++) {
            float[] x = new float[cols];
            x[k] = 1;
            float[] x4 = new float[4 * cols];
            for (int t = 0; t < 4; t++) {
                x4[t * cols + (k + t) % cols] = 1;
            }
            m.matvec(x, y, Parallel.serial());
            m.matmul(x4, 4, y4, Parallel.serial());
            for (int r = 0; r < rows; r++) {
                String at = type + " row " + r + " column " + k;
                assertEquals(w[r][k], y[r], 0f, at + " (matvec)");
                assertEquals(w[r][k], m.dot(r, x, 0), 0f, at + " (dot)");
                for (int t = 0; t < 4; t++) {
                    assertEquals(w[r][(k + t) % cols], y4[t * rows + r], 0f, at + " (mat-mul token " + t + ")");
                }
            }
        }
    }

    @Test
    void mappedOffHeapSegmentsWork() {
        try (Arena arena = Arena.ofConfined()) {
            DType type = DType.Q4_K;
            MemorySegment heap = randomMatrix(type, 4, 512, 5);
            MemorySegment off = arena.allocate(heap.byteSize(), 64);
            off.copyFrom(heap);
            WeightMatrix a = WeightMatrix.of("a", type, 4, 512, heap);
            WeightMatrix b = WeightMatrix.of("b", type, 4, 512, off);
            float[] x = new float[512];
            java.util.Arrays.fill(x, 0.5f);
            for (int r = 0; r < 4; r++) {
                assertEquals(a.dot(r, x, 0), b.dot(r, x, 0));
            }
        }
    }

    @Test
    void badShapesAndTypesNameTheTensor() {
        var unsupported = assertThrows(UnsupportedOperationException.class,
                () -> WeightMatrix.of("blk.0.ffn_up.weight", DType.Q8_1, 1, 32, MemorySegment.ofArray(new byte[36])));
        assertTrue(unsupported.getMessage().contains("blk.0.ffn_up.weight") && unsupported.getMessage().contains("Q8_1"),
                unsupported.getMessage());
        var ragged = assertThrows(IllegalArgumentException.class,
                () -> WeightMatrix.of("t", DType.Q4_K, 1, 100, MemorySegment.ofArray(new byte[144])));
        assertTrue(ragged.getMessage().contains("'t'"), ragged.getMessage());
        var size = assertThrows(IllegalArgumentException.class,
                () -> WeightMatrix.of("short", DType.Q8_0, 2, 32, MemorySegment.ofArray(new byte[34])));
        assertTrue(size.getMessage().contains("short"), size.getMessage());
        WeightMatrix m = WeightMatrix.of("m", DType.F32, 2, 3, MemorySegment.ofArray(new float[6]));
        var io = assertThrows(IllegalArgumentException.class, () -> m.matvec(new float[2], new float[2], Parallel.serial()));
        assertTrue(io.getMessage().contains("'m'"), io.getMessage());
    }

    static float[] toFloats(MemorySegment seg) {
        return seg.toArray(ValueLayout.JAVA_FLOAT);
    }
}
