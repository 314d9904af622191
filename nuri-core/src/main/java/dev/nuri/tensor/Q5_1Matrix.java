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
 * ggml's Q5_1: blocks of 32 values as {@code {fp16 d; fp16 m; uint8 qh[4]; uint8 qs[16]}} (24 bytes); the
 * 5-bit values are unpacked as in Q5_0 (without the -16) and value = q·d + m. The kernels are Q5_0's without the
 * recentring, plus m·Σx per block as in Q4_1.
 */
final class Q5_1Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 24;

    Q5_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q5_1;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int sums = n * cols;
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4Prepared(r, prepared, t * cols, sums + t * (cols / 32), y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotPrepared(r, prepared, t * cols, sums + t * (cols / 32));
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotPrepared(row, prepare(x, xOffset, 1), 0, cols);
    }

    @Override
    protected float[] prepare(float[] x, int n) {
        return prepare(x, 0, n);
    }

    /** The {@code n} vectors from {@code x[off ..]} in {@link Q4_0Matrix#fieldOrder}, then their Σx per block. */
    private float[] prepare(float[] x, int off, int n) {
        int len = n * cols;
        float[] prepared = Q4_0Matrix.fieldOrder(x, off, len, len / 32, 1, 0x1p-4f, 1);
        KQuants.subBlockSums(x, off, n, cols, prepared, len);
        return prepared;
    }

    /** Row {@code row}'s dot product with the prepared vector at {@code x[xOffset ..]}, its block sums at {@code x[sumBase ..]}. */
    private float dotPrepared(int row, float[] x, int xOffset, int sumBase) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            int qh = data.get(Simd.LE_INT, bo + 4);
            IntVector h = IntVector.broadcast(I, qh);
            IntVector h4 = IntVector.broadcast(I, qh << 4);
            IntVector q = ((ShortVector) ByteVector.fromMemorySegment(B128, data, bo + 8, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, Simd.S256, 0)).reinterpretAsInts();
            FloatVector w0 = (FloatVector) q.and(0x0F).or(h4.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_0).and(0x10)).convert(VectorOperators.I2F, 0);
            FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(0x0F).or(h4.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_1).and(0x10)).convert(VectorOperators.I2F, 0);
            FloatVector w2 = (FloatVector) q.and(0xF0).or(h.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_2).and(0x100)).convert(VectorOperators.I2F, 0);
            FloatVector w3 = (FloatVector) q.lanewise(VectorOperators.LSHR, 20).or(h.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_3).and(0x10)).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(Simd.LE_SHORT, bo)));
            int xi = xOffset + b * 32;
            acc = w1.fma(FloatVector.fromArray(F, x, xi + 8), w0.mul(FloatVector.fromArray(F, x, xi)))
                    .add(w3.fma(FloatVector.fromArray(F, x, xi + 24), w2.mul(FloatVector.fromArray(F, x, xi + 16)))).fma(d, acc);
            mins = Math.fma(Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 2)), x[sumBase + b], mins);
        }
        FloatVector s = acc.add(acc.rearrange(Simd.ROTATE_HALVES));
        s = s.add(s.rearrange(Simd.ROTATE_PAIRS));
        return (s.lane(0) + s.lane(1)) + mins;
    }

    /** {@link #dotPrepared} for the four prepared vectors {@code x[xOffset + t*cols ..]}, each block unpacked once. */
    private void dot4Prepared(int row, float[] x, int xOffset, int sumBase, float[] y, int yIndex, int yStride) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        int c = cols;
        int per = cols / 32;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        float m0 = 0;
        float m1 = 0;
        float m2 = 0;
        float m3 = 0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            int qh = data.get(Simd.LE_INT, bo + 4);
            IntVector h = IntVector.broadcast(I, qh);
            IntVector h4 = IntVector.broadcast(I, qh << 4);
            IntVector q = ((ShortVector) ByteVector.fromMemorySegment(B128, data, bo + 8, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, Simd.S256, 0)).reinterpretAsInts();
            FloatVector w0 = (FloatVector) q.and(0x0F).or(h4.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_0).and(0x10)).convert(VectorOperators.I2F, 0);
            FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(0x0F).or(h4.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_1).and(0x10)).convert(VectorOperators.I2F, 0);
            FloatVector w2 = (FloatVector) q.and(0xF0).or(h.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_2).and(0x100)).convert(VectorOperators.I2F, 0);
            FloatVector w3 = (FloatVector) q.lanewise(VectorOperators.LSHR, 20).or(h.lanewise(VectorOperators.LSHR, Q5_0Matrix.FIFTH_BIT_3).and(0x10)).convert(VectorOperators.I2F, 0);
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
            float m = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 2));
            m0 = Math.fma(m, x[sumBase + b], m0);
            m1 = Math.fma(m, x[sumBase + per + b], m1);
            m2 = Math.fma(m, x[sumBase + 2 * per + b], m2);
            m3 = Math.fma(m, x[sumBase + 3 * per + b], m3);
        }
        FloatVector h0 = a0.add(a0.rearrange(Simd.ROTATE_HALVES));
        FloatVector h1 = a1.add(a1.rearrange(Simd.ROTATE_HALVES));
        FloatVector h2 = a2.add(a2.rearrange(Simd.ROTATE_HALVES));
        FloatVector h3 = a3.add(a3.rearrange(Simd.ROTATE_HALVES));
        h0 = h0.add(h0.rearrange(Simd.ROTATE_PAIRS));
        h1 = h1.add(h1.rearrange(Simd.ROTATE_PAIRS));
        h2 = h2.add(h2.rearrange(Simd.ROTATE_PAIRS));
        h3 = h3.add(h3.rearrange(Simd.ROTATE_PAIRS));
        y[yIndex] = (h0.lane(0) + h0.lane(1)) + m0;
        y[yIndex + yStride] = (h1.lane(0) + h1.lane(1)) + m1;
        y[yIndex + 2 * yStride] = (h2.lane(0) + h2.lane(1)) + m2;
        y[yIndex + 3 * yStride] = (h3.lane(0) + h3.lane(1)) + m3;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo);
            float m = Simd.f16(data, bo + 2);
            int qh = data.get(Simd.LE_INT, bo + 4);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, bo + 8 + j) & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                out[o + j] = ((q & 0x0F) | h0) * d + m;
                out[o + j + 16] = ((q >> 4) | h1) * d + m;
            }
        }
    }
}
