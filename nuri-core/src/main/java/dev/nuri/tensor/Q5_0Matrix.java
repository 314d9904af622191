package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B128;
import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.I;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's Q5_0: blocks of 32 values as {@code {fp16 d; uint8 qh[4]; uint8 qs[16]}} (22 bytes). Bit k of the
 * little-endian 32-bit {@code qh} is the fifth bit of value k; value j is {@code ((qs[j] & 0xF) | bit_j<<4) - 16}
 * times d and value j+16 uses {@code qs[j] >> 4} and bit j+16.
 *
 * <p>The kernels read qs as Q4_0's do (16-bit lanes as 8 int lanes; lane i holds the values 2i, 2i+1, 16+2i and
 * 17+2i, x in {@link Q4_0Matrix#fieldOrder}). Values 2i and 16+2i are masked where they lie (bits 0-3 and 4-7),
 * 2i+1 and 17+2i shifted down from bits 16 and 20. Each nibble's fifth bit is moved from the broadcast qh to just
 * above it with a per-lane variable right shift (FIFTH_BIT_*) and one and, and the value is recentred
 * there: w = ((q | bit<<4) − 16)·2^pos, pos being 4 for value 16+2i and 0 for the others (x is prepared times
 * 2^-pos). Per block: d·((w1·x1 + w0·x0) + (w3·x3 + w2·x2)); dotPrepared and dot4Prepared share this order.
 * The kernels are large enough that C2 stops inlining into them (NodeCountInliningCutoff), so d's conversion and
 * the lane sums (Simd.sum8's order) are written out: left as calls, they cost a spill of every vector per block
 * and a boxed vector per row.
 */
final class Q5_0Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 22;
    // Per-lane right shifts of qh (the first two of qh << 4) that put bit 2i, 2i+1, 16+2i, 17+2i just above the
    // field of value 2i, 2i+1, 16+2i, 17+2i (Q5_1's kernels use them too). Separate constants, not an array: C2 knows the exact class of a vector
    // in a static final field but not of one read from an array, and without it the shifts were compiled as calls.
    static final IntVector FIFTH_BIT_0 = IntVector.fromArray(I, new int[] {0, 2, 4, 6, 8, 10, 12, 14}, 0);
    static final IntVector FIFTH_BIT_1 = IntVector.fromArray(I, new int[] {1, 3, 5, 7, 9, 11, 13, 15}, 0);
    static final IntVector FIFTH_BIT_2 = IntVector.fromArray(I, new int[] {8, 10, 12, 14, 16, 18, 20, 22}, 0);
    static final IntVector FIFTH_BIT_3 = IntVector.fromArray(I, new int[] {13, 15, 17, 19, 21, 23, 25, 27}, 0);
    Q5_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q5_0;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4Prepared(r, prepared, t * cols, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotPrepared(r, prepared, t * cols);
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotPrepared(row, prepare(x, xOffset, 1), 0);
    }

    @Override
    protected float[] prepare(float[] x, int n) {
        return prepare(x, 0, n);
    }

    private float[] prepare(float[] x, int off, int n) {
        return Q4_0Matrix.fieldOrder(x, off, n * cols, 0, 1, 0x1p-4f, 1);
    }

    /** Row {@code row}'s dot product with the prepared vector at {@code x[xOffset ..]}. */
    private float dotPrepared(int row, float[] x, int xOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            int qh = data.get(Simd.LE_INT, bo + 2);
            IntVector h = IntVector.broadcast(I, qh);
            IntVector h4 = IntVector.broadcast(I, qh << 4);
            IntVector q = ((ShortVector) ByteVector.fromMemorySegment(B128, data, bo + 6, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, Simd.S256, 0)).reinterpretAsInts();
            FloatVector w0 = (FloatVector) q.and(0x0F).or(h4.lanewise(VectorOperators.LSHR, FIFTH_BIT_0).and(0x10)).sub(16).convert(VectorOperators.I2F, 0);
            FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(0x0F).or(h4.lanewise(VectorOperators.LSHR, FIFTH_BIT_1).and(0x10)).sub(16).convert(VectorOperators.I2F, 0);
            FloatVector w2 = (FloatVector) q.and(0xF0).or(h.lanewise(VectorOperators.LSHR, FIFTH_BIT_2).and(0x100)).sub(0x100).convert(VectorOperators.I2F, 0);
            FloatVector w3 = (FloatVector) q.lanewise(VectorOperators.LSHR, 20).or(h.lanewise(VectorOperators.LSHR, FIFTH_BIT_3).and(0x10)).sub(16).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(Simd.LE_SHORT, bo)));
            int xi = xOffset + b * 32;
            acc = w1.fma(FloatVector.fromArray(F, x, xi + 8), w0.mul(FloatVector.fromArray(F, x, xi)))
                    .add(w3.fma(FloatVector.fromArray(F, x, xi + 24), w2.mul(FloatVector.fromArray(F, x, xi + 16)))).fma(d, acc);
        }
        FloatVector s = acc.add(acc.rearrange(Simd.ROTATE_HALVES));
        s = s.add(s.rearrange(Simd.ROTATE_PAIRS));
        return s.lane(0) + s.lane(1);
    }

    /** {@link #dotPrepared} for the four prepared vectors {@code x[xOffset + t*cols ..]}, each block unpacked once. */
    private void dot4Prepared(int row, float[] x, int xOffset, float[] y, int yIndex, int yStride) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        int c = cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            int qh = data.get(Simd.LE_INT, bo + 2);
            IntVector h = IntVector.broadcast(I, qh);
            IntVector h4 = IntVector.broadcast(I, qh << 4);
            IntVector q = ((ShortVector) ByteVector.fromMemorySegment(B128, data, bo + 6, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, Simd.S256, 0)).reinterpretAsInts();
            FloatVector w0 = (FloatVector) q.and(0x0F).or(h4.lanewise(VectorOperators.LSHR, FIFTH_BIT_0).and(0x10)).sub(16).convert(VectorOperators.I2F, 0);
            FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(0x0F).or(h4.lanewise(VectorOperators.LSHR, FIFTH_BIT_1).and(0x10)).sub(16).convert(VectorOperators.I2F, 0);
            FloatVector w2 = (FloatVector) q.and(0xF0).or(h.lanewise(VectorOperators.LSHR, FIFTH_BIT_2).and(0x100)).sub(0x100).convert(VectorOperators.I2F, 0);
            FloatVector w3 = (FloatVector) q.lanewise(VectorOperators.LSHR, 20).or(h.lanewise(VectorOperators.LSHR, FIFTH_BIT_3).and(0x10)).sub(16).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(Simd.LE_SHORT, bo)));
            int xi = xOffset + b * 32;
            a0 = w1.fma(FloatVector.fromArray(F, x, xi + 8), w0.mul(FloatVector.fromArray(F, x, xi)))
                    .add(w3.fma(FloatVector.fromArray(F, x, xi + 24), w2.mul(FloatVector.fromArray(F, x, xi + 16)))).fma(d, a0);
            a1 = w1.fma(FloatVector.fromArray(F, x, xi + c + 8), w0.mul(FloatVector.fromArray(F, x, xi + c)))
                    .add(w3.fma(FloatVector.fromArray(F, x, xi + c + 24), w2.mul(FloatVector.fromArray(F, x, xi + c + 16)))).fma(d, a1);
            a2 = w1.fma(FloatVector.fromArray(F, x, xi + 2 * c + 8), w0.mul(FloatVector.fromArray(F, x, xi + 2 * c)))
                    .add(w3.fma(FloatVector.fromArray(F, x, xi + 2 * c + 24), w2.mul(FloatVector.fromArray(F, x, xi + 2 * c + 16)))).fma(d, a2);
            a3 = w1.fma(FloatVector.fromArray(F, x, xi + 3 * c + 8), w0.mul(FloatVector.fromArray(F, x, xi + 3 * c)))
                    .add(w3.fma(FloatVector.fromArray(F, x, xi + 3 * c + 24), w2.mul(FloatVector.fromArray(F, x, xi + 3 * c + 16)))).fma(d, a3);
        }
        FloatVector h0 = a0.add(a0.rearrange(Simd.ROTATE_HALVES));
        FloatVector h1 = a1.add(a1.rearrange(Simd.ROTATE_HALVES));
        FloatVector h2 = a2.add(a2.rearrange(Simd.ROTATE_HALVES));
        FloatVector h3 = a3.add(a3.rearrange(Simd.ROTATE_HALVES));
        h0 = h0.add(h0.rearrange(Simd.ROTATE_PAIRS));
        h1 = h1.add(h1.rearrange(Simd.ROTATE_PAIRS));
        h2 = h2.add(h2.rearrange(Simd.ROTATE_PAIRS));
        h3 = h3.add(h3.rearrange(Simd.ROTATE_PAIRS));
        y[yIndex] = h0.lane(0) + h0.lane(1);
        y[yIndex + yStride] = h1.lane(0) + h1.lane(1);
        y[yIndex + 2 * yStride] = h2.lane(0) + h2.lane(1);
        y[yIndex + 3 * yStride] = h3.lane(0) + h3.lane(1);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo);
            int qh = data.get(Simd.LE_INT, bo + 2);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, bo + 6 + j) & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                out[o + j] = (((q & 0x0F) | h0) - 16) * d;
                out[o + j + 16] = (((q >> 4) | h1) - 16) * d;
            }
        }
    }
}
