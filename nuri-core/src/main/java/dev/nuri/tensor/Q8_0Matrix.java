package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.I;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's Q8_0: blocks of 32 values as {@code {fp16 d; int8 qs[32]}} (34 bytes), value = qs[j]·d.
 * The dot product reads a block's 32 bytes as 8 int lanes (the sliced layout of {@link Simd#sliceOrder}: byte j
 * of lane i is value 4i+j, and x is prepared in that order) and moves byte j into the top byte of its lane, which
 * makes it a signed q·2^24 exactly: a shift left for byte 0, a mask for byte 3, both for bytes 1 and 2. x is
 * prepared times 2^-24 (exact, as power-of-two scaling is; only an x below 2^-102 would lose bits, as a
 * subnormal), so each product is q·x. The block's sum is scaled by d once: (w1·x1 + w0·x0) + (w3·x3 + w2·x2).
 * Sign-extending each byte with a pair of shifts instead was 7% slower (one core, 4096 columns in cache: 12.1
 * against 13.0 GB/s, with 7 shifts per block against 3 shifts and 2 masks), and four 8-byte loads sign-extended into
 * int lanes were a third slower (9.0 against 12.0 GB/s).
 */
final class Q8_0Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 34;

    Q8_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q8_0;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4Sliced(r, prepared, t * cols, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotSliced(r, prepared, t * cols);
            }
        }
    }

    @Override
    protected float[] prepare(float[] x, int n) {
        return prepare(x, 0, n);
    }

    /** The {@code n} vectors from {@code x[off ..]} in slice order, times 2^-24 (see the class comment). */
    private float[] prepare(float[] x, int off, int n) {
        return Simd.sliceOrder(x, off, n * cols, 0, 0x1p-24f);
    }

    /** Row {@code row}'s dot product with the prepared vector at {@code x[xOffset ..]}. */
    private float dotSliced(int row, float[] x, int xOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            IntVector q = IntVector.fromMemorySegment(I, data, bo + 2, LE);
            FloatVector w0 = (FloatVector) q.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0);
            FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHL, 16).and(0xFF000000).convert(VectorOperators.I2F, 0);
            FloatVector w2 = (FloatVector) q.lanewise(VectorOperators.LSHL, 8).and(0xFF000000).convert(VectorOperators.I2F, 0);
            FloatVector w3 = (FloatVector) q.and(0xFF000000).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, Simd.f16(data, bo));
            acc = w1.fma(FloatVector.fromArray(F, x, xOffset + b * 32 + 8), w0.mul(FloatVector.fromArray(F, x, xOffset + b * 32))).add(w3.fma(FloatVector.fromArray(F, x, xOffset + b * 32 + 24), w2.mul(FloatVector.fromArray(F, x, xOffset + b * 32 + 16)))).fma(d, acc);
        }
        return Simd.sum8(acc);
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotSliced(row, prepare(x, xOffset, 1), 0);
    }

    /** {@link #dotSliced} for the four prepared vectors {@code x[xOffset + t*cols ..]}, each block unpacked once. */
    private void dot4Sliced(int row, float[] x, int xOffset, float[] y, int yIndex, int yStride) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            IntVector q = IntVector.fromMemorySegment(I, data, bo + 2, LE);
            FloatVector w0 = (FloatVector) q.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0);
            FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHL, 16).and(0xFF000000).convert(VectorOperators.I2F, 0);
            FloatVector w2 = (FloatVector) q.lanewise(VectorOperators.LSHL, 8).and(0xFF000000).convert(VectorOperators.I2F, 0);
            FloatVector w3 = (FloatVector) q.and(0xFF000000).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, Simd.f16(data, bo));
            int xi = xOffset + b * 32;
            a0 = w1.fma(FloatVector.fromArray(F, x, xi + 8), w0.mul(FloatVector.fromArray(F, x, xi))).add(w3.fma(FloatVector.fromArray(F, x, xi + 24), w2.mul(FloatVector.fromArray(F, x, xi + 16)))).fma(d, a0);
            a1 = w1.fma(FloatVector.fromArray(F, x, xi + cols + 8), w0.mul(FloatVector.fromArray(F, x, xi + cols))).add(w3.fma(FloatVector.fromArray(F, x, xi + cols + 24), w2.mul(FloatVector.fromArray(F, x, xi + cols + 16)))).fma(d, a1);
            a2 = w1.fma(FloatVector.fromArray(F, x, xi + 2 * cols + 8), w0.mul(FloatVector.fromArray(F, x, xi + 2 * cols))).add(w3.fma(FloatVector.fromArray(F, x, xi + 2 * cols + 24), w2.mul(FloatVector.fromArray(F, x, xi + 2 * cols + 16)))).fma(d, a2);
            a3 = w1.fma(FloatVector.fromArray(F, x, xi + 3 * cols + 8), w0.mul(FloatVector.fromArray(F, x, xi + 3 * cols))).add(w3.fma(FloatVector.fromArray(F, x, xi + 3 * cols + 24), w2.mul(FloatVector.fromArray(F, x, xi + 3 * cols + 16)))).fma(d, a3);
        }
        y[yIndex] = Simd.sum8(a0);
        y[yIndex + yStride] = Simd.sum8(a1);
        y[yIndex + 2 * yStride] = Simd.sum8(a2);
        y[yIndex + 3 * yStride] = Simd.sum8(a3);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo);
            for (int j = 0; j < 32; j++) {
                out[outOffset + b * 32 + j] = data.get(ValueLayout.JAVA_BYTE, bo + 2 + j) * d;
            }
        }
    }
}
